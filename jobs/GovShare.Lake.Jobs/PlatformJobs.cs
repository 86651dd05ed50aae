using System.Globalization;
using GovShare.Lake.Access;
using GovShare.Lake.Audit;
using GovShare.Lake.Calendar;
using GovShare.Lake.Delta;
using GovShare.Lake.Freshness;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Freshness;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Platform;
using Hangfire;

namespace GovShare.Lake.Jobs;

/// <summary>The platform's scheduled jobs, as Hangfire runs them: each takes no payload (it reads what it needs from the
/// lake when it runs), is safe to run twice, and records its run in the platform store. A run that finds the previous
/// one still going gives up at once (lock timeout 0) instead of holding a worker while it waits.</summary>
public sealed class PlatformJobs(
    LakeLayout layout, IPlatformStore store, DeliveryIngestor ingestor, TimeProvider clock, FreshnessOptions freshness, WebhookOptions webhooks,
    HttpClient http, IBackgroundJobClient background, AuditLog? audit = null, JobsOptions? jobs = null)
{
    private JobRecorder Recorder => new(store, clock);

    private Notifier Notifier => new(store, clock);

    /// <summary>Every entry against its update deadline; notifications on changes; webhooks sent in a job of their own.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void CheckFreshness() => Recorder.Run("freshness", () =>
    {
        var report = new FreshnessCheck(store, () => WorkingCalendar.Load(layout.Root), freshness, Notifier).Run(clock.GetUtcNow());
        if (report.Notifications.Any(n => n.WebhookStatus == "pending"))
        {
            background.Enqueue<PlatformJobs>(jobs => jobs.DeliverWebhooks());
        }

        return Summary(report);
    });

    /// <summary>Pending webhooks whose attempt is due.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void DeliverWebhooks() => Recorder.Run("webhooks", () =>
    {
        var delivered = new WebhookDelivery(store, http, webhooks, clock).DeliverDueAsync().GetAwaiter().GetResult();
        return string.Create(CultureInfo.InvariantCulture, $"{delivered} delivered");
    });

    /// <summary>Every agency's drop folder; a file that fails goes to <c>failed/</c> with its report and the provider is told.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void ProcessInboxes() => Recorder.Run("inbox", () =>
    {
        var results = new DropFolders(layout, store, ingestor, clock).ProcessAll();
        foreach (var failed in results.Where(r => r.Failed))
        {
            Notifier.Notify(failed.Agency, "delivery_failed", failed.File,
                $"投递文件 {failed.File}（{failed.DatasetId}）未入库，已移至 {failed.MovedTo}。/ The file {failed.File} for {failed.DatasetId} was not ingested and was moved to " +
                $"{failed.MovedTo}: {failed.Problem ?? failed.Report?.Message ?? "see its report"}.");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{results.Count} files, {results.Count(r => r.Failed)} failed");
    });

    /// <summary>Access requests due are escalated to the operator, grants past their end expire; mismatch reports are
    /// reminded to their provider the working day before they are due and escalated when overdue (working days, from the calendar).</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void WatchDeadlines() => Recorder.Run("deadlines", () =>
    {
        var calendar = WorkingCalendar.Load(layout.Root);
        var changed = new AccessWorkflow(store, () => calendar, clock).Sweep();
        foreach (var request in changed)
        {
            audit?.Append(new AuditEvent(AccessWorkflow.Platform, null, null,
                request.Status == AccessRequestStatus.Expired ? "ExpireAccessRequest" : "EscalateAccessRequest",
                request.Resource is null ? [] : [request.Resource], null, [], null, "allowed", 200));
        }

        var mismatches = new Quality.MismatchDeadlines(store, calendar, clock, Notifier, audit, layout.Root).Run();
        if (mismatches.Notifications.Any(n => n.WebhookStatus == "pending"))
        {
            background.Enqueue<PlatformJobs>(jobs => jobs.DeliverWebhooks());
        }

        return string.Create(CultureInfo.InvariantCulture, $"{changed.Count} requests escalated or expired; {mismatches}");
    });

    /// <summary>Nightly: the cross-provider consistency check over the keys changed since the last one; material conflicts
    /// are raised for the reviewers, who are told how many are new.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void CheckConsistency() => Recorder.Run("consistency", () =>
    {
        var run = new Quality.ConsistencyJob(layout, store, clock).Check(TextWriter.Null);
        if (run.Raised > 0)
        {
            foreach (var reviewer in store.ListAgencies().Where(a => a.Kind == AgencyKind.Operator))
            {
                Notifier.Notify(reviewer.Code, "mismatches_flagged", "consistency",
                    string.Create(CultureInfo.InvariantCulture, $"一致性检查发现 {run.Raised} 处实质冲突，待审核。/ The consistency check raised {run.Raised} material conflicts for review."));
            }
        }

        audit?.Append(new AuditEvent(AccessWorkflow.Platform, null, null, "CheckConsistency", ["quality.differences"], null, [], null, "allowed", 200));
        return string.Create(CultureInfo.InvariantCulture,
            $"{(run.Incremental ? "incremental" : "full")}: {run.KeysCompared} keys, {run.ByClass.Values.Sum()} differences, {run.Raised} raised, model {run.ModelVersion}");
    });

    /// <summary>Provider feed anomalies: each committed delivery not judged yet against its entry's own history; the provider and
    /// the operator are told of each anomaly once.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void CheckFeedAnomalies() => Recorder.Run("anomalies", () =>
    {
        var run = new Quality.FeedAnomalyCheck(store, Notifier, clock, audit).Run();
        if (run.Notifications.Any(n => n.WebhookStatus == "pending"))
        {
            background.Enqueue<PlatformJobs>(jobs => jobs.DeliverWebhooks());
        }

        return run.ToString();
    });

    /// <summary>Weekly: a new difference classifier trained on the synthetic city and the reviewers' verdicts, put in use
    /// only when it does at least as well on the held-out city.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void RetrainClassifier() => Recorder.Run("retraining", () =>
    {
        var (version, outcome) = new Quality.ConsistencyJob(layout, store, clock).Retrain(TextWriter.Null);
        var f1 = outcome.Model.First(m => m.Class == Consistency.DifferenceClass.MaterialConflict).F1;
        return string.Create(CultureInfo.InvariantCulture, $"model {version}, material-conflict F1 {f1:F3}, in use: {new Consistency.ModelStore(layout).CurrentVersion == version}");
    });

    /// <summary>Nightly: every table compacted and vacuumed (files no version within the retention needs).</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void Maintain() => Recorder.Run("maintenance", () =>
    {
        var tables = store.ListCatalogue().Select(r => layout.ProviderTable(r.Entry.Id)).Append(layout.DivisionsTable).Where(DeltaTable.Exists).ToList();
        var retention = TimeSpan.FromDays((jobs ?? new JobsOptions()).VacuumRetentionDays);
        long removed = 0;
        var failed = new List<string>();
        foreach (var path in tables)
        {
            // One table's conflict (an ingestion committing right now) must not cost the others their night.
            try
            {
                var table = DeltaTable.Open(path);
                table.Optimize();
                removed += table.Vacuum(retention, clock: clock).Files.Count;
            }
            catch (LakeException ex)
            {
                failed.Add($"{Path.GetFileName(path)} ({ex.Kind}: {ex.Message})");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{tables.Count - failed.Count} of {tables.Count} tables optimized, {removed} files vacuumed") +
            (failed.Count == 0 ? "" : "; not maintained: " + string.Join("; ", failed));
    });

    /// <summary>Nightly: the incremental off-site copy to <see cref="JobsOptions.BackupTarget"/>, then its verification
    /// (restored into a scratch folder, every table compared). A failed verification fails the run.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(0)]
    public void BackUp() => Recorder.Run("backup", () =>
    {
        var target = (jobs ?? new JobsOptions()).BackupTarget
            ?? throw new LakeException(LakeErrorKind.InvalidInput, "Jobs:BackupTarget is not set.");
        var manifest = Backup.LakeBackup.Run(layout, store, target, clock);
        var verification = Backup.LakeBackup.Verify(target);
        if (!verification.Ok)
        {
            throw new LakeException(LakeErrorKind.Corrupt, "the backup does not restore to what was backed up: " + string.Join(" ", verification.Problems));
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{manifest.FilesCopied} files ({manifest.BytesCopied:N0} bytes) copied, {manifest.FilesUnchanged} unchanged; {verification.Tables} tables verified");
    });

    private static string Summary(FreshnessReport report) => string.Create(CultureInfo.InvariantCulture,
        $"{report.Statuses.Count} entries: {string.Join(", ", report.Statuses.GroupBy(s => s.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {FreshnessName(g.Key)}"))}; " +
        $"{report.Changed.Count} changed, {report.Notifications.Count} notifications");

    /// <summary>The API spelling of a state.</summary>
    public static string FreshnessName(FreshnessState state) => state.ToString().ToLowerInvariant();
}
