using System.Globalization;
using System.Text;
using GovShare.Lake.Audit;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Jobs.Quality;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;
using Hangfire;
using Hangfire.InMemory;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests.Quality;

/// <summary>The <c>anomalies</c> job end to end: real deliveries of the marriage register (incremental) through the ingestion,
/// the job over the platform store, its notifications and audit.</summary>
public sealed class FeedAnomalyJobTests : IDisposable
{
    private const string Dataset = "mca.marriage";
    private const string Header = "公民身份号码,姓名,性别,出生日期,婚姻状况,操作类型,登记时间";

    private readonly JobsLake _lake = new();
    private readonly DeliveryIngestor _ingestor;
    private readonly InMemoryStorage _storage = new();
    private readonly HttpClient _http = new();
    private readonly AuditLog _audit;
    private int _person;

    public FeedAnomalyJobTests()
    {
        _ingestor = new DeliveryIngestor(_lake.Layout, _lake.Store, IdentifierValidator.Default, _lake.Clock);
        _audit = new AuditLog(_lake.Root, _lake.Clock);
        var entry = CatalogueYaml.LoadFile(Path.Combine(SampleCatalogue(), "mca.marriage.yaml"));
        // The sample's files are GBK; these are written as UTF-8.
        _lake.Store.SaveCatalogueEntry(entry with { Source = entry.Source with { Encoding = "auto" } }, At("2031-09-01 09:00"));
        _lake.Store.SaveAgency(new Agency("mca", new LocalizedName("民政局", "Civil affairs"), AgencyKind.Provider, At("2031-09-01 09:00")));
        _lake.Store.SaveAgency(new Agency("operator", new LocalizedName("大数据局", "Big data bureau"), AgencyKind.Operator, At("2031-09-01 09:00")));
    }

    private PlatformJobs Jobs() => new(_lake.Layout, _lake.Store, _ingestor, _lake.Clock, new FreshnessOptions(), new WebhookOptions(), _http,
        new BackgroundJobClient(_storage), _audit);

    [Fact]
    public async Task Job_Should_FlagTheSixthDeliveryWithFarFewerRows_AndTellTheProviderAndTheOperatorExactlyOnce_AcrossTwoRuns()
    {
        // Five daily deliveries of about 40 registrations (median 40), judged as they come: too little history to judge.
        foreach (var (day, rows) in new[] { (22, 38), (23, 42), (24, 40), (25, 44), (26, 36) })
        {
            Deliver($"2031-09-{day} 10:00", rows);
            _lake.Clock.Now = At($"2031-09-{day} 10:15");
            Jobs().CheckFeedAnomalies();
        }

        Assert.Empty(_lake.Store.ListFeedAnomalies(new FeedAnomalyFilter()));

        // The sixth brings 3: 92.5 % down, beyond the factor 3 an incremental feed may move.
        var sixth = Deliver("2031-09-27 10:00", 3);
        _lake.Clock.Now = At("2031-09-27 10:15");
        Jobs().CheckFeedAnomalies();
        _lake.Clock.Now = At("2031-09-27 10:30");
        Jobs().CheckFeedAnomalies();

        var anomaly = Assert.Single(_lake.Store.ListFeedAnomalies(new FeedAnomalyFilter(Agency: "mca")));
        Assert.Equal((Dataset, sixth.BatchId, FeedMetric.RowsRead, 3d, 40d, "drop", true),
            (anomaly.EntryId, anomaly.BatchId, anomaly.Metric, anomaly.Value, anomaly.Median, anomaly.Direction, anomaly.Notified));
        Assert.Equal("本次投递 3 行，往常约 40 行（中位数），骤降 92.5%。", anomaly.ReasonZh);
        Assert.Equal(At("2031-09-27 10:15"), anomaly.DetectedAt);

        var told = Assert.Single(_lake.Store.ListNotifications("mca"));
        Assert.Equal((FeedAnomalyCheck.Kind, Dataset), (told.Kind, told.Subject));
        Assert.Contains("骤降 92.5%", told.Message, StringComparison.Ordinal);
        Assert.Contains("a drop of 92.5%", told.Message, StringComparison.Ordinal);
        Assert.Equal(FeedAnomalyCheck.Kind, Assert.Single(_lake.Store.ListNotifications("operator")).Kind);

        var runs = _lake.Store.ListJobRuns("anomalies");
        Assert.Equal(7, runs.Count);
        Assert.All(runs, r => Assert.Equal("succeeded", r.Outcome));
        Assert.Equal(["0 deliveries judged, 0 anomalies found, 0 notified", "2 deliveries judged, 1 anomalies found, 1 notified"],
            runs.Take(2).Select(r => r.Summary));

        await _audit.FlushAsync();
        var flagged = AuditLog.Read(_lake.Root).Select(l => l.Entry?.Event).Where(e => e?.Action == "FlagFeedAnomaly").ToList();
        Assert.Equal([Dataset, "batch:" + sixth.BatchId, "anomaly:" + anomaly.Id], Assert.Single(flagged)!.Resources);
    }

    [Fact]
    public void Job_Should_TellOfAnAnomalyLeftUntold_ByARunThatStoppedBeforeTelling()
    {
        var anomaly = new FeedAnomaly(FeedAnomaly.IdOf("b1", FeedMetric.RowsRead), Dataset, "mca", "b1", FeedMetric.RowsRead, 3, 40, 2, -8, "drop",
            At("2031-09-27 10:00"), At("2031-09-27 10:15"), "本次投递 3 行", "This delivery brought 3 rows");
        _lake.Store.RecordFeedJudgements([], [anomaly]);
        _lake.Clock.Now = At("2031-09-27 10:30");

        Jobs().CheckFeedAnomalies();
        Jobs().CheckFeedAnomalies();

        Assert.Single(_lake.Store.ListNotifications("mca"));
        Assert.True(Assert.Single(_lake.Store.ListFeedAnomalies(new FeedAnomalyFilter())).Notified);
    }

    public void Dispose()
    {
        _audit.Dispose();
        _http.Dispose();
        _lake.Dispose();
    }

    /// <summary>Delivers <paramref name="rows"/> new registrations (people not delivered before) as one file at the given moment.</summary>
    private BatchReport Deliver(string at, int rows)
    {
        _lake.Clock.Now = At(at);
        var text = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var person = ++_person;
            var body = string.Create(CultureInfo.InvariantCulture, $"41010219850101{person * 2 + 1:D3}");
            text.Append(body).Append(CitizenIdNumber.ComputeCheckCharacter(body))
                .Append(CultureInfo.InvariantCulture, $",居民{person},男,19850101,20,I,{ChinaTime.ToChina(At(at).AddHours(-20)):yyyy-MM-dd HH:mm:ss}\n");
        }

        var path = Path.Combine(_lake.Root, "files", $"marriage-{_person}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        var report = _ingestor.Ingest(path, Dataset);
        Assert.True(report.Status == BatchStatus.Committed, $"{at}: {report.Status} {report.Message}");
        return report;
    }

    private static string SampleCatalogue()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "sample-data", "catalogue");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("sample-data/catalogue not found above " + AppContext.BaseDirectory);
    }
}
