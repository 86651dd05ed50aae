using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Audit;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Jobs.Quality;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare quality anomalies</c>: the provider feed anomalies the <c>anomalies</c> job recorded, and (with
/// <c>--check</c>) the job's judgement run by hand.</summary>
internal static class QualityAnomaliesCommand
{
    public static Command Create(CliConsole console)
    {
        var since = new Option<string?>("--since") { Description = "Only anomalies detected on or after this day (yyyy-MM-dd, China time) or instant.", HelpName = "DATE" };
        var agency = new Option<string?>("--agency") { Description = "Only this providing agency's.", HelpName = "CODE" };
        var entry = new Option<string?>("--entry") { Description = "Only this catalogue entry's.", HelpName = "ID" };
        var check = new Option<bool>("--check")
        {
            Description = "First judge the committed deliveries not judged yet and tell the providers and the operator of new anomalies, as the server's job does.",
        };
        var lake = PlatformContext.LakeOption();
        var command = new Command("anomalies",
            "Deliveries far outside their entry's own history: volume (rows read or accepted), quarantine rate, mismatch rate, each against the median " +
            "and median absolute deviation of the entry's earlier deliveries of the same mode. Newest first. Exit 0.")
        {
            since, agency, entry, check, lake,
        };
        command.SetAction((parseResult, _) =>
        {
            DateTimeOffset? from = null;
            if (parseResult.GetValue(since) is { } text)
            {
                if (!ChinaTime.TryParseInstant(text, out var parsed))
                {
                    console.Error.WriteLine($"govshare quality anomalies: --since '{text}' is not a date (yyyy-MM-dd) or an ISO 8601 instant.");
                    return Task.FromResult(ExitCodes.Usage);
                }

                from = parsed;
            }

            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            if (parseResult.GetValue(check))
            {
                var clock = TimeProvider.System;
                using var audit = new AuditLog(context.Layout.Root, clock);
                var run = new FeedAnomalyCheck(context.Store, new Notifier(context.Store, clock), clock, audit).Run();
                audit.FlushAsync().GetAwaiter().GetResult();
                console.Error.WriteLine(run.ToString());
            }

            var anomalies = context.Store.ListFeedAnomalies(new FeedAnomalyFilter(parseResult.GetValue(agency), parseResult.GetValue(entry), from, Limit: int.MaxValue));
            console.Out.WriteLine($"{"detected (China time)",-21} {"agency",-10} {"entry",-26} {"metric",-16} {"value",12} {"median",12} {"z",8}  reason");
            foreach (var anomaly in anomalies)
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{ChinaTime.ToChina(anomaly.DetectedAt):yyyy-MM-dd HH:mm}     {anomaly.Agency,-10} {anomaly.EntryId,-26} {anomaly.Metric,-16} {Figure(anomaly.Value),12} " +
                    $"{Figure(anomaly.Median),12} {anomaly.Score,8:F1}  {anomaly.ReasonZh} / {anomaly.ReasonEn}"));
            }

            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{anomalies.Count} anomalies."));
            AdminAudit.Record(context.Layout.Root, "quality-anomalies", ["quality.anomalies"], "allowed", ExitCodes.Success);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    // Rows as whole numbers, rates with four decimals.
    private static string Figure(double value) =>
        value == Math.Floor(value) && Math.Abs(value) >= 1 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.####", CultureInfo.InvariantCulture);
}
