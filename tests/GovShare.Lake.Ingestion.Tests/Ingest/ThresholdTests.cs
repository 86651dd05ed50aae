using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>A delivery whose quarantine rate exceeds the entry's threshold commits nothing and says why.</summary>
public sealed class ThresholdTests : IDisposable
{
    private readonly TestLake _lake = new();

    /// <summary>Five rows, two of them bad (40 %): a wrong check character and an impossible date.</summary>
    private static readonly string TwoBadOfFive = People.Csv(
        $"{People.A},张三,男,19900501",
        $"{People.WithBadCheckCharacter(People.B)},李四,女,19850131",
        $"{People.C},王五,男,19700231",
        $"{People.D},赵六,女,20010203",
        $"{Ids.Citizen("410102", new DateOnly(1999, 9, 9), 5)},钱七,男,19990909");

    [Fact]
    public void Ingest_Should_RefuseAndCommitNothing_When_QuarantineRateExceedsTheThreshold()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.2"));

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", TwoBadOfFive), Entries.Persons);

        Assert.Equal(BatchStatus.Refused, report.Status);
        Assert.Equal((5L, 3L, 2L), (report.Read, report.Accepted, report.Quarantined));
        Assert.Equal(0.2, report.Threshold);
        Assert.Contains("top reasons: invalid_date 1, invalid_identifier 1", report.Message, StringComparison.Ordinal);
        Assert.EndsWith("nothing was committed", report.Message, StringComparison.Ordinal);
        Assert.Equal([QuarantineReasons.InvalidDate, QuarantineReasons.InvalidIdentifier], report.QuarantineReasons.Select(r => r.Code));
        AssertNothingCommitted(_lake, report, status: "refused");
        Assert.False(ProviderExists(_lake, Entries.Persons));
        Assert.Null(QuarantineTables.VisibleQuery(_lake.Layout, Entries.Persons));
        Assert.Equal(0, QuarantineTableCount(_lake, Entries.Persons));
        var record = _lake.Store.FindBatch(report.BatchId)!;
        Assert.Equal(("refused", 5L, 3L, 2L, (long?)null), (record.Status, record.Read, record.Accepted, record.Quarantined, record.Version));
    }

    [Fact]
    public void Ingest_Should_LeaveTheTableAtItsVersion_When_ALaterDeliveryIsRefused()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.2"));
        var first = _lake.Ingestor.Ingest(_lake.File("first.csv", People.Csv($"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131")), Entries.Persons);
        var version = ProviderVersion(_lake, Entries.Persons);

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", TwoBadOfFive), Entries.Persons);

        Assert.Equal(BatchStatus.Committed, first.Status);
        Assert.Equal(BatchStatus.Refused, report.Status);
        AssertNothingCommitted(_lake, report, version, status: "refused");
        Assert.Equal([[People.A, first.BatchId], [People.B, first.BatchId]], Provider(_lake, Entries.Persons, "id_number, batch_id"));
        Assert.Equal(0, QuarantineTableCount(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_RefuseAboveFivePercent_When_TheEntryStatesNoThreshold()
    {
        _lake.Load(Entries.PersonsYaml(threshold: null));
        var lines = Enumerable.Range(1, 19).Select(i => $"{Ids.Citizen("410102", new DateOnly(1980, 1, i), i)},某人,男,198001{i:D2}")
            .Append($"{People.WithBadCheckCharacter(People.A)},张三,男,19900501")
            .Append($"{People.WithBadCheckCharacter(People.B)},李四,女,19850131")
            .ToArray();

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", People.Csv(lines)), Entries.Persons);

        Assert.Equal(0.05, report.Threshold);
        Assert.Equal(BatchStatus.Refused, report.Status);
        Assert.Equal((21L, 19L, 2L), (report.Read, report.Accepted, report.Quarantined));
        AssertNothingCommitted(_lake, report, status: "refused");
    }

    [Fact]
    public void Ingest_Should_Commit_When_QuarantineRateEqualsTheThreshold()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.2"));
        var text = People.Csv(
            $"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131", $"{People.C},王五,男,19701212", $"{People.D},赵六,女,20010203",
            $"{People.WithBadCheckCharacter(People.A)},钱七,男,19900501");

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((5L, 4L, 1L), (report.Read, report.Accepted, report.Quarantined));
    }

    [Fact]
    public void Ingest_Should_CommitAFormerlyRefusedFile_When_TheThresholdIsRaised()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.2"));
        var file = _lake.File("p.csv", TwoBadOfFive);
        var refused = _lake.Ingestor.Ingest(file, Entries.Persons);
        _lake.Clock.Now = TestLake.Today.AddHours(1);
        _lake.Load(Entries.PersonsYaml(threshold: "0.5"));

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(BatchStatus.Refused, refused.Status);
        Assert.Equal(refused.BatchId, report.BatchId);
        Assert.Equal(2, report.CatalogueRevision);
        AssertCommittedConsistently(_lake, report);
        Assert.Equal(2, Quarantine(_lake, Entries.Persons).Count);
        Assert.Equal("committed", _lake.Store.FindBatch(report.BatchId)!.Status);
    }

    public void Dispose() => _lake.Dispose();
}
