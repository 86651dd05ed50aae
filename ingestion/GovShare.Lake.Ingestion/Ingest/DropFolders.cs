using System.Globalization;
using System.Text.Json;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>The outcome for one file found in a drop folder.</summary>
/// <param name="File">The file's name.</param>
/// <param name="Agency">The agency folder it was dropped in.</param>
/// <param name="DatasetId">The dataset folder it was dropped in.</param>
/// <param name="Report">The batch report (null when the folder names no catalogue entry of that agency).</param>
/// <param name="MovedTo">Where the file is now (under <c>archive/</c> or <c>failed/</c>).</param>
/// <param name="Problem">Why the file failed before ingestion began, or null.</param>
public sealed record DropResult(string File, string Agency, string DatasetId, BatchReport? Report, string MovedTo, string? Problem)
{
    /// <summary>True when the file went to <c>failed/</c>.</summary>
    public bool Failed => Problem is not null || Report is null || Report.IsRejected;
}

/// <summary>Processes the drop folders under the lake folder: <c>inbox/&lt;agency&gt;/&lt;dataset&gt;/</c>. Each file
/// is ingested, then moved to <c>archive/&lt;agency&gt;/&lt;dataset&gt;/</c> (committed, or the same file again) or
/// <c>failed/&lt;agency&gt;/&lt;dataset&gt;/</c> (refused, unreadable, wrong folder), with its report beside it
/// (<c>.report.txt</c> for people, <c>.report.json</c> for machines). Hidden files and names ending in
/// <c>.part</c>, <c>.tmp</c> or <c>.uploading</c> are still being written and are left alone; so are files modified
/// within the last <see cref="SettleTime"/>. Safe to run twice: a moved file is no longer in the inbox, and
/// a file processed by a run that died before moving it is committed once (the batch txn).</summary>
public sealed class DropFolders(LakeLayout layout, IPlatformStore store, DeliveryIngestor ingestor, TimeProvider clock)
{
    /// <summary>Files younger than this may still be growing.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The inbox folder of the lake.</summary>
    public string Inbox => Path.Combine(layout.Root, "inbox");

    /// <summary>The inbox folder of one dataset (created on demand).</summary>
    public string InboxOf(string agency, string datasetId) => Path.Combine(Inbox, LakeLayout.SafeName(agency), LakeLayout.SafeName(datasetId));

    /// <summary>Processes every waiting file, oldest first.</summary>
    public IReadOnlyList<DropResult> ProcessAll(CancellationToken cancellationToken = default)
    {
        var results = new List<DropResult>();
        if (!Directory.Exists(Inbox))
        {
            return results;
        }

        var files = Directory.EnumerateDirectories(Inbox)
            .SelectMany(agency => Directory.EnumerateDirectories(agency))
            .SelectMany(dataset => Directory.EnumerateFiles(dataset))
            .Select(f => new FileInfo(f))
            .Where(f => Ready(f))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.FullName, StringComparer.Ordinal)
            .ToList();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                results.Add(Process(file.FullName));
            }
            catch (LakeException ex) when (ex.Kind == LakeErrorKind.Conflict)
            {
                // Another writer got to the table first: the file stays in the inbox for the next run.
                results.Add(new DropResult(file.Name, file.Directory!.Parent!.Name, file.Directory.Name, null, file.FullName, $"left in the inbox: {ex.Message}"));
            }
        }

        return results;
    }

    private bool Ready(FileInfo file) =>
        !file.Name.StartsWith('.')
        && !file.Name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
        && !file.Name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)
        && !file.Name.EndsWith(".uploading", StringComparison.OrdinalIgnoreCase)
        && clock.GetUtcNow() - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) >= SettleTime;

    private static bool IsSafe(string name)
    {
        try
        {
            LakeLayout.SafeName(name);
            return true;
        }
        catch (LakeException)
        {
            return false;
        }
    }

    /// <summary>Processes one file of a drop folder.</summary>
    public DropResult Process(string path)
    {
        var datasetFolder = Path.GetDirectoryName(path)!;
        var datasetId = Path.GetFileName(datasetFolder);
        var agency = Path.GetFileName(Path.GetDirectoryName(datasetFolder)!);
        var name = Path.GetFileName(path);
        if (!IsSafe(agency) || !IsSafe(datasetId))
        {
            // The folder names cannot be dataset ids, so there is no archive or failed folder to mirror them:
            // the file is left where it is and reported on every run until someone moves it.
            return new DropResult(name, agency, datasetId, null, path,
                $"inbox/{agency}/{datasetId}/ is not an agency and dataset folder (letters, digits, '.', '-', '_'); the file was left there");
        }

        var entry = store.FindCatalogueEntry(datasetId)?.Entry;
        string? problem = entry is null
            ? $"there is no catalogue entry '{datasetId}'"
            : entry.Agency.Code != agency
                ? $"the dataset {datasetId} is provided by {entry.Agency.Code}, not {agency}; drop it in inbox/{entry.Agency.Code}/{datasetId}/"
                : null;
        BatchReport? report = null;
        if (problem is null)
        {
            try
            {
                report = ingestor.Ingest(path, datasetId);
            }
            catch (LakeException ex) when (ex.Kind != LakeErrorKind.Conflict)
            {
                problem = ex.Message;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DuckDB.NET.Data.DuckDBException)
            {
                // Whatever went wrong with this file, it must not block the files behind it.
                problem = $"the file could not be ingested: {ex.Message}";
            }
        }

        var failed = problem is not null || report!.IsRejected;
        var target = Path.Combine(layout.Root, failed ? "failed" : "archive", LakeLayout.SafeName(agency), LakeLayout.SafeName(datasetId));
        Directory.CreateDirectory(target);
        var stamp = ChinaTime.Now(clock).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var destination = Path.Combine(target, $"{stamp}-{name}");
        for (var n = 2; File.Exists(destination); n++)
        {
            destination = Path.Combine(target, $"{stamp}-{n}-{name}");
        }

        File.Move(path, destination);
        File.WriteAllText(destination + ".report.txt", report?.ToText() ?? $"file      {name}\nstatus    failed: {problem}\n");
        File.WriteAllText(destination + ".report.json", report is null
            ? JsonSerializer.Serialize(new { file = name, agency, dataset = datasetId, status = "failed", message = problem }, DuckDbPlatformStore.Json)
            : JsonSerializer.Serialize(report, DuckDbPlatformStore.Json));
        return new DropResult(name, agency, datasetId, report, destination, problem);
    }
}
