using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Engine;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Tests.Platform;

/// <summary>Migrations run against a store that already holds data, not only against an empty one.</summary>
public sealed class MigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-migrate-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Migration7_Should_FillTheDeadlineColumns_OfRevisionsStoredBeforeIt()
    {
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
        // The store as a build of schema version 6 left it, with one revision in it.
        StoreAt(6, "INSERT INTO catalogue_revisions VALUES ('amr.weekly', 1, $t, 'h', 'created', NULL, $d)", registered, entry);

        var store = DuckDbPlatformStore.Open(_folder);

        var subject = Assert.Single(store.ListFreshnessSubjects());
        Assert.Equal(("amr.weekly", "amr", "周报", "Weekly report", UpdateDeadline.Custom), (subject.EntryId, subject.Provider, subject.Name.Zh, subject.Name.En, subject.Deadline));
        Assert.Equal(new UpdateSchedule("0 2 * * 1", 24), subject.Schedule);
        Assert.Equal(new DateTimeOffset(registered), subject.RegisteredAt);
        Assert.Equal(DuckDbPlatformStore.Migrations[^1].Version, store.SchemaVersion);
    }

    [Fact]
    public void Migrations8To10_Should_LogEarlierBatchesAsDeliveries_AndFillTheProductionColumn_WithoutLateRows()
    {
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

        // The store as a build of schema version 7 left it: one revision (whose definition a later build wrote) and one batch.
        StoreAt(7,
            "INSERT INTO catalogue_revisions VALUES ('mca.marriage', 1, $t, 'h', 'created', NULL, $d, 'mca', '婚姻登记', 'Marriage registration', 'within_3_days', NULL, NULL);" +
            "INSERT INTO batches VALUES ('mca.marriage-1', 'mca.marriage', 1, 'a.csv', 'committed', 1, 1, 0, 0, 1, $t, $t, '{}')", registered, entry);

        var store = DuckDbPlatformStore.Open(_folder);

        Assert.Equal("登记时间", Assert.Single(store.ListFreshnessSubjects()).ProducedAt);
        var batch = Assert.Single(store.ListBatches());
        Assert.Null(batch.ProducedNewest);
        Assert.Null(batch.OldestLate);
        Assert.Equal(0, batch.LateRows);
        Assert.Null(store.NewestProduction("mca.marriage"));

        // The batch stored before the delivery log is in it (migration 8), so freshness still sees that delivery.
        var delivery = Assert.Single(store.FreshnessDeliveries(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))["mca.marriage"]);
        Assert.Equal(new Freshness.FreshnessDelivery(new DateTimeOffset(registered)), delivery);
        Assert.Equal(1, Assert.Single(store.DeliveryTallies(new DateTimeOffset(registered).AddDays(-1), new DateTimeOffset(registered).AddDays(1))).Committed);
        Assert.Equal(DuckDbPlatformStore.Migrations[^1].Version, store.SchemaVersion);
    }

    [Fact]
    public void Migration11_Should_FillTheReviewColumns_OfReportsStoredBeforeIt_WithTheVerdictTimeInUtc()
    {
        // Resolved at 15:30:00.1234567 China time: seven fractional digits and an offset, as .NET writes them.
        var resolved = new DateTimeOffset(2031, 10, 9, 15, 30, 0, TimeSpan.FromHours(8)).AddTicks(1_234_567);
        var report = new MismatchReport
        {
            Id = "mm-20310930-0000abcd",
            EntryId = "hrss.insured",
            BaseTable = "population.persons",
            Key = "410102199001011234",
            Attribute = "residence_address",
            DoubtedValue = "金水区花园路1号",
            ProposedValue = "金水区花园路2号",
            Reporter = "housing-fund",
            Source = "consumer",
            Provider = "hrss",
            Status = MismatchStatus.Rejected,
            ReportedAt = resolved.AddDays(-2),
            ResolvedAt = resolved,
            Revision = 3,
            History = [new MismatchEvent(resolved, "hrss", "rejected", MismatchStatus.InVerification, MismatchStatus.Rejected, "经核实无误")],
        };

        // The store as a build of schema version 10 left it, with one rejected report in it.
        StoreAt(10, $"INSERT INTO mismatch_reports VALUES ('{report.Id}', 'hrss.insured', 'hrss', 'housing-fund', 'rejected', '{report.Identity}', false, NULL, $t, 3, $d, $t)",
            report.ReportedAt.UtcDateTime, report);

        var store = DuckDbPlatformStore.Open(_folder);

        Assert.Equal(report.Id, Assert.Single(store.ListMismatchReports(new MismatchFilter { BaseTable = "population.persons", Key = report.Key })).Id);
        Assert.Single(store.ListMismatchReports(new MismatchFilter { SourceKind = "consumer", BaseDatabase = "population" }));
        Assert.Single(store.ListMismatchReports(new MismatchFilter { VerdictSince = resolved.AddMilliseconds(-1) }));
        Assert.Empty(store.ListMismatchReports(new MismatchFilter { VerdictSince = resolved.AddMilliseconds(1) }));
        Assert.Equal(DuckDbPlatformStore.Migrations[^1].Version, store.SchemaVersion);
    }

    [Fact]
    public void Migration12_Should_CountDeliveriesCommittedBeforeIt_AsJudged_SoThatNoOldDeliveryIsReportedAsAnAnomaly()
    {
        var entry = FeedAnomalyStoreTests.Entry("mca.marriage", DeliveryMode.Incremental);
        var delivered = new DateTime(2031, 9, 1, 2, 0, 0, DateTimeKind.Utc);

        // The store as a build of schema version 11 left it: the entry and one committed delivery.
        StoreAt(11,
            "INSERT INTO catalogue_revisions VALUES ('mca.marriage', 1, $t, 'h', 'created', NULL, $d, 'mca', '婚姻登记', 'Marriage registration', 'within_3_days', NULL, NULL, NULL);" +
            "INSERT INTO batches (batch_id, dataset_id, catalogue_revision, file_name, status, rows_read, accepted, quarantined, warnings, version, started_at, finished_at, report) " +
            "VALUES ('mca.marriage-1', 'mca.marriage', 1, 'a.csv', 'committed', 40, 38, 2, 0, 1, $t, $t, '{}');" +
            "INSERT INTO deliveries VALUES ('mca.marriage-1', 'mca.marriage', 'committed', $t, 40, 38, 2)", delivered, entry);

        var store = DuckDbPlatformStore.Open(_folder);

        var now = new DateTimeOffset(delivered).AddDays(30);
        Assert.Empty(store.FeedDeliveries(now));
        var delivery = Assert.Single(store.FeedDeliveries(now, "mca.marriage"));
        Assert.Equal(("mca.marriage-1", DeliveryMode.Incremental, 40L, 38L, 2L, true, true),
            (delivery.BatchId, delivery.Mode, delivery.Read, delivery.Accepted, delivery.Quarantined, delivery.FiguresJudged, delivery.WindowJudged));
        Assert.Empty(store.ListFeedAnomalies(new FeedAnomalyFilter()));
        Assert.Equal(DuckDbPlatformStore.Migrations[^1].Version, store.SchemaVersion);
    }

    // A store made by the migrations up to a version, holding what the statement inserts ($t the time, $d the document's JSON).
    private void StoreAt(int version, string insertSql, DateTime at, object document)
    {
        Directory.CreateDirectory(_folder);
        using var connection = new DuckDBConnection($"DataSource={Path.Combine(_folder, DuckDbPlatformStore.FileName)}");
        connection.Open();
        LakeDuckDb.Execute(connection, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
        foreach (var (applied, name, sql) in DuckDbPlatformStore.Migrations.Where(m => m.Version <= version))
        {
            LakeDuckDb.Execute(connection, sql);
            LakeDuckDb.Execute(connection, $"INSERT INTO schema_migrations VALUES ({applied}, {LakeDuckDb.Literal(name)}, now())");
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = insertSql;
        insert.Parameters.Add(new DuckDBParameter("t", at));
        insert.Parameters.Add(new DuckDBParameter("d", JsonSerializer.Serialize(document, DuckDbPlatformStore.Json)));
        insert.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
