using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Incremental deliveries upsert by key and honour the deletion marker.</summary>
public sealed class IncrementalTests : IDisposable
{
    private readonly TestLake _lake = new();

    private const string Header = "公民身份号码,姓名,性别,出生日期,操作类型";

    private static readonly DateTimeOffset NextDay = TestLake.Today.AddDays(1);

    private static readonly string Unknown = Ids.Citizen("410102", new DateOnly(1999, 9, 9), 5);

    public IncrementalTests() =>
        _lake.Load(Entries.PersonsYaml(delivery: "{ mode: incremental, deletionMarker: { column: 操作类型, values: [D, 删除] } }"));

    private BatchReport Deliver(string name, params string[] rows)
    {
        var report = _lake.Ingestor.Ingest(_lake.File(name, string.Concat(new[] { Header }.Concat(rows).Select(r => r + "\n"))), Entries.Persons);
        AssertBalanced(report);
        return report;
    }

    private List<string?[]> Rows() =>
        Provider(_lake, Entries.Persons, "id_number, name, sex, record_status, batch_id, ended_batch, CAST(epoch_ms(ended_at) AS VARCHAR)", "id_number");

    [Fact]
    public void Ingest_Should_UpsertInsertAndDelete_When_DeliveryIsIncremental()
    {
        var first = Deliver("monday.csv", $"{People.A},张三,男,19900501,I", $"{People.B},李四,女,19850131,I", $"{People.C},王五,男,19701212,");
        _lake.Clock.Now = NextDay;

        var second = Deliver("tuesday.csv",
            $"{People.A},张三丰,男,19900501,U",
            $"{People.D},赵六,女,20010203,I",
            $"{People.B},,,,D",
            $"{Unknown},,,,删除");

        Assert.Equal(BatchStatus.Committed, first.Status);
        Assert.Equal((3L, 0L, 0L), (first.Inserted, first.Updated, first.Deleted));
        Assert.Equal(BatchStatus.Committed, second.Status);
        Assert.Equal((4L, 4L, 0L), (second.Read, second.Accepted, second.Quarantined));
        Assert.Equal((1L, 1L, 1L, 0L), (second.Inserted, second.Updated, second.Deleted, second.Ended));
        var deletedAt = NextDay.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            new[]
            {
                [People.A, "张三丰", "male", "current", second.BatchId, null, null],
                new string?[] { People.B, "李四", "female", "deleted", first.BatchId, second.BatchId, deletedAt },
                [People.C, "王五", "male", "current", first.BatchId, null, null],
                [People.D, "赵六", "female", "current", second.BatchId, null, null],
            }.OrderBy(r => r[0], StringComparer.Ordinal),
            Rows());
        var warning = Assert.Single(second.Warnings);
        Assert.Equal(IngestionWarnings.DeletionOfUnknownKey, warning.Code);
        Assert.Equal("操作类型", warning.Field);
        Assert.Equal(1, warning.Count);
        Assert.Equal(["row 4: marks a key for deletion that the table does not hold"], warning.Examples);
        Assert.Equal(1, _lake.Store.FindBatch(second.BatchId)!.Warnings);
        Assert.DoesNotContain(Rows(), r => r[0] == Unknown);
    }

    [Fact]
    public void Ingest_Should_MakeADeletedKeyCurrent_When_ItIsDeliveredAgain()
    {
        Deliver("monday.csv", $"{People.A},张三,男,19900501,I");
        Deliver("tuesday.csv", $"{People.A},,,,D");

        // Not byte-for-byte Monday's file, which would be the same batch (already committed).
        var third = Deliver("wednesday.csv", $"{People.A},张叁,男,19900501,I");

        Assert.Equal(BatchStatus.Committed, third.Status);
        Assert.Equal((0L, 1L, 0L), (third.Inserted, third.Updated, third.Deleted));
        Assert.Equal([[People.A, "张叁", "male", "current", third.BatchId, null, null]], Rows());
    }

    [Fact]
    public void Ingest_Should_WarnAndChangeNothing_When_EveryRowDeletesAnUnknownKey()
    {
        var first = Deliver("monday.csv", $"{People.A},张三,男,19900501,I");

        var second = Deliver("tuesday.csv", $"{Unknown},,,,D");

        Assert.Equal(BatchStatus.Committed, second.Status);
        Assert.Equal((1L, 1L, 0L, 0L), (second.Read, second.Accepted, second.Deleted, second.Inserted));
        Assert.Equal(IngestionWarnings.DeletionOfUnknownKey, Assert.Single(second.Warnings).Code);
        Assert.Equal([[People.A, "张三", "male", "current", first.BatchId, null, null]], Rows());
    }

    [Fact]
    public void Ingest_Should_Fail_When_TheDeletionMarkerColumnIsMissing()
    {
        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", People.Csv($"{People.A},张三,男,19900501")), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("操作类型", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    public void Dispose() => _lake.Dispose();
}
