using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Tests.Platform;

/// <summary>What the platform store keeps for the feed-anomaly check: committed deliveries with their mode, mismatch window
/// and reports; which parts were judged; the anomalies, once per batch and metric; notified once.</summary>
public sealed class FeedAnomalyStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2031, 9, 1, 2, 0, 0, ChinaTime.Offset);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-anomalies-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbPlatformStore _store;

    public FeedAnomalyStoreTests()
    {
        _store = DuckDbPlatformStore.Open(_folder);
        _store.SaveCatalogueEntry(Entry("mca.marriage", DeliveryMode.Incremental), Start.AddDays(-1));
    }

    [Fact]
    public void FeedDeliveries_Should_ListCommittedDeliveries_WithTheirModeWindowAndReports_AndLeaveOutRepeatsAndRefusals()
    {
        Batch("b1", Start, 40);
        _store.RecordBatch(Record("b1", Start.AddHours(5), 40) with { Repeat = true }); // the same file again
        Batch("b2", Start.AddHours(6), 50, status: "refused");
        Batch("b3", Start.AddDays(3), 45);
        Report("mm-1", Start.AddHours(12)); // in b1's window
        Report("mm-2", Start.AddDays(2)); // in b1's window too (it runs to b3)
        Report("mm-3", Start.AddDays(2).AddHours(1), MismatchStatus.Withdrawn); // not counted
        Report("mm-4", Start.AddDays(3).AddHours(1)); // b3's, still open

        var deliveries = _store.FeedDeliveries(Start.AddDays(4), "mca.marriage");

        Assert.Equal(["b1", "b3"], deliveries.Select(d => d.BatchId));
        var (first, latest) = (deliveries[0], deliveries[1]);
        Assert.Equal((DeliveryMode.Incremental, 40L, 40L, 0L), (first.Mode, first.Read, first.Accepted, first.Quarantined));
        Assert.Equal((Start, (DateTimeOffset?)Start.AddDays(3), 2L), (first.FinishedAt, first.NextAt, first.Reports));
        Assert.Equal(((DateTimeOffset?)null, 1L, false, false), (latest.NextAt, latest.Reports, latest.FiguresJudged, latest.WindowJudged));
    }

    [Fact]
    public void FeedDeliveries_Should_ListOnlyEntriesWithSomethingToJudge()
    {
        Batch("b1", Start, 40);
        Batch("b2", Start.AddHours(2), 40);

        Assert.Equal(["b1", "b2"], _store.FeedDeliveries(Start.AddHours(3)).Select(d => d.BatchId));

        _store.RecordFeedJudgements([new FeedJudgement("b1", "mca.marriage", true, false), new FeedJudgement("b2", "mca.marriage", true, false)], []);
        // b1's window runs a day at least: nothing to judge until then.
        Assert.Empty(_store.FeedDeliveries(Start.AddHours(3)));
        Assert.Equal(["b1", "b2"], _store.FeedDeliveries(Start.AddDays(1)).Select(d => d.BatchId));

        _store.RecordFeedJudgements([new FeedJudgement("b1", "mca.marriage", false, true)], []);
        Assert.Empty(_store.FeedDeliveries(Start.AddDays(5)));
        var judged = _store.FeedDeliveries(Start.AddDays(5), "mca.marriage");
        Assert.Equal([(true, true), (true, false)], judged.Select(d => (d.FiguresJudged, d.WindowJudged)));
    }

    [Fact]
    public void RecordFeedJudgements_Should_KeepAnAnomalyOnce_AndListItByAgencyEntryAndTime_AndNotifyOnce()
    {
        Batch("b1", Start, 40);
        var anomaly = Anomaly("b1", FeedMetric.RowsRead, Start.AddMinutes(15));

        var first = _store.RecordFeedJudgements([new FeedJudgement("b1", "mca.marriage", true, false)], [anomaly]);
        var again = _store.RecordFeedJudgements([new FeedJudgement("b1", "mca.marriage", true, false)], [anomaly with { DetectedAt = Start.AddHours(1), Score = -9 }]);

        Assert.Equal([anomaly], first);
        Assert.Empty(again);
        var stored = Assert.Single(_store.ListFeedAnomalies(new FeedAnomalyFilter()));
        Assert.Equal(anomaly, stored);
        Assert.Single(_store.ListFeedAnomalies(new FeedAnomalyFilter(Agency: "mca", EntryId: "mca.marriage", Since: Start.AddMinutes(15), Notified: false)));
        Assert.Empty(_store.ListFeedAnomalies(new FeedAnomalyFilter(Agency: "amr")));
        Assert.Empty(_store.ListFeedAnomalies(new FeedAnomalyFilter(EntryId: "amr.entities")));
        Assert.Empty(_store.ListFeedAnomalies(new FeedAnomalyFilter(Since: Start.AddMinutes(16))));

        var told = new Notification("n-1", Start.AddMinutes(16), "mca", "feed_anomaly", "mca.marriage", anomaly.ReasonZh);
        Assert.True(_store.MarkFeedAnomalyNotified(anomaly.Id, [told]));
        Assert.False(_store.MarkFeedAnomalyNotified(anomaly.Id, [told with { NotificationId = "n-2" }]));
        Assert.False(_store.MarkFeedAnomalyNotified("fa-unknown", [told with { NotificationId = "n-3" }]));

        Assert.Equal("n-1", Assert.Single(_store.ListNotifications("mca")).NotificationId);
        Assert.True(Assert.Single(_store.ListFeedAnomalies(new FeedAnomalyFilter(Notified: true))).Notified);
    }

    private static FeedAnomaly Anomaly(string batch, string metric, DateTimeOffset at) =>
        new(FeedAnomaly.IdOf(batch, metric), "mca.marriage", "mca", batch, metric, 3, 40, 2.5, -7.25, "drop", Start, at, "本次投递 3 行", "This delivery brought 3 rows");

    private void Batch(string id, DateTimeOffset at, long rows, string status = "committed") => _store.RecordBatch(Record(id, at, rows, status));

    private static BatchRecord Record(string id, DateTimeOffset at, long rows, string status = "committed") =>
        new(id, "mca.marriage", 1, id + ".csv", status, rows, status == "committed" ? rows : 0, status == "committed" ? 0 : rows, 0, 1, at.AddMinutes(-1), at, "{}");

    private void Report(string id, DateTimeOffset at, MismatchStatus status = MismatchStatus.InVerification) =>
        Assert.True(_store.SaveMismatchReport(new MismatchReport
        {
            Id = id,
            EntryId = "mca.marriage",
            BaseTable = "population.persons",
            Key = "41010219900101123" + id[^1],
            Attribute = "marital_status",
            DoubtedValue = "married",
            Reporter = "housing-fund",
            Source = "consumer",
            Provider = "mca",
            Status = status,
            ReportedAt = at,
            Revision = 1,
        }));

    internal static CatalogueEntry Entry(string id, DeliveryMode mode) => new()
    {
        Id = id,
        Name = new LocalizedName("婚姻登记", "Marriage registration"),
        Agency = new AgencyRef("mca", new LocalizedName("民政局", "Civil affairs")),
        Target = "population.persons",
        KeyColumn = "id",
        KeyKind = GovShare.Lake.Identifiers.IdentifierKind.Citizen,
        Fields = [new FieldMapping { Source = "id", Target = "id_number", Type = "string", Required = true }],
        Delivery = new DeliverySpec { Mode = mode },
    };

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
