using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Engine;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Tests.Platform;

/// <summary>Migration 9 (production times) against a store that already holds revisions and batches.</summary>
public sealed class ProductionTimeMigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-migrate9-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Migration9_Should_FillTheProductionColumn_OfRevisionsStoredBeforeIt_AndKeepEarlierBatchesWithoutLateRows()
    {
        Directory.CreateDirectory(_folder);
        var entry = new CatalogueEntry
        {
            Id = "mca.marriage",
            Name = new LocalizedName("婚姻登记", "Marriage registration"),
            Agency = new AgencyRef("mca", new LocalizedName("民政局", "Civil affairs")),
            Target = "population.persons",
            KeyColumn = "id",
            KeyKind = GovShare.Lake.Identifiers.IdentifierKind.Citizen,
            Fields = [new FieldMapping { Source = "id", Target = "id_number", Type = "string", Required = true }],
            ProducedAt = "登记时间",
        };
        var registered = new DateTime(2026, 3, 1, 2, 0, 0, DateTimeKind.Utc);
        using (var connection = new DuckDBConnection($"DataSource={Path.Combine(_folder, DuckDbPlatformStore.FileName)}"))
        {
            // The store as a build of schema version 7 left it: one revision (whose definition a later build wrote) and one batch.
            connection.Open();
            LakeDuckDb.Execute(connection, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
            foreach (var (version, name, sql) in DuckDbPlatformStore.Migrations.Where(m => m.Version <= 7))
            {
                LakeDuckDb.Execute(connection, sql);
                LakeDuckDb.Execute(connection, $"INSERT INTO schema_migrations VALUES ({version}, {LakeDuckDb.Literal(name)}, now())");
            }

            using var insert = connection.CreateCommand();
            insert.CommandText =
                "INSERT INTO catalogue_revisions VALUES ('mca.marriage', 1, $t, 'h', 'created', NULL, $d, 'mca', '婚姻登记', 'Marriage registration', 'within_3_days', NULL, NULL);" +
                "INSERT INTO batches VALUES ('mca.marriage-1', 'mca.marriage', 1, 'a.csv', 'committed', 1, 1, 0, 0, 1, $t, $t, '{}')";
            insert.Parameters.Add(new DuckDBParameter("t", registered));
            insert.Parameters.Add(new DuckDBParameter("d", JsonSerializer.Serialize(entry, DuckDbPlatformStore.Json)));
            insert.ExecuteNonQuery();
        }

        var store = DuckDbPlatformStore.Open(_folder);

        Assert.Equal("登记时间", Assert.Single(store.ListFreshnessSubjects()).ProducedAt);
        var batch = Assert.Single(store.ListBatches());
        Assert.Null(batch.ProducedNewest);
        Assert.Null(batch.OldestLate);
        Assert.Equal(0, batch.LateRows);
        Assert.Null(store.NewestProduction("mca.marriage"));
        var delivery = Assert.Single(store.FreshnessDeliveries(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))["mca.marriage"]);
        Assert.Equal(new Freshness.FreshnessDelivery(new DateTimeOffset(registered)), delivery);
        Assert.Equal(DuckDbPlatformStore.Migrations[^1].Version, store.SchemaVersion);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
