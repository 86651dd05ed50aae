using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Audit;
using GovShare.Lake.Quality;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.Quality;

/// <summary><c>GET /api/quality/anomalies</c> through the real HTTP pipeline: the operator sees every agency's anomalies, a
/// provider its own, a consumer none; each call audited. The class's own host, with anomalies of its own.</summary>
public sealed class FeedAnomaliesApiTests : IClassFixture<DemoCityFixture>
{
    private static readonly DateTimeOffset Detected = new(2031, 9, 27, 10, 15, 0, ChinaTime.Offset);

    private readonly DemoCityFixture _city;

    public FeedAnomaliesApiTests(DemoCityFixture city)
    {
        _city = city;

        // Recording again keeps the first: the fixture's store holds these once whichever test runs first.
        city.Host.Store.RecordFeedJudgements([],
        [
            Anomaly("amr.entities", "amr", "amr-b1", Detected),
            Anomaly("psb.household", "psb", "psb-b1", Detected.AddDays(-3)),
            Anomaly("psb.household", "psb", "psb-b2", Detected.AddMinutes(-5)),
        ]);
    }

    [Fact]
    public async Task Operator_Should_SeeEveryAgencysAnomalies_AndFilterByAgencyEntryAndDate()
    {
        using var client = _city.Host.As("operator");

        Assert.Equal(["amr-b1", "psb-b2", "psb-b1"], Batches(await Get(client, "/api/quality/anomalies")));
        Assert.Equal(["psb-b2", "psb-b1"], Batches(await Get(client, "/api/quality/anomalies?agency=psb")));
        Assert.Equal(["amr-b1"], Batches(await Get(client, "/api/quality/anomalies?entry=amr.entities")));
        Assert.Equal(["amr-b1", "psb-b2"], Batches(await Get(client, "/api/quality/anomalies?since=2031-09-27")));

        var first = (await Get(client, "/api/quality/anomalies?agency=amr"))[0];
        Assert.Equal(("rows_read", 3, 40, "drop", "本次投递 3 行，往常约 40 行（中位数），骤降 92.5%。"),
            (first.GetProperty("metric").GetString(), first.GetProperty("value").GetDouble(), first.GetProperty("median").GetDouble(),
                first.GetProperty("direction").GetString(), first.GetProperty("reasonZh").GetString()));
    }

    [Fact]
    public async Task Provider_Should_SeeOnlyItsOwnAnomalies_AndBeRefusedAnotherAgencys()
    {
        using var amr = _city.Host.As("amr");

        Assert.Equal(["amr-b1"], Batches(await Get(amr, "/api/quality/anomalies")));
        Assert.Empty(Batches(await Get(amr, "/api/quality/anomalies?entry=psb.household")));

        using var refused = await amr.GetAsync(new Uri("/api/quality/anomalies?agency=psb", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await Audited("amr", HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Consumer_Should_BeRefused_AndARequestWithoutItsPartyToo()
    {
        using var consumer = _city.Host.As("urban-ops");
        using var anonymousParty = _city.Host.As("amr", withParty: false);

        using var refused = await consumer.GetAsync(new Uri("/api/quality/anomalies", UriKind.Relative));
        using var unnamed = await anonymousParty.GetAsync(new Uri("/api/quality/anomalies", UriKind.Relative));
        using var badDate = await consumer.GetAsync(new Uri("/api/quality/anomalies?since=yesterday", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        await Audited("urban-ops", HttpStatusCode.Forbidden);
    }

    private static FeedAnomaly Anomaly(string entry, string agency, string batch, DateTimeOffset at) =>
        new(FeedAnomaly.IdOf(batch, FeedMetric.RowsRead), entry, agency, batch, FeedMetric.RowsRead, 3, 40, 2, -7.4, "drop", at.AddMinutes(-15), at,
            "本次投递 3 行，往常约 40 行（中位数），骤降 92.5%。", "This delivery brought 3 rows where about 40 is usual (the median): a drop of 92.5%.");

    private static async Task<List<JsonElement>> Get(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
    }

    private static List<string> Batches(List<JsonElement> anomalies) => anomalies.Select(a => a.GetProperty("batchId").GetString()!).ToList();

    // Audit records are appended once the response has completed: polled for.
    private async Task Audited(string agency, HttpStatusCode status)
    {
        for (var waited = 0; waited < 100; waited++)
        {
            if (AuditLog.Read(_city.Host.Lake).Any(e => e.Entry?.Event is { Action: "ListFeedAnomalies" } ev && ev.Agency == agency && ev.Status == (int)status))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"no ListFeedAnomalies audit record of {agency} with {(int)status}");
    }
}
