using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Evidence;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.Evidence;

/// <summary>A licence served through the API comes with a receipt that verifies offline with the public key alone.</summary>
public sealed class EvidenceApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    [Fact]
    public async Task LicenceLookup_Should_ReturnAReceipt_ThatVerifiesWithThePublicKeyAlone()
    {
        using var consumer = city.Host.As("urban-ops");
        using var otherAgency = city.Host.As("psb");
        using var operatorClient = city.Host.As("operator");
        using var anonymous = city.Host.Anonymous();
        var licenceNo = (await QueryApiTests.Json(consumer, "SELECT licence_no FROM licence.licences ORDER BY licence_no LIMIT 1")).GetProperty("rows")[0][0].GetString()!;

        using var lookup = await consumer.PostAsJsonAsync("/api/lookup/licence", new { licenceNo });
        var answer = await lookup.Content.ReadFromJsonAsync<JsonElement>();
        var receiptId = answer.GetProperty("evidence").GetProperty("receiptId").GetString()!;
        var publicKey = await anonymous.GetStringAsync(new Uri("/api/evidence/public-key", UriKind.Relative));
        using var own = await consumer.GetAsync(new Uri($"/api/evidence/{receiptId}", UriKind.Relative));
        using var others = await otherAgency.GetAsync(new Uri($"/api/evidence/{receiptId}", UriKind.Relative));
        using var operators = await operatorClient.GetAsync(new Uri($"/api/evidence/{receiptId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, others.StatusCode);
        Assert.Equal(HttpStatusCode.OK, operators.StatusCode);
        var snapshot = await own.Content.ReadFromJsonAsync<JsonElement>();
        var receipt = snapshot.GetProperty("receipt").Deserialize<EvidenceReceipt>(EvidenceReceipt.Json)!;
        var content = Convert.FromBase64String(snapshot.GetProperty("contentBase64").GetString()!);
        Assert.Equal(licenceNo, receipt.Key);
        Assert.Equal("urban-ops", receipt.Agency);
        Assert.Equal("张三", receipt.EndUser);
        Assert.Equal(answer.GetProperty("version").GetInt64(), receipt.LakeVersion);

        // The content is the record exactly as the lookup served it; one changed byte fails.
        Assert.Equal(answer.GetProperty("record").GetRawText(), System.Text.Encoding.UTF8.GetString(content));
        var key = Sm.FromPem(publicKey);
        Assert.Null(EvidenceVault.Verify(receipt, key, content));
        content[^2] ^= 1;
        Assert.NotNull(EvidenceVault.Verify(receipt, key, content));
    }
}
