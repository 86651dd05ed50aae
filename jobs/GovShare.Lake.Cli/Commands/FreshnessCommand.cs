using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Calendar;
using GovShare.Lake.Freshness;
using GovShare.Lake.Jobs;
using GovShare.Lake.Jobs.Freshness;
using GovShare.Lake.Jobs.Notifications;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare freshness check</c>: every dataset against its update deadline (GZ 17), the same check the
/// server's job runs every 15 minutes, so that it can run from cron elsewhere and tests can set the clock.</summary>
internal static class FreshnessCommand
{
    public static Command Create(CliConsole console)
    {
        var freshness = new Command("freshness", "Datasets against their update deadlines (GZ 17): real time, within 3 days, quarterly, custom schedules.");
        freshness.Subcommands.Add(Check(console));
        return freshness;
    }

    private static Command Check(CliConsole console)
    {
        var at = new Option<string?>("--at") { Description = "Check as of this instant (ISO 8601; China time without an offset); default now. Only looks, unless --record." };
        var record = new Option<bool>("--record") { Description = "With --at: record the states and notify as a check at that instant would (tests, replays)." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("check",
            "Check every catalogue entry: fresh, due (deadline within the warning window), overdue, delinquent (overdue beyond the grace). Records the states " +
            "(the default options; a server configured otherwise records its own on its next run), " +
            "notifies the provider at overdue and the operator at delinquent (a state that has not changed notifies no one again), prints the table. " +
            "Exit 1 when anything is overdue or delinquent.")
        {
            at,
            record,
            lake,
        };
        command.SetAction((parseResult, _) =>
        {
            var now = DateTimeOffset.UtcNow;
            if (parseResult.GetValue(at) is { } text && !ChinaTime.TryParseInstant(text, out now))
            {
                console.Error.WriteLine($"govshare freshness check: --at '{text}' is not an ISO 8601 instant or date.");
                return Task.FromResult(ExitCodes.Usage);
            }

            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var clock = new FixedClock(now);
            var recording = parseResult.GetValue(at) is null || parseResult.GetValue(record);
            var report = new FreshnessCheck(context.Store, () => WorkingCalendar.Load(context.Layout.Root), new FreshnessOptions(), new Notifier(context.Store, clock)).Run(now, recording);
            console.Out.WriteLine($"{"entry",-26} {"provider",-10} {"class",-14} {"state",-11} {"deadline (China time)",-22} last delivery");
            foreach (var status in report.Statuses.OrderByDescending(s => s.State).ThenBy(s => s.EntryId, StringComparer.Ordinal))
            {
                console.Out.WriteLine($"{status.EntryId,-26} {status.Provider,-10} {status.DeadlineClass,-14} {PlatformJobs.FreshnessName(status.State),-11} " +
                    $"{Time(status.Deadline),-22} {(status.LastDelivery is { } last ? Time(last) : "never")}");
            }

            console.Out.WriteLine($"{report.Statuses.Count} entries; {report.Changed.Count} changed since the last check; {report.Notifications.Count} notifications" +
                (recording ? "." : " (not recorded: --at without --record only looks)."));
            return Task.FromResult(report.AnyOverdue ? ExitCodes.Failure : ExitCodes.Success);
        });
        return command;
    }

    private static string Time(DateTimeOffset instant) =>
        instant == DateTimeOffset.MaxValue ? "-" : ChinaTime.ToChina(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
