using System.Globalization;
using DuckDB.NET.Data;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Tests.Ingest;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Tests.Catalogue;

/// <summary>The embedded platform store: versioned migrations run once, batches listed newest first.</summary>
public sealed class PlatformStoreTests : IDisposable
{
    private readonly TestLake _lake = new();

    private List<(int Version, string Name, string AppliedAt)> Migrations()
    {
        using var connection = new DuckDBConnection($"DataSource={_lake.Store.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, name, CAST(applied_at AS VARCHAR) FROM schema_migrations ORDER BY version";
        using var reader = command.ExecuteReader();
        var rows = new List<(int, string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    [Fact]
    public void Open_Should_RecordEveryMigration_InOrder()
    {
        var migrations = Migrations();

        Assert.True(_lake.Store.SchemaVersion >= 2);
        Assert.Equal(Enumerable.Range(1, _lake.Store.SchemaVersion), migrations.Select(m => m.Version));
        Assert.All(migrations, m => Assert.False(string.IsNullOrWhiteSpace(m.Name)));
        Assert.Equal(Path.Combine(_lake.Root, DuckDbPlatformStore.FileName), _lake.Store.Path);
    }

    [Fact]
    public void Open_Should_NotRunMigrationsAgain_When_TheStoreIsReopened()
    {
        _lake.Load(Entries.PersonsYaml());
        var before = Migrations();

        var reopened = DuckDbPlatformStore.Open(_lake.Root);

        Assert.Equal(_lake.Store.SchemaVersion, reopened.SchemaVersion);
        Assert.Equal(before, Migrations());
        Assert.Equal(1, reopened.FindCatalogueEntry(Entries.Persons)!.Revision);
    }

    [Fact]
    public void Open_Should_Refuse_When_TheStoreIsNewerThanTheBuild()
    {
        using (var connection = new DuckDBConnection($"DataSource={_lake.Store.Path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations VALUES (999, 'from the future', now())";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<LakeException>(() => DuckDbPlatformStore.Open(_lake.Root));

        Assert.Equal(LakeErrorKind.Unsupported, error.Kind);
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListBatches_Should_GiveTheNewestFirst_AndHonourDatasetAndLimit()
    {
        _lake.Load(Entries.PersonsYaml());
        _lake.Load(Entries.EntitiesYaml());
        var ids = new List<string>();
        for (var day = 0; day < 3; day++)
        {
            _lake.Clock.Now = TestLake.Today.AddDays(day);
            var name = string.Create(CultureInfo.InvariantCulture, $"day{day}.csv");
            ids.Add(_lake.Ingestor.Ingest(_lake.File(name, People.Csv($"{People.A},张{day},男,19900501")), Entries.Persons).BatchId);
        }

        _lake.Clock.Now = TestLake.Today.AddHours(12);
        var entity = _lake.Ingestor.Ingest(
            _lake.File("e.csv", $"统一社会信用代码,名称,注册资本,住所行政区划代码\n{Credit.Uscc("410105", "12345678")},郑州甲公司,100,410105\n"), Entries.Entities);

        Assert.Equal([ids[2], ids[1], ids[0]], _lake.Store.ListBatches(Entries.Persons).Select(b => b.BatchId));
        Assert.Equal([ids[2], ids[1]], _lake.Store.ListBatches(Entries.Persons, limit: 2).Select(b => b.BatchId));
        Assert.Equal([ids[2], ids[1], entity.BatchId, ids[0]], _lake.Store.ListBatches().Select(b => b.BatchId));
        Assert.All(_lake.Store.ListBatches(Entries.Persons), b => Assert.Equal(("committed", 1L, 1L, 0L), (b.Status, b.Read, b.Accepted, b.Quarantined)));
        Assert.Equal(TestLake.Today.AddDays(2), _lake.Store.ListBatches(Entries.Persons)[0].FinishedAt);
    }

    [Fact]
    public void FindBatch_Should_KeepTheWholeReport_When_ABatchIsRecorded()
    {
        _lake.Load(Entries.PersonsYaml());
        var report = _lake.Ingestor.Ingest(
            _lake.File("p.csv", People.Csv($"{People.A},张三,男,19900501", $"{People.WithBadCheckCharacter(People.B)},李四,女,19850131")), Entries.Persons);

        var record = _lake.Store.FindBatch(report.BatchId)!;

        Assert.Equal((Entries.Persons, 1, "p.csv", "committed", 2L, 1L, 1L, 0L, report.Version),
            (record.DatasetId, record.CatalogueRevision, record.FileName, record.Status, record.Read, record.Accepted, record.Quarantined, record.Warnings, record.Version));
        var stored = System.Text.Json.JsonSerializer.Deserialize<BatchReport>(record.ReportJson, DuckDbPlatformStore.Json)!;
        Assert.Equal((report.BatchId, report.Status, report.Accepted, report.Quarantined), (stored.BatchId, stored.Status, stored.Accepted, stored.Quarantined));
        Assert.Equal(QuarantineReasons.InvalidIdentifier, Assert.Single(stored.QuarantineReasons).Code);
        Assert.Null(_lake.Store.FindBatch("psb.household-0000000000000000"));
    }

    public void Dispose() => _lake.Dispose();
}
