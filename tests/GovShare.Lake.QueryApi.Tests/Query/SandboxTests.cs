using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GovShare.Lake.QueryApi.Tests.Query;

/// <summary>Every way out of the analysts' sandbox is refused with a 400 problem, and nothing is read, written or changed.</summary>
public sealed class SandboxTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    private string Lake => city.Host.Lake;

    [Theory]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')")]
    [InlineData("SELECT * FROM read_csv_auto('{lake}/demo-credentials.txt')")]
    [InlineData("SELECT * FROM read_text('{lake}/demo-credentials.txt')")]
    [InlineData("SELECT * FROM read_blob('{lake}/platform.duckdb')")]
    [InlineData("SELECT * FROM read_parquet('{lake}/src/psb.household/*.parquet')")]
    [InlineData("SELECT * FROM read_json('{lake}/demo-city/manifest.json')")]
    [InlineData("SELECT * FROM '{lake}/demo-city/manifest.json'")]
    [InlineData("SELECT * FROM \"{lake}/src/psb.household/_delta_log/00000000000000000000.json\"")]
    [InlineData("SELECT * FROM glob('{lake}/*')")]
    [InlineData("SELECT * FROM parquet_metadata('{lake}/src/psb.household/x.parquet')")]
    [InlineData("SELECT * FROM duckdb_settings()")]
    [InlineData("SELECT * FROM duckdb_databases()")]
    [InlineData("SELECT * FROM query('SELECT 1')")]
    [InlineData("SELECT * FROM information_schema.tables")]
    [InlineData("SELECT * FROM lookup.main.persons_1")]
    [InlineData("SELECT * FROM memory.main.x")]
    [InlineData("SELECT * FROM persons")]
    [InlineData("COPY (SELECT 1) TO '{lake}/src/evil.csv'")]
    [InlineData("COPY population.persons TO '{lake}/tmp/exports/persons.csv'")]
    [InlineData("ATTACH '{lake}/platform.duckdb' AS platform")]
    [InlineData("ATTACH ':memory:' AS scratch")]
    [InlineData("DETACH lookup")]
    [InlineData("INSTALL httpfs")]
    [InlineData("LOAD httpfs")]
    [InlineData("SET threads = 1")]
    [InlineData("SET enable_external_access = true")]
    [InlineData("RESET memory_limit")]
    [InlineData("PRAGMA database_list")]
    [InlineData("EXPORT DATABASE '{lake}/tmp/exports/all'")]
    [InlineData("CALL pragma_version()")]
    [InlineData("CREATE TABLE t AS SELECT 1")]
    [InlineData("CREATE VIEW population.everyone AS SELECT 1")]
    [InlineData("DROP VIEW population.persons")]
    [InlineData("INSERT INTO population.persons (id_number) VALUES ('x')")]
    [InlineData("UPDATE population.persons SET name = 'x'")]
    [InlineData("DELETE FROM population.persons")]
    [InlineData("USE lookup")]
    [InlineData("CHECKPOINT")]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("SELECT 1; COPY (SELECT 1) TO '{lake}/src/x.csv'")]
    [InlineData("DESCRIBE population.persons")]
    [InlineData("SELECT * FROM population.persons AT (VERSION => 1)")]
    [InlineData("WITH x AS (SELECT * FROM read_csv('{lake}/demo-credentials.txt')) SELECT * FROM x")]
    [InlineData("SELECT (SELECT count(*) FROM read_csv('{lake}/demo-credentials.txt'))")]
    [InlineData("SELECT * FROM population.persons WHERE id_number IN (SELECT column0 FROM read_csv('{lake}/demo-credentials.txt'))")]
    [InlineData("SELECT * FROM (WITH \"{lake}/src/psb.household/part.parquet\" AS (SELECT 1) SELECT 1), '{lake}/src/**/*.parquet'")]
    [InlineData("SELECT * FROM (WITH \"{lake}/src/**/*.parquet\" AS (SELECT 1) SELECT 1) a, '{lake}/src/**/*.parquet' b")]
    [InlineData("SELECT * FROM (WITH duckdb_views AS (SELECT 1) SELECT 1), duckdb_views")]
    [InlineData("WITH \"{lake}/demo-credentials.txt\" AS (SELECT 1) SELECT * FROM \"{lake}/demo-credentials.txt\"")]
    [InlineData("SELECT current_setting('allowed_directories')")]
    [InlineData("SELECT * FROM duckdb_views")]
    [InlineData("SELECT 1\u0000; COPY (SELECT 1) TO '{lake}/src/x.csv'")]
    public async Task Sandbox_Should_Refuse_When_TheStatementReachesOutsideTheViews(string template)
    {
        var sql = template.Replace("{lake}", Lake, StringComparison.Ordinal);
        using var client = city.Host.As("urban-ops"); // starts the host (it seeds geo.divisions) before the snapshot
        var before = Snapshot();

        using var response = await client.PostAsJsonAsync("/api/query", new { sql });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.DoesNotContain("gsl_", body, StringComparison.Ordinal); // nothing of the credentials file (or any key) leaks into the answer
        var after = Snapshot();
        Assert.True(before.SequenceEqual(after), "changed: " + string.Join(", ", after.Except(before).Concat(before.Except(after))));

        // The engine still answers, with its settings untouched.
        var check = await QueryApiTests.Json(client, "SELECT count(*) FROM population.persons");
        Assert.True(check.GetProperty("rows")[0][0].GetInt64() > 0);
    }

    [Fact]
    public async Task Sandbox_Should_AllowCtesSetOperationsAndComputedRows()
    {
        using var client = city.Host.As("urban-ops");

        var answer = await QueryApiTests.Json(client, """
            WITH adults AS (SELECT id_number FROM population.persons WHERE birth_date < DATE '2000-01-01'),
                 numbers AS (SELECT * FROM range(3) t(i))
            SELECT 'adults' AS what, count(*) AS n FROM adults
            UNION ALL SELECT 'numbers', count(*) FROM numbers
            UNION ALL SELECT 'licences', count(*) FROM (SELECT * FROM licence.licences) l
            UNION ALL SELECT 'unnested', count(*) FROM (SELECT unnest([1, 2, 3]))
            ORDER BY what
            """);

        Assert.Equal(4, answer.GetProperty("rowCount").GetInt32());
    }

    /// <summary>Every file in the lake folder (exports included) except the lookup index, the audit log (each refusal is
    /// appended to it) and the store, with its size.</summary>
    private List<string> Snapshot() =>
        Directory.EnumerateFiles(Lake, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}lookup{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.EndsWith(".wal", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}audit{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !Path.GetFileName(f).StartsWith("platform.duckdb", StringComparison.Ordinal))
            .Select(f => $"{f}:{new FileInfo(f).Length}")
            .Order(StringComparer.Ordinal)
            .ToList();
}
