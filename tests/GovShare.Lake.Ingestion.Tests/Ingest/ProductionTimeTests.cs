using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>An entry with a production-time column (<c>producedAt</c>): each delivery records the newest production time
/// it carried and the records it delivered more than 3 days after their production (new since the previous delivery),
/// the first delivery judging nothing; an empty or unreadable production time is a warning, never a quarantine.</summary>
public sealed class ProductionTimeTests : IDisposable
{
    private const string Header = "公民身份号码,姓名,性别,出生日期,登记时间";

    private static readonly string E = Ids.Citizen("410102", new DateOnly(1995, 3, 3), 55);
    private static readonly string F = Ids.Citizen("410103", new DateOnly(1996, 4, 4), 66);
    private static readonly string G = Ids.Citizen("410105", new DateOnly(1997, 5, 5), 77);
    private static readonly string H = Ids.Citizen("410105", new DateOnly(1998, 6, 6), 88);

    /// <summary>Friday 27 November 2026, 10:00 China time: five days after the first delivery.</summary>
    private static readonly DateTimeOffset Friday = TestLake.Today.AddDays(5);

    private readonly TestLake _lake = new();

    public ProductionTimeTests() =>
        _lake.Load(Entries.PersonsYaml(delivery: "{ mode: incremental }", extraFields: "producedAt: 登记时间"));

    private BatchReport Deliver(string name, params string[] rows)
    {
        var report = _lake.Ingestor.Ingest(_lake.File(name, string.Concat(new[] { Header }.Concat(rows).Select(r => r + "\n"))), Entries.Persons);
        AssertBalanced(report);
        return report;
    }

    private static DateTimeOffset China(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, ChinaTime.Offset);

    [Fact]
    public void FirstDelivery_Should_RecordTheNewestProductionTime_JudgeNothingLate_AndWarnAboutUnreadableTimes_ByRowAndField()
    {
        // Sunday 22 November 10:00: records of October (long over 3 days) are a historical load, not late.
        var report = Deliver("first.csv",
            $"{People.A},张三,男,19900501,2026-10-01 09:00:00",
            $"{People.B},李四,女,19850131,2026-11-21 18:00:00",
            $"{People.C},王五,男,19701212,",
            $"{People.D},赵六,女,20010203,2026-13-45 10:00:00");

        Assert.Equal(BatchStatus.Committed, report.Status);
        Assert.Equal((4L, 0L), (report.Accepted, report.Quarantined));
        Assert.Equal((China(11, 21, 18), 0L, (DateTimeOffset?)null), (report.ProducedNewest!.Value, report.LateRows, report.OldestLate));
        var warning = Assert.Single(report.Warnings);
        Assert.Equal((IngestionWarnings.ProductionTimeUnreadable, "登记时间", 2L), (warning.Code, warning.Field, warning.Count));
        Assert.Equal(
            [
                "row 3: 登记时间 is empty: the record is kept, but when it was produced is unknown",
                "row 4: 登记时间 '2026-13-45 10:00:00' is not a date and time: the record is kept, but when it was produced is unknown",
            ],
            warning.Examples);
        Assert.Contains("file       first.csv", report.ToText(), StringComparison.Ordinal);
        Assert.Contains("produced   newest 2026-11-21 18:00 (China time); none delivered late", report.ToText(), StringComparison.Ordinal);
        var batch = _lake.Store.FindBatch(report.BatchId)!;
        Assert.Equal((China(11, 21, 18), 0L, 2L), (batch.ProducedNewest!.Value, batch.LateRows, batch.Warnings));
        Assert.Equal(4, ProviderCount(_lake, Entries.Persons));
    }

    [Fact]
    public void NextDelivery_Should_CountTheNewRecordsProducedMoreThanThreeDaysBeforeIt_AsLate()
    {
        Deliver("first.csv", $"{People.A},张三,男,19900501,2026-11-21 18:00:00");
        _lake.Clock.Now = Friday;

        string[] rows =
        [
            // Produced before the first delivery's newest: not new (a correction), not judged.
            $"{People.A},张三,男,19900501,2026-11-20 09:00:00",
            // New and due Wednesday 09:00, Thursday 12:00, Friday 00:30: late.
            $"{People.B},李四,女,19850131,2026-11-22 09:00:00",
            $"{People.C},王五,男,19701212,2026-11-23 12:00:00",
            $"{F},钱七,女,19960404,2026-11-24 00:30:00",
            // A date is the end of its day: due the end of Friday, in time. And Thursday's record is in time too.
            $"{E},孙八,男,19950303,2026-11-24",
            $"{People.D},赵六,女,20010203,2026-11-26 08:00:00",
            // A key delivered twice is quarantined, so its records count neither as late nor as the newest.
            $"{G},周九,男,19970505,2026-11-22 08:00:00",
            $"{G},周九,男,19970505,2026-11-22 08:00:00",
            $"{H},吴十,女,19980606,2026-11-26 20:00:00",
            $"{H},吴十,女,19980606,2026-11-26 20:00:00",
        ];
        var report = Deliver("second.csv", rows);

        Assert.Equal(BatchStatus.Committed, report.Status);
        Assert.Equal((6L, 4L), (report.Accepted, report.Quarantined));
        Assert.Equal((China(11, 26, 8), 3L, (DateTimeOffset?)China(11, 22, 9)), (report.ProducedNewest!.Value, report.LateRows, report.OldestLate));
        Assert.Empty(report.Warnings);
        Assert.Contains("; 3 delivered more than 3 days after being produced (the oldest produced 2026-11-22 09:00)", report.ToText(), StringComparison.Ordinal);
        var batch = _lake.Store.FindBatch(report.BatchId)!;
        Assert.Equal((China(11, 26, 8), 3L, (DateTimeOffset?)China(11, 22, 9)), (batch.ProducedNewest!.Value, batch.LateRows, batch.OldestLate));
        Assert.Equal(China(11, 26, 8), _lake.Store.NewestProduction(Entries.Persons));

        // The same file again is the same delivery: what it carried is kept.
        _lake.Clock.Now = Friday.AddHours(1);
        var again = Deliver("second-again.csv", rows);
        Assert.Equal(BatchStatus.AlreadyCommitted, again.Status);
        Assert.Equal(3L, _lake.Store.FindBatch(report.BatchId)!.LateRows);
    }

    [Fact]
    public void NextDelivery_Should_TakeTheLateCopiesOfADuplicatedKeyOutOfTheCount()
    {
        Deliver("first.csv", $"{People.A},张三,男,19900501,2026-11-21 18:00:00");
        _lake.Clock.Now = Friday;

        // The copies are late, but neither the oldest late record (B's) nor the newest (D's): taken out of the count alone.
        var report = Deliver("second.csv",
            $"{People.B},李四,女,19850131,2026-11-22 09:00:00",
            $"{People.D},赵六,女,20010203,2026-11-26 08:00:00",
            $"{G},周九,男,19970505,2026-11-23 13:00:00",
            $"{G},周九,男,19970505,2026-11-23 13:00:00");

        Assert.Equal((2L, 2L), (report.Accepted, report.Quarantined));
        Assert.Equal((China(11, 26, 8), 1L, (DateTimeOffset?)China(11, 22, 9)), (report.ProducedNewest!.Value, report.LateRows, report.OldestLate));
    }

    [Fact]
    public void Delivery_Should_NotCountAProductionTimeAfterTheDayOfTheDelivery()
    {
        var report = Deliver("future.csv",
            $"{People.A},张三,男,19900501,2026-11-22 15:00:00",
            $"{People.B},李四,女,19850131,2026-11-23 08:00:00");

        Assert.Equal(BatchStatus.Committed, report.Status);
        Assert.Equal(China(11, 22, 15), report.ProducedNewest);
        var warning = Assert.Single(report.Warnings);
        Assert.Equal((IngestionWarnings.ProductionTimeInFuture, "登记时间"), (warning.Code, warning.Field));
        Assert.Equal(["row 2: 登记时间 2026-11-23 08:00 is after the day of the delivery: not counted"], warning.Examples);
    }

    [Fact]
    public void Delivery_Should_Fail_NamingTheColumn_When_TheFileLacksTheProductionColumn()
    {
        var report = _lake.Ingestor.Ingest(_lake.File("old.csv", People.Csv($"{People.A},张三,男,19900501")), Entries.Persons);

        AssertNothingCommitted(_lake, report);
        Assert.Contains("old.csv: the first row does not name the mapped column(s) 登记时间", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delivery_Should_Fail_NamingTheColumn_When_AFileWithADeclaredHeaderLacksTheProductionColumn()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, header: true }", delivery: "{ mode: incremental }", extraFields: "producedAt: 登记时间"));

        var report = _lake.Ingestor.Ingest(_lake.File("old.csv", People.Csv($"{People.A},张三,男,19900501")), Entries.Persons);

        AssertNothingCommitted(_lake, report);
        Assert.Contains("old.csv: the column(s) 登记时间 that the catalogue entry psb.household maps or names as producedAt are not in the file", report.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-21 18:05:09", "2026-11-21T10:05:09Z")]
    [InlineData("2026-11-21T18:05:09", "2026-11-21T10:05:09Z")]
    [InlineData("20261121180509", "2026-11-21T10:05:09Z")]
    [InlineData("2026/11/21 18:05:09", "2026-11-21T10:05:09Z")]
    [InlineData("2026-11-21 18:05", "2026-11-21T10:05:00Z")]
    [InlineData("2026-11-21T18:05:09+00:00", "2026-11-21T18:05:09Z")]
    [InlineData("2026-11-21", "2026-11-21T16:00:00Z")]
    [InlineData("20261121", "2026-11-21T16:00:00Z")]
    [InlineData("2026年11月21日", "2026-11-21T16:00:00Z")]
    public void ProductionTime_Should_BeChinaTimeWithoutAnOffset_AndADateTheEndOfItsDay(string text, string utc)
    {
        Assert.True(RowChecker.TryParseProduction(text, [], out var produced));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), produced);
    }

    public void Dispose() => _lake.Dispose();
}
