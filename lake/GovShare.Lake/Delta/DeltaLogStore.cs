using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GovShare.Lake.Delta;

/// <summary>A file of the <c>_delta_log</c> folder.</summary>
internal sealed record LogFile(long Version, LogFileKind Kind, string Path, int Part = 1, int Parts = 1);

internal enum LogFileKind
{
    Commit,
    Checkpoint,
}

/// <summary>The <c>_delta_log</c> folder on a local file system: listing, reading commits, and writing them
/// with put-if-absent so that two writers can never both win a version.</summary>
internal sealed partial class DeltaLogStore(string tablePath)
{
    public const string LogFolderName = "_delta_log";

    public string TablePath { get; } = tablePath;

    public string LogPath { get; } = System.IO.Path.Combine(tablePath, LogFolderName);

    public string LastCheckpointPath => System.IO.Path.Combine(LogPath, "_last_checkpoint");

    public static string CommitFileName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    public string CommitPath(long version) => System.IO.Path.Combine(LogPath, CommitFileName(version));

    public string CheckpointPath(long version) =>
        System.IO.Path.Combine(LogPath, version.ToString("D20", CultureInfo.InvariantCulture) + ".checkpoint.parquet");

    public bool Exists => Directory.Exists(LogPath);

    /// <summary>Every commit and checkpoint file, ordered by version (checkpoints after the commit of the same version).</summary>
    public List<LogFile> List()
    {
        if (!Exists)
        {
            return [];
        }

        var files = new List<LogFile>();
        foreach (var path in Directory.EnumerateFiles(LogPath))
        {
            var name = System.IO.Path.GetFileName(path);
            var match = LogFileName().Match(name);
            if (!match.Success)
            {
                continue;
            }

            var version = long.Parse(match.Groups["version"].ValueSpan, CultureInfo.InvariantCulture);
            if (match.Groups["json"].Success)
            {
                files.Add(new LogFile(version, LogFileKind.Commit, path));
            }
            else if (match.Groups["part"].Success)
            {
                files.Add(new LogFile(version, LogFileKind.Checkpoint, path,
                    int.Parse(match.Groups["part"].ValueSpan, CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["parts"].ValueSpan, CultureInfo.InvariantCulture)));
            }
            else
            {
                files.Add(new LogFile(version, LogFileKind.Checkpoint, path));
            }
        }

        files.Sort((a, b) => a.Version != b.Version ? a.Version.CompareTo(b.Version) : a.Kind.CompareTo(b.Kind));
        return files;
    }

    public IEnumerable<DeltaAction> ReadCommit(long version)
    {
        var path = CommitPath(version);
        var source = $"{LogFolderName}/{CommitFileName(version)}";
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, Encoding.UTF8);
        }
        catch (FileNotFoundException ex)
        {
            throw new LakeException(LakeErrorKind.Corrupt, $"version {version} is missing from the log ({source}).", ex);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (!string.IsNullOrWhiteSpace(lines[i]))
            {
                yield return DeltaJson.ParseLine(lines[i], source, i + 1);
            }
        }
    }

    /// <summary>Writes a commit if no commit of that version exists yet. The content goes to a temporary
    /// file first (flushed to disk) and is then linked into place, so a reader never sees half a commit
    /// and a crash leaves at most an orphaned temporary file.</summary>
    /// <returns>False when another writer already committed this version.</returns>
    public bool TryWriteCommit(long version, IEnumerable<DeltaAction> actions)
    {
        Directory.CreateDirectory(LogPath);
        var temporary = System.IO.Path.Combine(LogPath, $".{CommitFileName(version)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                foreach (var action in actions)
                {
                    writer.Write(DeltaJson.ToLine(action));
                    writer.Write('\n');
                }

                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            return Publish(temporary, CommitPath(version));
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // Put-if-absent: the commit file appears whole, and only once. On Unix this is link(2), which fails with EEXIST when
    // the version exists; File.Move without overwrite is not enough there, because .NET falls back to checking for
    // the file and renaming over it when a link cannot be made, and two writers racing through that fallback both
    // "win" (the later rename silently replaces the earlier commit).
    private static bool Publish(string temporary, string destination)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Link(temporary, destination) == 0)
            {
                return true;
            }

            var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (error == EExist)
            {
                return false;
            }

            throw new IOException($"the commit {System.IO.Path.GetFileName(destination)} could not be linked into place (errno {error}).");
        }

        try
        {
            // Windows' MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically when the target exists.
            File.Move(temporary, destination, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            return false;
        }
    }

    private const int EExist = 17;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "link", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);

    [GeneratedRegex(@"^(?<version>\d{20})\.(?:(?<json>json)|checkpoint(?:\.(?<part>\d{10})\.(?<parts>\d{10}))?\.parquet)$")]
    private static partial Regex LogFileName();
}
