using System.Security.Cryptography;
using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>The batch id is the dataset id and the file's content hash: the same content commits once.</summary>
public sealed class IdempotencyTests : IDisposable
{
    private readonly TestLake _lake = new();

    private static readonly string OneBadOfThree = People.Csv(
        $"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131", $"{People.WithBadCheckCharacter(People.C)},王五,男,19701212");

    [Fact]
    public void Ingest_Should_DeriveTheBatchId_FromTheDatasetAndTheContentHash()
    {
        _lake.Load(Entries.PersonsYaml());
        var file = _lake.File("p.csv", OneBadOfThree);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(hash, report.ContentHash);
        Assert.Equal($"{Entries.Persons}-{hash[..16]}", report.BatchId);
        Assert.Equal([report.BatchId], Provider(_lake, Entries.Persons, "DISTINCT batch_id", "1").Select(r => r[0]));
    }

    [Fact]
    public void Ingest_Should_CommitOnce_When_TheSameFileIsDeliveredTwice()
    {
        _lake.Load(Entries.PersonsYaml());
        var file = _lake.File("p.csv", OneBadOfThree);
        var first = _lake.Ingestor.Ingest(file, Entries.Persons);
        var version = ProviderVersion(_lake, Entries.Persons);
        _lake.Clock.Now = TestLake.Today.AddHours(1);

        var second = _lake.Ingestor.Ingest(file, Entries.Persons);

        AssertCommittedConsistently(_lake, first);
        Assert.Equal(BatchStatus.AlreadyCommitted, second.Status);
        Assert.Equal(first.BatchId, second.BatchId);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal((3L, 2L, 1L), (second.Read, second.Accepted, second.Quarantined));
        Assert.Equal(version, ProviderVersion(_lake, Entries.Persons));
        Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(1, QuarantineTableCount(_lake, Entries.Persons));
        Assert.Equal(2, ProviderCount(_lake, Entries.Persons));
        Assert.Equal("committed", Assert.Single(_lake.Store.ListBatches(Entries.Persons)).Status);
    }

    [Fact]
    public void Ingest_Should_CommitOnce_When_TheSameContentArrivesUnderAnotherName()
    {
        _lake.Load(Entries.PersonsYaml());
        var first = _lake.Ingestor.Ingest(_lake.File("monday.csv", OneBadOfThree), Entries.Persons);
        var version = ProviderVersion(_lake, Entries.Persons);

        var second = _lake.Ingestor.Ingest(_lake.File("tuesday.csv", OneBadOfThree), Entries.Persons);

        Assert.Equal(BatchStatus.Committed, first.Status);
        Assert.Equal(BatchStatus.AlreadyCommitted, second.Status);
        Assert.Equal(first.BatchId, second.BatchId);
        Assert.Equal(version, ProviderVersion(_lake, Entries.Persons));
        Assert.Equal(1, QuarantineTableCount(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_CommitAgain_When_OneByteDiffers()
    {
        _lake.Load(Entries.PersonsYaml());
        var first = _lake.Ingestor.Ingest(_lake.File("a.csv", OneBadOfThree), Entries.Persons);

        var second = _lake.Ingestor.Ingest(_lake.File("b.csv", OneBadOfThree.Replace("张三", "张叁", StringComparison.Ordinal)), Entries.Persons);

        Assert.NotEqual(first.BatchId, second.BatchId);
        AssertCommittedConsistently(_lake, second);
        Assert.Equal(first.Version + 1, second.Version);
        Assert.Equal(2, QuarantineTableCount(_lake, Entries.Persons));
        Assert.Equal([[People.A, "张叁"], [People.B, "李四"]], Provider(_lake, Entries.Persons, "id_number, name"));
    }

    [Fact]
    public void Ingest_Should_CompleteTheBatchWithoutDuplicatingItsQuarantine_When_TheProviderCommitWasLost()
    {
        _lake.Load(Entries.PersonsYaml());
        var file = _lake.File("p.csv", OneBadOfThree);
        var first = _lake.Ingestor.Ingest(file, Entries.Persons);
        // A crash between the two commits: the quarantine holds the batch, the provider table does not.
        var log = Path.Combine(_lake.Layout.ProviderTable(Entries.Persons), "_delta_log");
        File.Delete(Path.Combine(log, $"{first.Version:D20}.json"));
        Assert.Empty(Quarantine(_lake, Entries.Persons));
        Assert.Equal(1, QuarantineTableCount(_lake, Entries.Persons));
        Assert.Equal(0, ProviderCount(_lake, Entries.Persons));

        var again = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(first.BatchId, again.BatchId);
        AssertCommittedConsistently(_lake, again);
        Assert.Equal(1, QuarantineTableCount(_lake, Entries.Persons));
        Assert.Equal(2, ProviderCount(_lake, Entries.Persons));
    }

    public void Dispose() => _lake.Dispose();
}
