using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Audit;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.Audit;

/// <summary>Every data access and denial lands in the audit chain, and the operator can ask who accessed a person.</summary>
public sealed class AuditApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    [Fact]
    public async Task Lookup_Should_BeFoundByTheSubjectsKey_WithWhoWhenAndWhy()
    {
        using var consumer = city.Host.As("urban-ops");
        using var operatorClient = city.Host.As("operator");
        var id = (await QueryApiTests.Json(consumer, "SELECT id_number FROM population.persons ORDER BY id_number LIMIT 1 OFFSET 3")).GetProperty("rows")[0][0].GetString()!;

        using (var lookup = await consumer.PostAsJsonAsync("/api/lookup/person", new { idNumber = id }))
        {
            Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
        }

        var entries = await Eventually(async () =>
        {
            using var response = await operatorClient.PostAsJsonAsync("/api/audit/subject", new { idNumber = id });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        }, found => found.Any(e => e.GetProperty("action").GetString() == "LookupPerson"));

        var entry = entries.First(e => e.GetProperty("action").GetString() == "LookupPerson");
        Assert.Equal("urban-ops", entry.GetProperty("agency").GetString());
        Assert.Equal("张三", entry.GetProperty("endUser").GetString());
        Assert.Equal("test", entry.GetProperty("purpose").GetString());
        Assert.Equal("allowed", entry.GetProperty("outcome").GetString());
        Assert.Contains("population.persons", entry.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        var log = string.Concat(Directory.GetFiles(Path.Combine(city.Host.Lake, AuditLog.FolderName), "*.jsonl").Select(File.ReadAllText));
        Assert.DoesNotContain(id, log, StringComparison.Ordinal); // keyed hashes only
    }

    [Fact]
    public async Task Query_Should_BeAuditedWithItsViewsHashAndRows_And_DenialsToo()
    {
        using var consumer = city.Host.As("urban-ops");
        using var unnamed = city.Host.As("urban-ops", withParty: false);
        using var operatorClient = city.Host.As("operator");
        const string sql = "SELECT count(*) FROM legal_entity.entities e JOIN licence.licences l ON l.holder_key = e.uscc";
        await QueryApiTests.Json(consumer, sql);
        using (await unnamed.PostAsJsonAsync("/api/query", new { sql }))
        {
        }

        using (var forbidden = await consumer.GetAsync(new Uri("/api/audit", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        var entries = await Eventually(async () =>
            (await operatorClient.GetFromJsonAsync<JsonElement>("/api/audit?agency=urban-ops&limit=1000")).EnumerateArray().ToList(),
            found => found.Any(e => e.GetProperty("action").GetString() == "RunQuery" && e.GetProperty("outcome").GetString() == "denied")
                && found.Any(e => e.GetProperty("action").GetString() == "authorize"));

        var query = entries.First(e => e.GetProperty("action").GetString() == "RunQuery" && e.GetProperty("outcome").GetString() == "allowed"
            && e.GetProperty("resources").GetArrayLength() == 2);
        Assert.Equal(["legal_entity.entities", "licence.licences"], query.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!).Order());
        Assert.Equal(64, query.GetProperty("queryHash").GetString()!.Length);
        Assert.Equal(1, query.GetProperty("rows").GetInt64());
        Assert.True(AuditLog.Verify(city.Host.Lake).Ok);
    }

    private static async Task<List<JsonElement>> Eventually(Func<Task<List<JsonElement>>> read, Func<List<JsonElement>, bool> done)
    {
        // Entries are appended when a response completes, a moment after the client has it.
        for (var attempt = 0; ; attempt++)
        {
            var found = await read();
            if (done(found) || attempt == 50)
            {
                Assert.True(done(found), "the audit entries did not appear");
                return found;
            }

            await Task.Delay(100);
        }
    }
}
