using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Full snapshots end the records whose keys they omit: a status change with provenance, never a
/// silent hard delete.</summary>
public sealed class FullSnapshotTests : IDisposable
{
    private readonly TestLake _lake = new();

    private static readonly string RowA = $"{People.A},张三,男,19900501";
    private static readonly string RowB = $"{People.B},李四,女,19850131";
    private static readonly string RowC = $"{People.C},王五,男,19701212";

    private static readonly DateTimeOffset NextDay = TestLake.Today.AddDays(1);

    private BatchReport Deliver(string name, DateTimeOffset at, params string[] rows)
    {
        _lake.Clock.Now = at;
        var report = _lake.Ingestor.Ingest(_lake.File(name, People.Csv(rows)), Entries.Persons);
        Assert.Equal(BatchStatus.Committed, report.Status);
        AssertBalanced(report);
        return report;
    }

    private List<string?[]> Statuses() =>
        Provider(_lake, Entries.Persons, "id_number, name, record_status, batch_id, ended_batch, CAST(epoch_ms(ended_at) AS VARCHAR)", "id_number");

    private List<string?> ConsolidatedPersons()
    {
        using var duck = LakeDuckDb.OpenInMemory();
        var snapshot = DeltaTable.Open(_lake.Layout.ProviderTable(Entries.Persons)).Snapshot();
        BaseDatabaseViews.Register(duck, new Dictionary<BaseTable, IReadOnlyList<ProviderSource>>
        {
            [BaseDatabaseCatalog.Persons] = [new ProviderSource(Entries.Persons, "psb", snapshot, new HashSet<string> { "name", "sex", "birth_date" })],
        });
        return LakeDuckDb.Strings(duck, "SELECT id_number || ' ' || name FROM population.persons ORDER BY id_number").ToList();
    }

    [Fact]
    public void Ingest_Should_EndTheRecord_When_AFullSnapshotOmitsItsKey()
    {
        _lake.Load(Entries.PersonsYaml());
        var first = Deliver("monday.csv", TestLake.Today, RowA, RowB, RowC);

        var second = Deliver("tuesday.csv", NextDay, RowA, RowB);

        Assert.Equal((3L, 0L, 0L), (first.Inserted, first.Updated, first.Ended));
        Assert.Equal((0L, 2L, 1L, 0L), (second.Inserted, second.Updated, second.Ended, second.Deleted));
        var ended = NextDay.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            new[]
            {
                [People.A, "张三", "current", second.BatchId, null, null],
                [People.B, "李四", "current", second.BatchId, null, null],
                new string?[] { People.C, "王五", "ended", first.BatchId, second.BatchId, ended },
            }.OrderBy(r => r[0], StringComparer.Ordinal),
            Statuses());
        Assert.Equal([[People.C, "male", "1970-12-12", "3"]],
            Provider(_lake, Entries.Persons, "id_number, sex, CAST(birth_date AS VARCHAR), CAST(source_row AS VARCHAR)", where: "record_status = 'ended'"));
    }

    [Fact]
    public void ConsolidatedView_Should_NoLongerShowTheKey_When_ItWasEnded()
    {
        _lake.Load(Entries.PersonsYaml());
        Deliver("monday.csv", TestLake.Today, RowA, RowB, RowC);
        var before = ConsolidatedPersons();

        Deliver("tuesday.csv", NextDay, RowA, RowB);

        Assert.Equal(new[] { $"{People.A} 张三", $"{People.B} 李四", $"{People.C} 王五" }.Order(StringComparer.Ordinal), before);
        Assert.Equal(new[] { $"{People.A} 张三", $"{People.B} 李四" }.Order(StringComparer.Ordinal), ConsolidatedPersons());
    }

    [Fact]
    public void Ingest_Should_MakeTheRecordCurrentAgain_When_ALaterSnapshotDeliversItsKey()
    {
        _lake.Load(Entries.PersonsYaml());
        Deliver("monday.csv", TestLake.Today, RowA, RowB, RowC);
        Deliver("tuesday.csv", NextDay, RowA, RowB);

        var third = Deliver("wednesday.csv", NextDay.AddDays(1), RowA, RowB, $"{People.C},王伍,男,19701212");

        // C is not new to the provider table: its ended record is replaced, so it counts as updated.
        Assert.Equal((0L, 3L, 0L), (third.Inserted, third.Updated, third.Ended));
        Assert.Equal(new string?[] { People.C, "王伍", "current", third.BatchId, null, null }, Statuses().Single(r => r[0] == People.C));
        Assert.Contains($"{People.C} 王伍", ConsolidatedPersons());
        Assert.Equal(3, ProviderCount(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_KeepTheFirstEnding_When_LaterSnapshotsStillOmitTheKey()
    {
        _lake.Load(Entries.PersonsYaml());
        Deliver("monday.csv", TestLake.Today, RowA, RowB, RowC);
        var second = Deliver("tuesday.csv", NextDay, RowA, RowB);

        var third = Deliver("wednesday.csv", NextDay.AddDays(1), RowA, $"{People.D},赵六,女,20010203");

        Assert.Equal((1L, 1L, 1L), (third.Inserted, third.Updated, third.Ended));
        var rows = Statuses().ToDictionary(r => r[0]!, r => r);
        Assert.Equal(("ended", second.BatchId), (rows[People.C][2], rows[People.C][4]));
        Assert.Equal(("ended", third.BatchId), (rows[People.B][2], rows[People.B][4]));
        Assert.Equal(("current", third.BatchId), (rows[People.D][2], rows[People.D][3]));
        Assert.Equal(4, rows.Count);
    }

    [Fact]
    public void Ingest_Should_NotEndTheRecord_When_ItsRowInTheSnapshotIsQuarantined()
    {
        _lake.Load(Entries.PersonsYaml());
        var first = Deliver("monday.csv", TestLake.Today, RowA, RowB, RowC);

        // B is in the new snapshot, but its row fails a check: the provider still holds B, so the lake must not end it.
        var second = Deliver("tuesday.csv", NextDay, RowA, $"{People.B},李四,女,19850231", RowC);

        Assert.Equal(1, second.Quarantined);
        Assert.Equal(0, second.Ended);
        Assert.Equal(new string?[] { People.B, "李四", "current", first.BatchId, null, null }, Statuses().Single(r => r[0] == People.B));
    }

    [Fact]
    public void Ingest_Should_NotEndTheRecord_When_ItsKeyIsQuarantinedAsDuplicate()
    {
        _lake.Load(Entries.PersonsYaml());
        var first = Deliver("monday.csv", TestLake.Today, RowA, RowB, RowC);

        var second = Deliver("tuesday.csv", NextDay, RowA, RowB, $"{People.B},李肆,女,19850131", RowC);

        Assert.Equal(2, second.Quarantined);
        Assert.Equal(0, second.Ended);
        Assert.Equal(new string?[] { People.B, "李四", "current", first.BatchId, null, null }, Statuses().Single(r => r[0] == People.B));
    }

    public void Dispose() => _lake.Dispose();
}
