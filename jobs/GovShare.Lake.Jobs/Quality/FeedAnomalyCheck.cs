using System.Globalization;
using GovShare.Lake.Access;
using GovShare.Lake.Audit;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>What one run of the feed-anomaly check did.</summary>
/// <param name="Judged">Deliveries with a part judged in this run.</param>
/// <param name="Found">Anomalies recorded in this run.</param>
/// <param name="Notified">Anomalies told about in this run (this run's, and any an interrupted run left untold).</param>
/// <param name="Notifications">The notifications stored.</param>
public sealed record FeedAnomalyRun(int Judged, IReadOnlyList<FeedAnomaly> Found, int Notified, IReadOnlyList<Notification> Notifications)
{
    /// <summary>The job run's summary.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Judged} deliveries judged, {Found.Count} anomalies found, {Notified} notified");
}

/// <summary>The <c>anomalies</c> job (issue 8): every committed delivery not judged yet is compared with its entry's own history
/// (<see cref="FeedAnomalies"/>); each anomaly is recorded once, and its provider and the operator are told once, audited.
/// Safe to run twice: judged parts and anomalies are recorded per batch, and an anomaly is marked notified in the same
/// transaction that stores its notifications.</summary>
public sealed class FeedAnomalyCheck(IPlatformStore store, Notifier notifier, TimeProvider clock, AuditLog? audit = null, FeedAnomalyOptions? options = null)
{
    /// <summary>Notification kind: a delivery far outside its entry's history (to the provider and the operator).</summary>
    public const string Kind = "feed_anomaly";

    /// <summary>Judges what is due, records it, and tells whom it concerns.</summary>
    public FeedAnomalyRun Run()
    {
        var now = clock.GetUtcNow();
        var providers = store.ListFreshnessSubjects().ToDictionary(s => s.EntryId, s => s.Provider, StringComparer.Ordinal);
        var judgements = new List<FeedJudgement>();
        var anomalies = new List<FeedAnomaly>();
        foreach (var entry in store.FeedDeliveries(now).GroupBy(d => d.DatasetId, StringComparer.Ordinal))
        {
            // An entry no longer in the catalogue has no provider to tell: its deliveries wait.
            if (!providers.TryGetValue(entry.Key, out var provider))
            {
                continue;
            }

            foreach (var verdict in FeedAnomalies.JudgeEntry(entry.ToList(), provider, now, options))
            {
                judgements.Add(verdict.Judgement);
                anomalies.AddRange(verdict.Anomalies);
            }
        }

        var found = judgements.Count == 0 ? [] : store.RecordFeedJudgements(judgements, anomalies);
        var (notified, notifications) = NotifyUntold();
        return new FeedAnomalyRun(judgements.Count, found, notified, notifications);
    }

    // Every anomaly not told yet, oldest first: this run's, and those a run that stopped between recording and telling left.
    private (int Notified, List<Notification> Notifications) NotifyUntold()
    {
        var untold = store.ListFeedAnomalies(new FeedAnomalyFilter(Notified: false, Limit: int.MaxValue)).Reverse().ToList();
        var notifications = new List<Notification>();
        if (untold.Count == 0)
        {
            return (0, notifications);
        }

        var operators = store.ListAgencies().Where(a => a.Kind == AgencyKind.Operator).Select(a => a.Code).ToList();
        if (operators.Count == 0)
        {
            operators.Add(AccessWorkflow.Operator);
        }

        var notified = 0;
        foreach (var anomaly in untold)
        {
            var message = $"{anomaly.EntryId}：{anomaly.ReasonZh} / {anomaly.EntryId}: {anomaly.ReasonEn} (batch {anomaly.BatchId}, {anomaly.Metric}, robust z {anomaly.Score.ToString("F1", CultureInfo.InvariantCulture)})";
            var told = operators.Prepend(anomaly.Agency).Distinct(StringComparer.Ordinal)
                .Select(agency => notifier.Create(agency, Kind, anomaly.EntryId, message)).ToList();
            if (!store.MarkFeedAnomalyNotified(anomaly.Id, told))
            {
                continue;
            }

            notified++;
            notifications.AddRange(told);
            audit?.Append(new AuditEvent(AccessWorkflow.Platform, null, null, "FlagFeedAnomaly", [anomaly.EntryId, "batch:" + anomaly.BatchId, "anomaly:" + anomaly.Id],
                null, [], null, "allowed", 200));
        }

        return (notified, notifications);
    }
}
