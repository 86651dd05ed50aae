using System.Globalization;
using System.Net;
using System.Text;
using GovShare.Lake.Audit;
using GovShare.Lake.Scorecards;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Scorecards;

/// <summary>A demo city of its own: the scorecards count the requests the tests make.</summary>
public sealed class ScorecardCityFixture : IDisposable
{
    /// <summary>The host.</summary>
    public DemoCityHost Host { get; } = new();

    /// <inheritdoc />
    public void Dispose() => Host.Dispose();
}

/// <summary><c>GET /api/scorecards</c> and the evaluation report through the real HTTP pipeline, on the demo city's
/// deliveries and on requests made here, checked against the delivery records and the audit trail.</summary>
public sealed class ScorecardsApiTests(ScorecardCityFixture city) : IClassFixture<ScorecardCityFixture>
{
    private DemoCityHost Host => city.Host;

    private static string Year => ChinaTime.ToChina(DateTimeOffset.UtcNow).Year.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Scorecards_Should_EqualTheDeliveryRecordsAndTheAuditTrail()
    {
        using var urban = Host.As("urban-ops");
        using var denied = Host.NewAgency("score-denied");
        using var operatorClient = Host.As("operator");
        var (_, ids) = await Sql(urban, "SELECT id_number FROM population.persons ORDER BY id_number LIMIT 2");
        foreach (var row in ids.GetProperty("rows").EnumerateArray())
        {
            Assert.Equal(HttpStatusCode.OK, (await Post(urban, "/api/lookup/person", new { idNumber = row[0].GetString() })).Status);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await Sql(denied, "SELECT count(*) FROM src.\"psb.household\"")).Status);
        var firstKey = ids.GetProperty("rows")[0][0].GetString();
        var (filed, _) = await Post(urban, "/api/mismatches", new
        {
            entryId = "hrss.insured", key = firstKey, attribute = "residence_address", doubtedValue = "金水区花园路1号", proposedValue = "金水区花园路2号",
            referenceDate = $"{Year}-01-01", reporterReference = "SC-1", note = "scorecard test",
        });
        Assert.Equal(HttpStatusCode.Created, filed);

        // A request is audited once its response is complete, which the client may see first.
        for (var waited = 0; !AuditLog.Read(Host.Lake).Any(e => e.Entry?.Event.Agency == "score-denied") && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        var (status, cards) = await Get(operatorClient, $"/api/scorecards?period={Year}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Year, cards.GetProperty("period").GetString());

        // Every provider of the catalogue, with what the delivery records say it delivered this year.
        var batches = Host.Store.ListBatches(limit: 10_000).Where(b => ChinaTime.ToChina(b.FinishedAt).Year.ToString(CultureInfo.InvariantCulture) == Year).ToList();
        var catalogue = Host.Store.ListCatalogue();
        var providers = cards.GetProperty("providers").EnumerateArray().ToList();
        Assert.Equal(catalogue.Select(r => r.Entry.Agency.Code).Distinct().Order(StringComparer.Ordinal), providers.Select(p => p.GetProperty("agency").GetString()));
        foreach (var provider in providers)
        {
            var own = catalogue.Where(r => r.Entry.Agency.Code == provider.GetProperty("agency").GetString()).Select(r => r.Entry.Id).ToHashSet();
            var delivered = batches.Where(b => own.Contains(b.DatasetId)).ToList();
            var figures = provider.GetProperty("deliveries");
            Assert.Equal(delivered.Count, figures.GetProperty("deliveries").GetInt64());
            Assert.Equal(delivered.Where(b => b.Status == "committed").Sum(b => b.Accepted), figures.GetProperty("rowsProvided").GetInt64());
            Assert.Equal(delivered.Sum(b => b.Quarantined), figures.GetProperty("rowsQuarantined").GetInt64());
        }

        // Mismatch reports against hrss: as many as the store holds for it (the one just filed is open, not overdue yet).
        var hrssMismatches = providers.Single(p => p.GetProperty("agency").GetString() == "hrss").GetProperty("mismatches");
        var stored = Host.Store.ListMismatchReports().Where(r => r.Provider == "hrss" && ChinaTime.ToChina(r.ReportedAt).Year.ToString(CultureInfo.InvariantCulture) == Year).ToList();
        Assert.Equal(stored.Count, hrssMismatches.GetProperty("reported").GetInt32());
        Assert.Equal(stored.Count(r => r.IsOpen), hrssMismatches.GetProperty("open").GetInt32());
        Assert.True(hrssMismatches.GetProperty("reported").GetInt32() >= 1);

        // psb's data was used by urban-ops: the query over population.persons and the lookups that served its rows.
        var psbUse = providers.Single(p => p.GetProperty("agency").GetString() == "psb").GetProperty("use");
        var byUrban = psbUse.GetProperty("byAgency").EnumerateArray().Single(a => a.GetProperty("agency").GetString() == "urban-ops");
        Assert.Equal(3, byUrban.GetProperty("requests").GetInt64());

        // Each agency's use, as the audit trail's own entries of the year count it.
        var entries = AuditLog.Read(Host.Lake).Select(e => e.Entry!)
            .Where(e => ChinaTime.ToChina(e.At).Year.ToString(CultureInfo.InvariantCulture) == Year && AuditUsage.DataActions.ContainsKey(e.Event.Action) && e.Event.Purpose is not null)
            .ToList();
        var consumers = cards.GetProperty("consumers").EnumerateArray().ToDictionary(c => c.GetProperty("agency").GetString()!);
        Assert.Equal(entries.Select(e => e.Event.Agency).Distinct().Order(StringComparer.Ordinal), consumers.Keys.Order(StringComparer.Ordinal));
        foreach (var (agency, consumer) in consumers)
        {
            var own = entries.Where(e => e.Event.Agency == agency).ToList();
            Assert.Equal(own.Count(e => e.Event.Outcome == "allowed"), consumer.GetProperty("requests").GetInt64());
            Assert.Equal(own.Count(e => e.Event.Outcome == "denied"), consumer.GetProperty("denied").GetInt64());
            Assert.Equal(own.Count(e => e.Event.Outcome == "failed"), consumer.GetProperty("failed").GetInt64());
            Assert.Equal(own.Where(e => e.Event.Outcome == "allowed").Sum(e => e.Event.Rows ?? 0), consumer.GetProperty("rowsServed").GetInt64());
        }

        Assert.Equal(1, consumers["score-denied"].GetProperty("denied").GetInt64());
        Assert.Equal("test", consumers["urban-ops"].GetProperty("purposes")[0].GetProperty("purpose").GetString());
    }

    [Fact]
    public async Task Agency_Should_ReadItsOwnScorecardOnly()
    {
        using var psb = Host.As("psb");
        using var urban = Host.As("urban-ops");
        Assert.Equal(HttpStatusCode.OK, (await Sql(psb, "SELECT count(*) FROM geo.divisions")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Sql(urban, "SELECT count(*) FROM geo.divisions")).Status);
        for (var waited = 0; AuditLog.Read(Host.Lake).Count(e => e.Entry?.Event.Action == "RunQuery" && e.Entry.Event.Resources.Contains("geo.divisions")) < 2 && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        var (status, cards) = await Get(psb, $"/api/scorecards?period={Year}");
        var (other, problem) = await Get(psb, $"/api/scorecards?period={Year}&agency=hrss");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["psb"], cards.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("agency").GetString()));
        Assert.Equal(["psb"], cards.GetProperty("consumers").EnumerateArray().Select(c => c.GetProperty("agency").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, other);
        Assert.Contains("only the operator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_Should_HoldARowPerDataset_WithAByteOrderMark()
    {
        using var operatorClient = Host.As("operator");

        using var response = await operatorClient.GetAsync(new Uri($"/api/scorecards?period={Year}&format=csv&table=datasets", UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("period,agency,entry_id,", lines[0], StringComparison.Ordinal);
        Assert.Equal(Host.Store.ListCatalogue().Count, lines.Length - 1);
        Assert.Contains($"scorecards-{Year}-datasets.csv", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Should_BeAPageForTheOperator_InChineseOrEnglish()
    {
        using var operatorClient = Host.As("operator");
        using var urban = Host.As("urban-ops");

        using var zh = await operatorClient.GetAsync(new Uri($"/api/scorecards/report?period={Year}", UriKind.Relative));
        using var en = await operatorClient.GetAsync(new Uri($"/api/scorecards/report?period={Year}&lang=en", UriKind.Relative));
        using var refused = await urban.GetAsync(new Uri($"/api/scorecards/report?period={Year}", UriKind.Relative));

        Assert.Equal("text/html", zh.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"{Year} 政务信息资源共享评估报告", await zh.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("2. Providing agencies", await en.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [InlineData("period=2026-13", "months are 01 to 12")]
    [InlineData("period=last", "is not a year")]
    [InlineData("format=xml", "not json or csv")]
    [InlineData("format=csv&table=everything", "is not one of providers")]
    public async Task BadParameters_Should_Get400_SayingWhy(string query, string expected)
    {
        using var operatorClient = Host.As("operator");

        var (status, problem) = await Get(operatorClient, "/api/scorecards?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
