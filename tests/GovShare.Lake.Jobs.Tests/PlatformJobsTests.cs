using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Notifications;
using Hangfire;
using Hangfire.InMemory;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>The jobs as Hangfire runs them: each run recorded in the platform store, safe to run twice, and a real
/// Hangfire server with in-memory storage invoking them by expression.</summary>
public sealed class PlatformJobsTests : IDisposable
{
    private readonly JobsLake _lake = new();
    private readonly InMemoryStorage _storage = new();
    private readonly HttpClient _http = new();

    private PlatformJobs Jobs() => new(_lake.Layout, _lake.Store, new DeliveryIngestor(_lake.Layout, _lake.Store, IdentifierValidator.Default, _lake.Clock), _lake.Clock,
        new FreshnessOptions(), new WebhookOptions(), _http, new BackgroundJobClient(_storage));

    [Fact]
    public void CheckFreshness_Should_RecordItsRun_EnqueueTheWebhooks_AndHaveNoFurtherEffect_WhenRunTwice()
    {
        _lake.Entry("amr.daily", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        _lake.Deliver("amr.daily", Monday.AddDays(-6)); // due Friday 19 September 10:00: overdue on Monday
        _lake.Store.SetWebhook("amr", new Uri("http://127.0.0.1:9/unused"), Monday);

        Jobs().CheckFreshness();
        Jobs().CheckFreshness();

        var runs = _lake.Store.ListJobRuns("freshness");
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal("succeeded", r.Outcome));
        Assert.Contains("1 overdue", runs[^1].Summary, StringComparison.Ordinal);
        Assert.Single(_lake.Store.ListNotifications("amr"));
        Assert.Equal(1, _storage.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public void ProcessInboxes_Should_TellTheProvider_WhenADroppedFileFails()
    {
        var entry = _lake.Entry("amr.entities", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        var folder = new DropFolders(_lake.Layout, _lake.Store, new DeliveryIngestor(_lake.Layout, _lake.Store, IdentifierValidator.Default, _lake.Clock), _lake.Clock)
            .InboxOf(entry.Agency.Code, entry.Id);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "broken.csv");
        File.WriteAllText(file, "not,the,columns\n1,2,3\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5));

        Jobs().ProcessInboxes();

        var told = Assert.Single(_lake.Store.ListNotifications("amr"));
        Assert.Equal(("delivery_failed", "broken.csv"), (told.Kind, told.Subject));
        Assert.Contains("failed", told.Message, StringComparison.Ordinal);
        Assert.Equal("1 files, 1 failed", _lake.Store.ListJobRuns("inbox").Single().Summary);
    }

    [Fact]
    public void Recorder_Should_RecordAFailure_AndThrowItAgain()
    {
        var recorder = new JobRecorder(_lake.Store, _lake.Clock);

        Assert.Throws<InvalidOperationException>(() => recorder.Run("broken", () => throw new InvalidOperationException("the store was locked")));

        var run = _lake.Store.ListJobRuns("broken").Single();
        Assert.Equal("failed", run.Outcome);
        Assert.Equal("InvalidOperationException: the store was locked", run.Error);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task HangfireServer_Should_RunAnEnqueuedJob_AndTheRunBeRecorded()
    {
        _lake.Entry("amr.daily", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        var jobs = Jobs();
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = 1, Activator = new Activator(jobs) }, _storage);

        new BackgroundJobClient(_storage).Enqueue<PlatformJobs>(j => j.CheckFreshness());

        for (var i = 0; i < 100 && _lake.Store.ListJobRuns("freshness").All(r => r.Outcome != "succeeded"); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(_lake.Store.ListJobRuns("freshness"), r => r.Outcome == "succeeded");
    }

    private sealed class Activator(PlatformJobs jobs) : JobActivator
    {
        public override object ActivateJob(Type jobType) => jobType == typeof(PlatformJobs) ? jobs : base.ActivateJob(jobType);
    }

    public void Dispose()
    {
        _http.Dispose();
        _storage.Dispose();
        _lake.Dispose();
    }
}
