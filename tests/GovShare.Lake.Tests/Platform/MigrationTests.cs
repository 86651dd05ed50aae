using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Engine;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Tests.Platform;

/// <summary>Migrations run against a store that already holds data, not only against an empty one.</summary>
public sealed class MigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-migrate-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Migration7_Should_FillTheDeadlineColumns_OfRevisionsStoredBeforeIt()
    {
        Directory.CreateDirectory(_folder);
        var entry = new CatalogueEntry
        {
            Id = "amr.weekly",
            Name = new LocalizedName("周报", "Weekly report"),
            Agency = new AgencyRef("amr", new LocalizedName("市场监管局", "Market regulation")),
            Target = "legal_entity.entities",
            KeyColumn = "uscc",
            Fields = [new FieldMapping { Source = "uscc", Target = "uscc", Type = "string", Required = true }],
            UpdateDeadline = UpdateDeadline.Custom,
            Schedule = new UpdateSchedule("0 2 * * 1", 24),
        };
        var registered = new DateTime(2026, 3, 1, 2, 0, 0, DateTimeKind.Utc);
        using (var connection = new DuckDBConnection($"DataSource={Path.Combine(_folder, DuckDbPlatformStore.FileName)}"))
        {
            // The store as a build of schema version 6 left it, with one revision in it.
            connection.Open();
            LakeDuckDb.Execute(connection, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
            foreach (var (version, name, sql) in DuckDbPlatformStore.Migrations.Where(m => m.Version <= 6))
            {
                LakeDuckDb.Execute(connection, sql);
                LakeDuckDb.Execute(connection, $"INSERT INTO schema_migrations VALUES ({version}, {LakeDuckDb.Literal(name)}, now())");
            }

            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO catalogue_revisions VALUES ('amr.weekly', 1, $t, 'h', 'created', NULL, $d)";
            insert.Parameters.Add(new DuckDBParameter("t", registered));
            insert.Parameters.Add(new DuckDBParameter("d", JsonSerializer.Serialize(entry, DuckDbPlatformStore.Json)));
            insert.ExecuteNonQuery();
        }

        var store = DuckDbPlatformStore.Open(_folder);

        var subject = Assert.Single(store.ListFreshnessSubjects());
        Assert.Equal(("amr.weekly", "amr", "周报", "Weekly report", UpdateDeadline.Custom), (subject.EntryId, subject.Provider, subject.Name.Zh, subject.Name.En, subject.Deadline));
        Assert.Equal(new UpdateSchedule("0 2 * * 1", 24), subject.Schedule);
        Assert.Equal(new DateTimeOffset(registered), subject.RegisteredAt);
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
