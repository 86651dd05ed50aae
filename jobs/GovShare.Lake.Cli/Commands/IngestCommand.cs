using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Ingestion.Ingest;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare ingest FILE --dataset ID</c>: one delivery into the lake, with a progress bar and the
/// batch report; exit 1 when the delivery was refused or could not be read.</summary>
internal static class IngestCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "The delivered file (CSV, JSON Lines, Parquet or .xlsx, as the catalogue entry says)." };
        var dataset = new Option<string>("--dataset") { Description = "The catalogue entry (dataset id) the file is a delivery of.", HelpName = "ID", Required = true };
        var lake = PlatformContext.LakeOption();
        var command = new Command("ingest",
            "Ingest one delivered file: check every row per the catalogue entry, quarantine failures, commit the batch. " +
            "Prints the batch report. Exit code 0 when committed (or already committed), 1 when refused or unreadable, 2 on usage errors.")
        {
            file, dataset, lake,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var bar = new ProgressBar(console);
            var report = context.Ingestor.Ingest(Path.GetFullPath(parseResult.GetValue(file)!), parseResult.GetValue(dataset)!, bar, cancellationToken);
            bar.Clear();
            console.Out.Write(report.ToText());
            return Task.FromResult(report.IsRejected ? ExitCodes.Failure : ExitCodes.Success);
        });
        return command;
    }

    /// <summary>A one-line progress bar on standard error, drawn only when a person watches it.</summary>
    private sealed class ProgressBar(CliConsole console) : IProgress<IngestProgress>
    {
        private DateTime _last = DateTime.MinValue;
        private bool _drawn;

        public void Report(IngestProgress value)
        {
            if (!console.ErrorIsTerminal || (DateTime.UtcNow - _last).TotalMilliseconds < 200)
            {
                return;
            }

            _last = DateTime.UtcNow;
            var share = value.TotalBytes == 0 ? 1 : Math.Clamp((double)value.BytesRead / value.TotalBytes, 0, 1);
            var filled = (int)(share * 30);
            console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {share,4:P0} {value.Rows,12:N0} rows  {value.Stage,-24}"));
            _drawn = true;
        }

        public void Clear()
        {
            if (_drawn)
            {
                console.Error.Write("\r" + new string(' ', 90) + "\r");
            }
        }
    }
}
