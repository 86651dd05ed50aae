using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

/// <summary>What <see cref="DeltaTable.Vacuum"/> removed (or, in a dry run, would remove).</summary>
/// <param name="Files">The files, relative to the table folder.</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="OldestRetainedVersion">The oldest version that can still be read in full.</param>
public sealed record VacuumResult(IReadOnlyList<string> Files, long Bytes, long OldestRetainedVersion);

public sealed partial class DeltaTable
{
    /// <summary>Files are compacted towards this size (and about a million rows).</summary>
    public const long TargetFileBytes = 128L * 1024 * 1024;

    /// <summary>The default vacuum retention: seven days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>Compacts small files: in each partition with more than one file under half the target
    /// (64 MB and half a million rows), those files are rewritten together into files of up to 128 MB or
    /// about a million rows. The commit has
    /// <c>dataChange=false</c>: the rows are the same, so readers of the change feed see nothing.</summary>
    public CommitResult Optimize(CommitOptions? options = null)
    {
        options ??= new CommitOptions();
        var snapshot = Snapshot();
        _ = AlreadyApplied(snapshot, options with { Transaction = null });
        var groups = snapshot.Files.Values
            .Where(file => file.Size < TargetFileBytes / 2 && (FileStatistics.Parse(file.Stats)?.NumRecords ?? 0) < DeltaFileWriter.RowsPerFile / 2)
            .GroupBy(file => string.Join("\u0001", snapshot.PartitionColumns.Select(c => file.PartitionValues.GetValueOrDefault(c) ?? "\u0000")))
            .Where(group => group.Count() > 1)
            .Select(group => group.ToList())
            .ToList();
        if (groups.Count == 0)
        {
            return new CommitResult(snapshot.Version, false, 0, 0, 0, 0, 0);
        }

        using var connection = LakeDuckDb.OpenShared();
        var adds = new List<AddAction>();
        var removes = new List<AddAction>();
        foreach (var group in groups)
        {
            adds.AddRange(DeltaFileWriter.Write(connection, Path, snapshot.Schema, snapshot.PartitionColumns, snapshot.ToDuckDbQuery(group), dataChange: false));
            removes.AddRange(group);
        }

        return CommitWithRetry(snapshot, "OPTIMIZE", options, adds, removes, 0, 0, 0, Isolation.Compaction,
            new Dictionary<string, string> { ["targetFileBytes"] = TargetFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            removeDataChange: false);
    }

    /// <summary>Deletes files that no retained version needs: data files no longer referenced by the version
    /// current at <c>now − retention</c> or any later version, leftovers of interrupted writes (staging
    /// folders, temporary commit files), all older than the retention so that writes in flight are safe.</summary>
    public VacuumResult Vacuum(TimeSpan? retention = null, bool dryRun = false, TimeProvider? clock = null)
    {
        var keepFor = retention ?? DefaultRetention;
        if (keepFor < TimeSpan.Zero)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "the retention cannot be negative.");
        }

        var cutoff = (clock ?? TimeProvider.System).GetUtcNow() - keepFor;
        var history = History();
        var oldest = history.Where(c => c.Timestamp <= cutoff).Select(c => (long?)c.Version).Max() ?? history.Min(c => c.Version);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Snapshot(oldest).Files.Keys)
        {
            referenced.Add(NormalizeRelative(file));
        }

        foreach (var commit in history.Where(c => c.Version > oldest))
        {
            foreach (var action in _log.ReadCommit(commit.Version))
            {
                if (action.Add is { } add)
                {
                    referenced.Add(NormalizeRelative(DeltaPaths.Decode(add.Path)));
                }
            }
        }

        var doomed = new List<string>();
        long bytes = 0;
        foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
        {
            var relative = NormalizeRelative(System.IO.Path.GetRelativePath(Path, file));
            var inLog = relative.StartsWith(DeltaLogStore.LogFolderName + "/", StringComparison.Ordinal);
            var leftover = relative.Split('/').Any(part => part.StartsWith(".staging-", StringComparison.Ordinal))
                || (inLog && System.IO.Path.GetFileName(relative).StartsWith('.'));
            var orphanData = !inLog && !leftover && !referenced.Contains(relative) && !IsHidden(relative);
            if ((leftover || orphanData) && File.GetLastWriteTimeUtc(file) <= cutoff.UtcDateTime)
            {
                doomed.Add(relative);
                bytes += new FileInfo(file).Length;
            }
        }

        if (!dryRun)
        {
            foreach (var relative in doomed)
            {
                File.Delete(System.IO.Path.Combine(Path, relative));
            }

            RemoveEmptyFolders(Path);
        }

        return new VacuumResult(doomed, bytes, oldest);
    }

    private static string NormalizeRelative(string path) => path.Replace('\\', '/');

    // Files and folders whose names start with '_' or '.' belong to the table's machinery or to other tools.
    private static bool IsHidden(string relative) =>
        relative.Split('/').Any(part => part.StartsWith('_') || (part.StartsWith('.') && !part.StartsWith(".staging-", StringComparison.Ordinal)));

    private static void RemoveEmptyFolders(string root)
    {
        foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(f => f.Length))
        {
            if (!folder.EndsWith(DeltaLogStore.LogFolderName, StringComparison.Ordinal) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }
}
