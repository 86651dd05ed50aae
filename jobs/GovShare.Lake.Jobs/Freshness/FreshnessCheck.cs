using GovShare.Lake.Access;
using GovShare.Lake.Calendar;
using GovShare.Lake.Freshness;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Freshness;

/// <summary>What one freshness check found.</summary>
/// <param name="At">The moment checked.</param>
/// <param name="Statuses">Every catalogue entry's state.</param>
/// <param name="Changed">The entries whose state changed since the last check.</param>
/// <param name="Notifications">The notifications made.</param>
public sealed record FreshnessReport(DateTimeOffset At, IReadOnlyList<FreshnessStatus> Statuses, IReadOnlyList<string> Changed, IReadOnlyList<Notification> Notifications)
{
    /// <summary>True when an entry is overdue or delinquent.</summary>
    public bool AnyOverdue => Statuses.Any(s => s.State is FreshnessState.Overdue or FreshnessState.Delinquent);
}

/// <summary>Checks every catalogue entry against its update deadline (GZ 17), records each state, and on a change tells
/// the provider when an entry becomes overdue and the operator when it becomes delinquent. Safe to run twice: a state
/// that has not changed notifies no one again.</summary>
public sealed class FreshnessCheck(IPlatformStore store, Func<WorkingCalendar> calendar, FreshnessOptions options, Notifier notifier)
{
    /// <summary>Checks at <paramref name="now"/>; with <paramref name="record"/> false nothing is written (a look at
    /// another moment must not change the recorded states or tell anyone).</summary>
    public FreshnessReport Run(DateTimeOffset now, bool record = true)
    {
        var catalogue = store.ListFreshnessSubjects();
        var since = now.AddMonths(-4);
        // With what each delivery carried: a 3-day entry with production times is judged by them.
        var deliveries = store.FreshnessDeliveries(since);
        var previous = store.ListFreshness().ToDictionary(r => r.Status.EntryId, StringComparer.Ordinal);
        var days = calendar();
        var statuses = new List<FreshnessStatus>(catalogue.Count);
        var records = new List<FreshnessRecord>(catalogue.Count);
        var changed = new List<string>();
        var notifications = new List<Notification>();
        foreach (var entry in catalogue)
        {
            var status = FreshnessRules.Evaluate(entry, deliveries.GetValueOrDefault(entry.EntryId) ?? [], days, options, now);
            statuses.Add(status);
            var before = previous.GetValueOrDefault(entry.EntryId);
            var isChange = before is null || before.Status.State != status.State;
            records.Add(new FreshnessRecord(status, isChange ? now : before!.ChangedAt, now));
            if (!isChange)
            {
                continue;
            }

            changed.Add(entry.EntryId);
            var deadline = ChinaTime.ToChina(status.Deadline).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            if (status.State == FreshnessState.Overdue || (status.State == FreshnessState.Delinquent && before?.Status.State is not FreshnessState.Overdue))
            {
                notifications.Add(notifier.Create(entry.Provider, "freshness_overdue", entry.EntryId,
                    $"{entry.EntryId}（{entry.Name.Zh}）已超过更新时限 {deadline}，请尽快报送。/ {entry.EntryId} ({entry.Name.En}) missed its update deadline {deadline} (China time): {status.Reason}.", now));
            }

            if (status.State == FreshnessState.Delinquent)
            {
                notifications.Add(notifier.Create(AccessWorkflow.Operator, "freshness_delinquent", entry.EntryId,
                    $"{entry.Provider} 的 {entry.EntryId} 逾期超过宽限期（时限 {deadline}）。/ {entry.EntryId} of {entry.Provider} is overdue beyond the grace period (deadline {deadline}).", now));
            }
        }
        if (record)
        {
            // The notifications first: if the states could not be written after them, the next run repeats a
            // notification; the other way round, a state change whose notification was lost would never be told.
            store.AddNotifications(notifications);
            store.ReplaceFreshness(records);
        }

        return new FreshnessReport(now, statuses, changed, notifications);
    }
}
