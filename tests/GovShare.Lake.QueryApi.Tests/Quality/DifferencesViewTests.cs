using System.Net;
using GovShare.Lake.Access;
using GovShare.Lake.Delta;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Quality;

/// <summary>A demo city whose consistency check has run once before the host starts: four differences over the city's
/// own keys, between two conditional person entries (psb.household, hrss.insured), two unconditional licence entries,
/// and an unconditional and a conditional entity entry.</summary>
public sealed class DifferencesCityFixture : IDisposable
{
    /// <summary>Starts the host over a lake holding the differences table.</summary>
    public DifferencesCityFixture()
    {
        Host = new DemoCityHost(null, null, lake =>
        {
            var layout = new LakeLayout(lake);
            Person = (string)CheckOutput.FirstRow(layout, "SELECT id_number FROM {psb.household} WHERE record_status = 'current' ORDER BY id_number")[0];
            Licence = (string)CheckOutput.FirstRow(layout, "SELECT licence_no FROM {amr.business_licence} WHERE record_status = 'current' ORDER BY licence_no")[0];
            Entity = (string)CheckOutput.FirstRow(layout, "SELECT uscc FROM {amr.entities} WHERE record_status = 'current' ORDER BY uscc")[0];
            CheckOutput.Append(layout, Rows.ToArray());
        });
    }

    /// <summary>The host.</summary>
    public DemoCityHost Host { get; }

    /// <summary>The person the person differences are about.</summary>
    public string Person { get; private set; } = "";

    /// <summary>The licence.</summary>
    public string Licence { get; private set; } = "";

    /// <summary>The legal entity.</summary>
    public string Entity { get; private set; } = "";

    /// <summary>The differences kept, in the order the tests' SQL sorts them (by base table, then attribute).</summary>
    internal IReadOnlyList<Difference> Rows =>
    [
        new("legal_entity.entities", Entity, "name", "amr.entities", "郑州市某某商贸有限公司", "tax.taxpayers", "郑州某某商贸有限公司", "minor_variant", 0.71),
        new("licence.licences", Licence, "holder_name", "amr.business_licence", "郑州市某某餐饮店", "hurd.qualification", "郑州市某某建筑公司", "mis_keyed", 0.62),
        new("population.persons", Person, "household_address", "hrss.insured", "金水区花园路1号", "psb.household", "金水区花园路2号"),
        new("population.persons", Person, "name", "hrss.insured", "王小明", "psb.household", "王晓明", "equivalent", 0.97),
    ];

    /// <inheritdoc />
    public void Dispose() => Host.Dispose();
}

/// <summary><c>quality.differences</c> through the real HTTP pipeline: the operator sees every difference unmasked; an
/// agency only those whose two entries and attribute it may read, with the key and each value masked as its grants mask
/// them; the sandbox keeps the table's files and the view's own catalog out of reach. Each test uses agencies of its own.</summary>
public sealed class DifferencesViewTests(DifferencesCityFixture city) : IClassFixture<DifferencesCityFixture>
{
    private const string AllDifferences = "SELECT * FROM quality.differences ORDER BY base_table, attribute";

    private static int _agencies;

    [Fact]
    public async Task Operator_Should_SeeEveryDifference_Unmasked_InTheChecksColumns()
    {
        using var operatorClient = city.Host.As("operator");

        var (status, body) = await Sql(operatorClient, AllDifferences);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(Consistency.ConsistencyCheck.DifferencesSchema.Fields.Select(f => f.Name),
            body.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(city.Rows, Difference.Read(body));
        Assert.All(body.GetProperty("rows").EnumerateArray(), r => Assert.Equal(CheckOutput.CheckedAt, r[10].GetDateTimeOffset()));
    }

    [Fact]
    public async Task Agency_Should_SeeOnlyDifferencesWhoseTwoEntriesItMayRead()
    {
        using var hrss = city.Host.As("hrss");
        using var stranger = city.Host.NewAgency("diff-none");
        using var urban = city.Host.As("urban-ops");

        var (_, provider) = await Sql(hrss, AllDifferences);
        var (_, none) = await Sql(stranger, AllDifferences);
        var (_, granted) = await Sql(urban, AllDifferences);

        // hrss provides hrss.insured but may not read psb.household, and no one without a grant reads tax.taxpayers: the
        // licence difference is between two unconditional entries, readable by every agency.
        var licence = city.Rows[1];
        Assert.Equal([licence], Difference.Read(provider));
        Assert.Equal([licence], Difference.Read(none));

        // The demo consumer holds unmasked grants on every conditional entry.
        Assert.Equal(city.Rows, Difference.Read(granted));
    }

    [Fact]
    public async Task Agency_Should_SeeTheKeyMasked_WhereEitherGrantMasksIt_AndEachValueWhereItsOwnEntrysGrantMasksIt()
    {
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        using var masked = city.Host.NewAgency("diff-masked");
        await Grant(masked, hrss, "hrss.insured", mask: ["household_address"]);
        await Grant(masked, psb, "psb.household", mask: ["id_number"]);

        var (status, body) = await Sql(masked, AllDifferences);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var (licence, address, name) = (city.Rows[1], city.Rows[2], city.Rows[3]);
        var key = FieldMask.Mask("id_number", city.Person);

        // The key is psb's id_number (dataset_b); the address is masked on hrss's side (dataset_a) only.
        Assert.Equal(
        [
            licence,
            address with { Key = key, ValueA = FieldMask.Mask("household_address", address.ValueA!) },
            name with { Key = key },
        ], Difference.Read(body));
        Assert.NotEqual(city.Person, key);
    }

    [Fact]
    public async Task Agency_Should_NotSeeADifferenceOnAnAttribute_OneOfItsGrantsLeavesOut()
    {
        using var psb = city.Host.As("psb");
        using var narrow = city.Host.NewAgency("diff-narrow");

        // Approved at once (a consumer, for employment services), for the name only.
        var (_, status, _) = await Request(narrow, new { entryId = "hrss.insured", purpose = "就业困难人员认定", purposeCategory = "employment_service", fields = new[] { "name" } });
        Assert.Equal("approved", status);
        await AcceptAgreement(narrow, "hrss.insured");
        await Grant(narrow, psb, "psb.household", mask: []);

        var (_, body) = await Sql(narrow, AllDifferences);

        Assert.Equal([city.Rows[1], city.Rows[3]], Difference.Read(body));
    }

    [Theory]
    [InlineData("INSERT INTO quality.differences (base_table) VALUES ('x')")]
    [InlineData("UPDATE quality.differences SET class = 'none'")]
    [InlineData("DELETE FROM quality.differences")]
    [InlineData("DROP VIEW quality.differences")]
    [InlineData("CREATE OR REPLACE VIEW quality.differences AS SELECT 1")]
    [InlineData("COPY quality.differences TO '{lake}/tmp/exports/differences.csv'")]
    [InlineData("SELECT * FROM govshare_quality.main.differences")]
    [InlineData("SELECT * FROM govshare_quality.differences")]
    [InlineData("SELECT * FROM read_parquet('{lake}/quality/differences/*.parquet')")]
    [InlineData("SELECT * FROM '{lake}/quality/differences/*.parquet'")]
    [InlineData("SELECT * FROM read_json('{lake}/quality/differences/_delta_log/00000000000000000000.json')")]
    [InlineData("SELECT * FROM read_json('{lake}/quality/check-state.json')")]
    public async Task Sandbox_Should_Refuse_When_TheStatementWritesTheViewOrReadsPastIt(string template)
    {
        using var stranger = city.Host.NewAgency("diff-sandbox-" + Interlocked.Increment(ref _agencies).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var operatorClient = city.Host.As("operator");
        var version = DeltaTable.Open(city.Host.Layout.DifferencesTable).LatestVersion();

        var (status, problem) = await Sql(stranger, template.Replace("{lake}", city.Host.Lake, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(version, DeltaTable.Open(city.Host.Layout.DifferencesTable).LatestVersion());
        Assert.Equal(city.Rows, Difference.Read((await Sql(operatorClient, AllDifferences)).Body));
    }

    // A grant the provider approves with the given masks, its agreement accepted.
    private static async Task Grant(HttpClient consumer, HttpClient provider, string entry, string[] mask)
    {
        var (id, _, _) = await Request(consumer, new { entryId = entry, purpose = "住房保障资格审核" });
        var (status, body) = await Post(provider, $"/api/access-requests/{id}/decision", new { approve = true, mask });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await AcceptAgreement(consumer, entry);
    }
}
