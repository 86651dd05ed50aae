using System.Text.Json.Nodes;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

/// <summary>A Delta Lake table on the local file system (reader version 1, writer version 2): reading any
/// version, time travel and history.</summary>
public sealed partial class DeltaTable
{
    /// <summary>The highest reader version this platform implements.</summary>
    public const int SupportedReaderVersion = 1;

    /// <summary>The writer version this platform writes and the highest it writes to.</summary>
    public const int SupportedWriterVersion = 2;

    private readonly DeltaLogStore _log;

    private DeltaTable(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _log = new DeltaLogStore(Path);
    }

    /// <summary>The table folder.</summary>
    public string Path { get; }

    internal DeltaLogStore Log => _log;

    /// <summary>Opens an existing table.</summary>
    /// <exception cref="LakeException">The folder holds no Delta table.</exception>
    public static DeltaTable Open(string path)
    {
        var table = new DeltaTable(path);
        if (!table._log.Exists)
        {
            throw new LakeException(LakeErrorKind.NotFound, $"{table.Path} is not a Delta table: it has no {DeltaLogStore.LogFolderName} folder.");
        }

        return table;
    }

    /// <summary>True when the folder holds a Delta table (a log folder with at least one commit or checkpoint).</summary>
    public static bool Exists(string path) => new DeltaLogStore(System.IO.Path.GetFullPath(path)).List().Count > 0;

    /// <summary>The latest committed version, or null for a table with no commit yet.</summary>
    public long? LatestVersion() => _log.List() is { Count: > 0 } files ? files[^1].Version : null;

    /// <summary>The table as of a version (default: the latest). Refuses, rather than guesses, when the log
    /// is incomplete or asks for a protocol this platform does not implement.</summary>
    /// <exception cref="LakeException">Missing versions, an unsupported protocol, a corrupt log.</exception>
    public DeltaSnapshot Snapshot(long? version = null)
    {
        var files = _log.List();
        if (files.Count == 0)
        {
            throw new LakeException(LakeErrorKind.NotFound, $"{Path} has no commits.");
        }

        var latest = files[^1].Version;
        var target = version ?? latest;
        if (target < 0 || target > latest)
        {
            throw new LakeException(LakeErrorKind.NotFound, $"version {target} does not exist: the latest version is {latest}.");
        }

        var commits = files.Where(f => f.Kind == LogFileKind.Commit).ToDictionary(f => f.Version);
        var (state, start) = StartingState(files, target);
        JsonObject? targetCommitInfo = null;

        for (var v = start; v <= target; v++)
        {
            if (!commits.ContainsKey(v))
            {
                throw new LakeException(LakeErrorKind.Corrupt,
                    $"version {v} is missing from the log of {Path}: the versions are not contiguous, so no version after {v - 1} can be read.");
            }

            foreach (var action in _log.ReadCommit(v))
            {
                state.Apply(action);
                if (v == target && action.CommitInfo is { } info)
                {
                    targetCommitInfo ??= info; // the commit's own timestamp, read in the same pass
                }
            }
        }

        if (state.Protocol is null || state.Metadata is null)
        {
            throw new LakeException(LakeErrorKind.Corrupt, $"the log of {Path} has no {(state.Protocol is null ? "protocol" : "metaData")} action up to version {target}.");
        }

        CheckReadable(state.Protocol);
        if (state.Files.Values.FirstOrDefault(add => add.DeletionVector is not null) is { } withVector)
        {
            throw new LakeException(LakeErrorKind.Unsupported, $"the file {withVector.Path} has a deletion vector, which GovShare Lake does not read.");
        }

        var timestamp = commits.TryGetValue(target, out var commitFile)
            ? DeltaCommit.CommitTimestamp(targetCommitInfo, File.GetLastWriteTimeUtc(commitFile.Path))
            : File.GetLastWriteTimeUtc(files.First(f => f.Kind == LogFileKind.Checkpoint && f.Version == target).Path);
        return new DeltaSnapshot(Path, target, timestamp, state.Protocol, state.Metadata, state.Files, state.Transactions)
        {
            Tombstones = state.Tombstones,
        };
    }

    /// <summary>The table as it was at an instant: the latest version committed at or before it.</summary>
    /// <exception cref="LakeException">The instant is before the first commit.</exception>
    public DeltaSnapshot SnapshotAt(DateTimeOffset timestamp)
    {
        var history = History();
        var match = history.Where(commit => commit.Timestamp <= timestamp).MaxBy(commit => commit.Version);
        if (match is null)
        {
            var first = history.MinBy(commit => commit.Version);
            throw new LakeException(LakeErrorKind.NotFound,
                $"no version existed at {timestamp:O}: the first commit was at {first?.Timestamp:O}.");
        }

        return Snapshot(match.Version);
    }

    /// <summary>Every commit still in the log, oldest first. Timestamps never go backwards: a commit whose
    /// clock was behind its predecessor's is shown at its predecessor's time, as the protocol asks.</summary>
    public IReadOnlyList<DeltaCommit> History()
    {
        var result = new List<DeltaCommit>();
        DateTimeOffset previous = DateTimeOffset.MinValue;
        foreach (var file in _log.List().Where(f => f.Kind == LogFileKind.Commit))
        {
            var commit = DeltaCommit.From(file.Version, File.GetLastWriteTimeUtc(file.Path), _log.ReadCommit(file.Version));
            if (commit.Timestamp < previous)
            {
                commit = commit with { Timestamp = previous };
            }

            previous = commit.Timestamp;
            result.Add(commit);
        }

        return result;
    }

    private static void CheckReadable(ProtocolAction protocol)
    {
        if (protocol.MinReaderVersion > SupportedReaderVersion)
        {
            throw new LakeException(LakeErrorKind.Unsupported,
                $"the table needs Delta reader version {protocol.MinReaderVersion}" +
                (protocol.ReaderFeatures is { Count: > 0 } features ? $" (features: {string.Join(", ", features)})" : string.Empty) +
                $"; GovShare Lake reads version {SupportedReaderVersion}.");
        }
    }

    /// <summary>The latest complete checkpoint at or before the target. The log is always listed (on a local
    /// file system listing is cheap, and it is the only way to find the commits after a checkpoint), so
    /// <c>_last_checkpoint</c> (written for other readers) is never trusted over what is there: a missing,
    /// stale or corrupt one changes nothing.</summary>
    private static List<LogFile>? ChooseCheckpoint(List<LogFile> files, long target) =>
        files.Where(f => f.Kind == LogFileKind.Checkpoint && f.Version <= target)
            .GroupBy(f => f.Version)
            .Where(group => group.Select(f => f.Part).Distinct().Count() == group.First().Parts)
            .OrderByDescending(group => group.Key)
            .FirstOrDefault()?
            .OrderBy(f => f.Part)
            .ToList();

    /// <summary>The state at the latest readable checkpoint at or before the target, and the first version to
    /// replay after it. A damaged checkpoint is skipped for an earlier one, or for a replay from version 0
    /// when the JSON commits are all still there.</summary>
    private (ReplayState State, long Start) StartingState(List<LogFile> files, long target)
    {
        var limit = target;
        while (ChooseCheckpoint(files, limit) is { } checkpoint)
        {
            var state = new ReplayState();
            try
            {
                ReadCheckpoint(checkpoint, state);
                return (state, checkpoint[0].Version + 1);
            }
            catch (Exception ex) when (ex is LakeException or DuckDB.NET.Data.DuckDBException or IOException)
            {
                limit = checkpoint[0].Version - 1; // try an older checkpoint, or none
            }
        }

        return (new ReplayState(), 0);
    }

    private static void ReadCheckpoint(List<LogFile> parts, ReplayState state)
    {
        using var connection = LakeDuckDb.OpenShared();
        var paths = "[" + string.Join(", ", parts.Select(p => LakeDuckDb.Literal(p.Path))) + "]";
        var source = $"checkpoint {parts[0].Version}";
        var row = 0;
        foreach (var json in LakeDuckDb.Strings(connection, $"SELECT to_json(t) FROM read_parquet({paths}) t"))
        {
            row++;
            state.Apply(DeltaJson.ParseLine(json!, source, row));
        }
    }

    /// <summary>The state built by replaying actions in order.</summary>
    private sealed class ReplayState
    {
        public ProtocolAction? Protocol { get; private set; }

        public MetadataAction? Metadata { get; private set; }

        public Dictionary<string, AddAction> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Transactions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, RemoveAction> Tombstones { get; } = new(StringComparer.Ordinal);

        public void Apply(DeltaAction action)
        {
            if (action.Add is { } add)
            {
                var path = DeltaPaths.Decode(add.Path);
                Files[path] = add;
                Tombstones.Remove(path);
            }
            else if (action.Remove is { } remove)
            {
                var path = DeltaPaths.Decode(remove.Path);
                Files.Remove(path);
                Tombstones[path] = remove;
            }
            else if (action.Txn is { } txn)
            {
                Transactions[txn.AppId] = txn.Version;
            }
            else if (action.Metadata is { } metadata)
            {
                Metadata = metadata;
            }
            else if (action.Protocol is { } protocol)
            {
                Protocol = protocol;
            }
        }
    }
}
