using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Engine;
using GovShare.Lake.QueryApi.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace GovShare.Lake.QueryApi.Tests.Query;

/// <summary>Reads pinned to one lake version: asOf a number or an instant, and a query timeout. Each test changes or
/// configures its own lake.</summary>
public sealed class VersionPinningTests
{
    [Fact]
    public async Task AsOf_Should_ReadTheEarlierVersion_When_ADeliveryChangedTheLakeSince()
    {
        using var host = new DemoCityHost();
        using var client = host.As("urban-ops");
        const string sql = "SELECT count(*) FILTER (WHERE status = 'deceased') AS deceased, count(*) AS persons FROM population.persons";
        var before = await QueryApiTests.Json(client, sql);
        var oldVersion = before.GetProperty("version").GetInt64();
        var oldDeceased = before.GetProperty("rows")[0][0].GetInt64();
        await Task.Delay(50);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);

        var changed = DeliverDeaths(host, 7);
        host.Services.GetRequiredService<LakeEngine>().Refresh();

        var after = await QueryApiTests.Json(client, sql);
        var pinned = await QueryApiTests.Json(client, sql, asOf: oldVersion.ToString(CultureInfo.InvariantCulture));
        var byInstant = await QueryApiTests.Json(client, sql, asOf: between.ToString("O", CultureInfo.InvariantCulture));
        Assert.True(after.GetProperty("version").GetInt64() > oldVersion);
        Assert.Equal(oldDeceased + changed, after.GetProperty("rows")[0][0].GetInt64());
        Assert.Equal(oldVersion, pinned.GetProperty("version").GetInt64());
        Assert.Equal(oldDeceased, pinned.GetProperty("rows")[0][0].GetInt64());
        Assert.Equal(oldVersion, byInstant.GetProperty("version").GetInt64());
        Assert.Equal(oldDeceased, byInstant.GetProperty("rows")[0][0].GetInt64());
    }

    [Fact]
    public async Task AsOf_Should_Answer404Problem_When_TheVersionDoesNotExist_And_400_When_ItIsNotAVersionOrInstant()
    {
        using var host = new DemoCityHost();
        using var client = host.As("urban-ops");

        using var missing = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1", asOf = "999999" });
        using var early = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1", asOf = "2001-01-01T00:00:00+08:00" });
        using var garbage = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1", asOf = "yesterday-ish" });

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal("application/problem+json", garbage.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Query_Should_BeInterruptedWith408_When_ItRunsPastTheTimeLimit_And_TheEngineKeepsServing()
    {
        using var host = new DemoCityHost(new Dictionary<string, string> { ["Engine:QueryTimeout"] = "00:00:01" });
        using var client = host.As("urban-ops");

        using var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT count(*) FROM range(1000000000000) a, range(1000) b WHERE a.range % 7 = b.range" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Contains("limit", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var next = await QueryApiTests.Json(client, "SELECT count(*) FROM population.persons");
        Assert.True(next.GetProperty("rows")[0][0].GetInt64() > 0);
    }

    /// <summary>Delivers an nhc.vital increment (Parquet, as the provider sends it) marking <paramref name="count"/>
    /// living persons as deceased; returns how many changed.</summary>
    internal static int DeliverDeaths(DemoCityHost host, int count)
    {
        var original = Directory.EnumerateFiles(Path.Combine(host.Lake, "demo-city"), "*.parquet", SearchOption.AllDirectories)
            .First(f => f.Contains("nhc.vital", StringComparison.Ordinal));
        var increment = Path.Combine(host.Lake, $"nhc-vital-deaths-{Guid.NewGuid():N}.parquet");
        using (var duck = LakeDuckDb.OpenInMemory())
        {
            LakeDuckDb.Execute(duck, $"""
                COPY (
                    SELECT * REPLACE ('死亡' AS 人口状态, DATE '2026-11-01' AS 状态变更日期)
                    FROM read_parquet({LakeDuckDb.Literal(original)})
                    WHERE 人口状态 = '正常' AND length(公民身份号码) = 18
                    ORDER BY 公民身份号码 LIMIT {count}
                ) TO {LakeDuckDb.Literal(increment)} (FORMAT parquet)
                """);
        }

        var report = host.Ingestor.Ingest(increment, "nhc.vital");
        Assert.Equal(GovShare.Lake.Ingestion.Ingest.BatchStatus.Committed, report.Status);
        return (int)report.Accepted;
    }
}
