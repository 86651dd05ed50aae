using DuckDB.NET.Data;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Tests.BaseDatabases;

public sealed class BaseDatabaseTests : IDisposable
{
    private readonly ScratchFolder _scratch = new("govshare-base");
    private readonly DuckDBConnection _duck = LakeDuckDb.OpenInMemory();

    [Fact]
    public void Catalog_Should_FixTheNamesAnalystsType()
    {
        Assert.Equal(
            ["population.persons", "legal_entity.entities", "geo.divisions", "geo.places", "licence.licences"],
            BaseDatabaseCatalog.All.Select(t => t.QualifiedName));
        Assert.Equal("id_number", BaseDatabaseCatalog.Persons.Key);
        Assert.Equal("uscc", BaseDatabaseCatalog.Entities.Key);
        Assert.NotNull(BaseDatabaseCatalog.Entities.Find("legal_rep_id_number"));
        Assert.NotNull(BaseDatabaseCatalog.Places.Find("division_code"));
        Assert.NotNull(BaseDatabaseCatalog.Licences.Find("holder_kind"));
        Assert.All(BaseDatabaseCatalog.All.SelectMany(t => t.Attributes), a => Assert.Matches("^[a-z][a-z0-9_]*$", a.Name));
    }

    [Fact]
    public void ProviderSchema_Should_CarryTheProvenanceColumns_AndOnlyTheAttributesDelivered()
    {
        var schema = BaseDatabaseCatalog.Persons.ProviderSchema(["marital_status"]);

        Assert.Equal(["id_number", "marital_status", "providing_agency", "batch_id", "ingested_at", "source_row", "record_status", "ended_at", "ended_batch"],
            schema.Fields.Select(f => f.Name));
        Assert.False(schema.Find("id_number")!.Nullable);
    }

    [Fact]
    public void ConsolidatedView_Should_TakeEachAttributeFromItsAuthority_AndFallBackToOthers()
    {
        var security = Provider("public-security", ["name", "sex", "birth_date", "household_division"],
            """
            SELECT * FROM (VALUES
              ('410103199003071237', '张三', 'male', DATE '1990-03-07', '410103'),
              ('410103199104011234', '李四', 'female', DATE '1991-04-01', '410105'))
            v(id_number, name, sex, birth_date, household_division)
            """);
        var civil = Provider("civil-affairs", ["name", "marital_status"],
            """
            SELECT * FROM (VALUES
              ('410103199003071237', '张 三', 'married'),
              ('410105198001010011', '王五', 'widowed'))
            v(id_number, name, marital_status)
            """);
        BaseDatabaseViews.Register(_duck, new Dictionary<BaseTable, IReadOnlyList<ProviderSource>>
        {
            [BaseDatabaseCatalog.Persons] = [civil with { Authoritative = new HashSet<string> { "marital_status" } }, security],
        });

        var rows = Query("SELECT id_number, name, sex, marital_status FROM population.persons ORDER BY id_number");

        Assert.Equal(3, rows.Count);
        Assert.Equal(new string?[] { "410103199003071237", "张三", "male", "married" }, rows[0]); // authority's name, not 张 三
        Assert.Equal(new string?[] { "410103199104011234", "李四", "female", null }, rows[1]);
        Assert.Equal(new string?[] { "410105198001010011", "王五", null, "widowed" }, rows[2]); // only civil affairs knows them
    }

    [Fact]
    public void Views_Should_JoinAcrossBaseDatabases_InOneStatement()
    {
        DivisionTable.Seed(_scratch.Combine("geo", "divisions"), DivisionRegistry.Embedded);
        var divisions = new ProviderSource("geo.divisions", DivisionTable.ReferenceAgency,
            DeltaTable.Open(_scratch.Combine("geo", "divisions")).Snapshot(), new HashSet<string>());
        var security = Provider("public-security", ["name", "household_division"],
            "SELECT * FROM (VALUES ('410103199003071237', '张三', '410103')) v(id_number, name, household_division)");
        BaseDatabaseViews.Register(_duck, new Dictionary<BaseTable, IReadOnlyList<ProviderSource>>
        {
            [BaseDatabaseCatalog.Persons] = [security],
        });
        LakeDuckDb.Execute(_duck, $"CREATE OR REPLACE VIEW geo.divisions AS SELECT * EXCLUDE (providing_agency, batch_id, ingested_at, source_row, record_status, ended_at, ended_batch) FROM ({divisions.Snapshot.ToDuckDbQuery()})");

        var rows = Query("SELECT p.name, d.name FROM population.persons p JOIN geo.divisions d ON d.code = p.household_division AND d.valid_to IS NULL");

        Assert.Equal(new string?[] { "张三", "二七区" }, rows.Single());
    }

    [Fact]
    public void DivisionSeed_Should_WriteEveryCodePeriod_Once()
    {
        var path = _scratch.Combine("divisions");

        var first = DivisionTable.Seed(path, DivisionRegistry.Embedded);
        var second = DivisionTable.Seed(path, DivisionRegistry.Embedded);

        Assert.False(first.AlreadyApplied);
        Assert.True(second.AlreadyApplied);
        var snapshot = DeltaTable.Open(path).Snapshot();
        Assert.Equal(DivisionRegistry.Embedded.RecordCount, snapshot.RecordCountFromStats);
        LakeDuckDb.Execute(_duck, $"CREATE VIEW d AS {snapshot.ToDuckDbQuery()}");
        Assert.Equal(new string?[] { "邙山区", "410100" },
            Query("SELECT name, parent_code FROM d WHERE code = '410108' AND valid_from <= 1990 AND coalesce(valid_to, 9999) >= 1990").Single());
    }

    [Fact]
    public void SchemasDocument_Should_MatchTheDefinitions()
    {
        var committed = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "schemas.md"));

        Assert.True(committed == SchemaDocument.Render(),
            "docs/schemas.md is out of date: run `./govshare lake schemas > docs/schemas.md` and commit it.");
    }

    public void Dispose()
    {
        _duck.Dispose();
        _scratch.Dispose();
    }

    private ProviderSource Provider(string agency, string[] attributes, string rows)
    {
        var path = _scratch.Combine("src", agency);
        var table = DeltaTable.Create(path, BaseDatabaseCatalog.Persons.ProviderSchema(attributes), keyColumns: ["id_number"]);
        var columns = string.Join(", ", attributes.Prepend("id_number"));
        table.Append(_duck, $"SELECT {columns}, '{agency}' AS providing_agency, 'b1' AS batch_id, now() AS ingested_at, row_number() OVER () AS source_row, " +
            $"'current' AS record_status, CAST(NULL AS TIMESTAMPTZ) AS ended_at, CAST(NULL AS VARCHAR) AS ended_batch FROM ({rows}) r");
        return new ProviderSource($"population.persons.{agency}", agency, table.Snapshot(), attributes.ToHashSet());
    }

    private List<string?[]> Query(string sql) => DuckRows.Query(_duck, sql);
}
