using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Evidence;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.Evidence;

/// <summary>Licence data served in bulk or with a person or entity comes with receipts over the exact bytes served.</summary>
public sealed class ExportEvidenceTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    [Theory]
    [InlineData("application/json")]
    [InlineData("text/csv")]
    [InlineData("application/vnd.apache.parquet")]
    [InlineData("application/x-ndjson")]
    public async Task QueryOfLicenceData_Should_NameAReceipt_OverTheExactBytesServed(string accept)
    {
        using var client = city.Host.As("urban-ops");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/query") { Content = JsonContent.Create(new { sql = "SELECT licence_no, holder_name FROM licence.licences ORDER BY licence_no LIMIT 50" }) };
        request.Headers.Accept.ParseAdd(accept);

        using var response = await client.SendAsync(request);
        var served = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receiptId = Assert.Single(response.Headers.GetValues("X-Evidence-Receipt"));
        var (receipt, content) = await Fetch(client, receiptId);
        Assert.Equal(served, content);
        Assert.Equal("licence.licences", receipt.Resource);
        Assert.Null(EvidenceVault.Verify(receipt, Sm.FromPem(await city.Host.Anonymous().GetStringAsync(new Uri("/api/evidence/public-key", UriKind.Relative))), served));
    }

    [Fact]
    public async Task QueryWithoutLicenceData_Should_HaveNoReceipt()
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT count(*) FROM legal_entity.entities" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Evidence-Receipt"));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    public async Task ExportOfALicenceTheme_Should_NameAReceipt_OverTheFileServed(string format)
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.GetAsync(new Uri($"/api/themes/credit/export?format={format}", UriKind.Relative));
        var served = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (receipt, content) = await Fetch(client, Assert.Single(response.Headers.GetValues("X-Evidence-Receipt")));
        Assert.Equal(served, content);
        Assert.Equal("themes.credit", receipt.Key);
    }

    [Fact]
    public async Task EntityLookup_Should_GiveAReceiptForEachLicenceServed()
    {
        using var client = city.Host.As("urban-ops");
        var uscc = (await QueryApiTests.Json(client, "SELECT holder_key FROM licence.licences WHERE holder_kind = 'uscc' ORDER BY holder_key LIMIT 1")).GetProperty("rows")[0][0].GetString()!;

        using var response = await client.PostAsJsonAsync("/api/lookup/entity", new { uscc });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        var licences = answer.GetProperty("licences").EnumerateArray().ToList();
        var receipts = answer.GetProperty("licenceEvidence").EnumerateArray().ToList();
        Assert.NotEmpty(licences);
        Assert.Equal(licences.Count, receipts.Count);
        for (var i = 0; i < licences.Count; i++)
        {
            var (receipt, content) = await Fetch(client, receipts[i].GetProperty("receiptId").GetString()!);
            Assert.Equal(licences[i].GetProperty("key").GetString(), receipt.Key);
            Assert.Equal(licences[i].GetRawText(), System.Text.Encoding.UTF8.GetString(content));
        }
    }

    private static async Task<(EvidenceReceipt Receipt, byte[] Content)> Fetch(HttpClient client, string receiptId)
    {
        var snapshot = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/evidence/{receiptId}", UriKind.Relative));
        return (snapshot.GetProperty("receipt").Deserialize<EvidenceReceipt>(EvidenceReceipt.Json)!, Convert.FromBase64String(snapshot.GetProperty("contentBase64").GetString()!));
    }
}
