using GovShare.Lake.Audit;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Jobs.Quality;
using GovShare.Lake.Quality;
using Hangfire;
using Hangfire.InMemory;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests.Quality;

/// <summary>The deadline watcher on mismatch reports: a report filed on Tuesday 30 September 2031 is due at the end of
/// Monday 13 October (the National Day week and Friday 10 October off in the test calendar: Wed 8, Thu 9, Mon 13); its
/// provider is reminded on Thursday 9 October, and it is escalated from Tuesday 14 October — each once.</summary>
public sealed class MismatchDeadlineTests : IDisposable
{
    private static readonly DateTimeOffset Filed = At("2031-09-30 10:00");
    private static readonly DateTimeOffset Due = At("2031-10-14 00:00");

    private readonly JobsLake _lake = new();
    private readonly InMemoryStorage _storage = new();
    private readonly HttpClient _http = new();
    private readonly AuditLog _audit;
    private readonly string _key = Uscc("410100", "12345678");

    public MismatchDeadlineTests()
    {
        _audit = new AuditLog(_lake.Root, _lake.Clock);
        _lake.Entry("amr.entities", UpdateDeadline.Within3Days, Monday.AddDays(-10));
    }

    [Fact]
    public void WatchDeadlines_Should_RemindTheProviderOnce_OnTheWorkingDayBeforeTheDueDay()
    {
        var report = File();

        Run(At("2031-10-08 18:00"));
        Assert.Empty(_lake.Store.ListNotifications("amr"));
        Run(At("2031-10-09 09:00"));
        Run(At("2031-10-09 16:00"));
        Run(At("2031-10-10 09:00"));

        var told = Assert.Single(_lake.Store.ListNotifications("amr"));
        Assert.Equal((MismatchDeadlines.DueSoonKind, report.Id), (told.Kind, told.Subject));
        Assert.Contains("2031-10-13", told.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_key, told.Message, StringComparison.Ordinal);
        Assert.Equal(At("2031-10-09 09:00"), _lake.Store.FindMismatchReport(report.Id)!.RemindedAt);
        Assert.Empty(_lake.Store.ListNotifications("operator"));
    }

    [Fact]
    public async Task WatchDeadlines_Should_EscalateAnOverdueReportOnce_TellProviderAndOperator_AndAuditIt()
    {
        var report = File();
        _lake.Store.SetWebhook("operator", new Uri("http://127.0.0.1:9/unused"), Monday);

        Run(Due.AddMinutes(-1));
        Assert.False(_lake.Store.FindMismatchReport(report.Id)!.Escalated);
        Run(Due);
        Run(Due.AddHours(1));

        var escalated = _lake.Store.FindMismatchReport(report.Id)!;
        Assert.Equal((true, Due, MismatchStatus.InVerification), (escalated.Escalated, escalated.EscalatedAt, escalated.Status));
        Assert.Single(escalated.History, e => e.Action == "escalated");
        // Newest first: the reminder went out on the run before the due time.
        Assert.Equal([MismatchDeadlines.OverdueKind, MismatchDeadlines.DueSoonKind], _lake.Store.ListNotifications("amr").Select(n => n.Kind));
        var toOperator = Assert.Single(_lake.Store.ListNotifications("operator"));
        Assert.Equal((MismatchDeadlines.EscalatedKind, "pending"), (toOperator.Kind, toOperator.WebhookStatus));
        Assert.Equal(1, _storage.GetMonitoringApi().EnqueuedCount("default"));

        var runs = _lake.Store.ListJobRuns("deadlines");
        Assert.All(runs, r => Assert.Equal("succeeded", r.Outcome));
        Assert.Equal(["0 requests escalated or expired; 0 mismatch reports due soon, 0 escalated", "0 requests escalated or expired; 0 mismatch reports due soon, 1 escalated",
            "0 requests escalated or expired; 1 mismatch reports due soon, 0 escalated"], runs.Select(r => r.Summary));

        await _audit.FlushAsync();
        var audited = AuditLog.Read(_lake.Root).Select(e => e.Entry).OfType<AuditEntry>().Select(e => e.Event).Where(e => e.Action == "EscalateMismatchReport").ToList();
        var entry = Assert.Single(audited);
        Assert.Equal(("platform", "allowed"), (entry.Agency, entry.Outcome));
        Assert.Equal(["amr.entities", "mismatch:" + report.Id], entry.Resources);
        Assert.Equal([AuditLog.SubjectHash(_lake.Root, _key)], entry.Subjects);
    }

    [Fact]
    public void WatchDeadlines_Should_LeaveAnsweredReportsAlone()
    {
        var report = File();
        var amr = new GovShare.Lake.Platform.Agency("amr", new LocalizedName("市场监管局", "Market regulation"), GovShare.Lake.Platform.AgencyKind.Provider, Monday);
        new MismatchWorkflow(_lake.Store, () => _lake.Calendar, _lake.Clock).Resolve(report.Id, amr, new MismatchResolution(MismatchStatus.Rejected, "登记名称无误"));

        Run(At("2031-10-09 09:00"));
        Run(Due);

        Assert.Empty(_lake.Store.ListNotifications());
        Assert.False(_lake.Store.FindMismatchReport(report.Id)!.Escalated);
    }

    public void Dispose()
    {
        _audit.Dispose();
        _http.Dispose();
        _lake.Dispose();
    }

    private MismatchReport File()
    {
        _lake.Clock.Now = Filed;
        var report = new MismatchWorkflow(_lake.Store, () => _lake.Calendar, _lake.Clock)
            .Report("housing-fund", new MismatchClaim("amr.entities", _key, "name", "郑州市某某商贸有限公司", "郑州某某商贸有限公司")).Report;
        Assert.Equal(Due, report.Due);
        return report;
    }

    private void Run(DateTimeOffset at)
    {
        _lake.Clock.Now = at;
        new PlatformJobs(_lake.Layout, _lake.Store, new DeliveryIngestor(_lake.Layout, _lake.Store, IdentifierValidator.Default, _lake.Clock), _lake.Clock,
            new FreshnessOptions(), new WebhookOptions(), _http, new BackgroundJobClient(_storage), _audit).WatchDeadlines();
    }

    private static string Uscc(string division, string orgBody)
    {
        var body = $"91{division}{orgBody}{OrganisationCode.ComputeCheckCharacter(orgBody)}";
        return body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);
    }
}
