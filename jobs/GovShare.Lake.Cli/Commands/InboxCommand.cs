using System.CommandLine;
using GovShare.Lake.Ingestion.Ingest;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare inbox process</c>: ingests every file waiting in the lake's drop folders
/// (<c>inbox/&lt;agency&gt;/&lt;dataset&gt;/</c>), moving each to <c>archive/</c> or <c>failed/</c> with its report.</summary>
internal static class InboxCommand
{
    public static Command Create(CliConsole console)
    {
        var inbox = new Command("inbox", "Work with the drop folders: inbox/<agency>/<dataset>/ under the lake folder.");
        var lake = PlatformContext.LakeOption();
        var process = new Command("process",
            "Ingest every waiting file, moving it to archive/ or failed/ with its report beside it. " +
            "Exit code 0 when every file was committed, 1 when any went to failed/.")
        {
            lake,
        };
        process.SetAction((parseResult, cancellationToken) =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var folders = new DropFolders(context.Layout, context.Store, context.Ingestor, TimeProvider.System);
            var results = folders.ProcessAll(cancellationToken);
            foreach (var result in results)
            {
                var outcome = result.Report is { } report
                    ? $"{BatchReport.StatusName(report.Status)}: read {report.Read:N0}, accepted {report.Accepted:N0}, quarantined {report.Quarantined:N0}" +
                      (report.Message is null ? "" : $" — {report.Message}")
                    : $"failed: {result.Problem}";
                console.Out.WriteLine($"{result.Agency}/{result.DatasetId}/{result.File}: {outcome} → {Path.GetRelativePath(context.Layout.Root, result.MovedTo)}");
            }

            console.Error.WriteLine(results.Count == 0 ? "No files waiting." : $"{results.Count} file(s) processed, {results.Count(r => r.Failed)} failed.");
            return Task.FromResult(results.Any(r => r.Failed) ? ExitCodes.Failure : ExitCodes.Success);
        });
        inbox.Subcommands.Add(process);
        return inbox;
    }
}
