using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Apache.Arrow.Ipc;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Text;

namespace GovShare.Lake.QueryApi.Tests.Query;

/// <summary>POST /api/query on the demo city: formats, paging, identity, and a cross-check against the lake core's own
/// views over the same files.</summary>
public sealed class QueryApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    private const string FederatedSql = """
        SELECT p.household_division AS division, count(DISTINCT p.id_number) AS persons, count(l.licence_no) AS licences
        FROM population.persons p
        LEFT JOIN licence.licences l ON l.holder_key = p.id_number
        GROUP BY 1 ORDER BY 1
        """;

    [Fact]
    public async Task Query_Should_Answer401Problem_When_NoKeyIsSent()
    {
        using var client = city.Host.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Query_Should_Answer401Problem_When_TheKeyIsUnknown()
    {
        using var client = city.Host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "gsl_000000000000_notakey");

        using var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not valid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_Should_Answer400_When_EndUserOrPurposeIsMissing()
    {
        using var client = city.Host.As("urban-ops", withParty: false);

        using var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-End-User", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_Should_JoinTheBaseDatabases_And_AgreeWithTheLakeCoreViews()
    {
        using var client = city.Host.As("urban-ops");

        var answer = await Json(client, FederatedSql);

        // The same SQL over views the lake core builds from the provider tables directly (no HTTP, no engine).
        using var duck = LakeDuckDb.OpenInMemory();
        RegisterIndependentViews(duck);
        var expected = Rows(duck, FederatedSql);
        Assert.Equal(expected.Count, answer.GetProperty("rowCount").GetInt32());
        Assert.True(expected.Count > 1);
        var rows = answer.GetProperty("rows").EnumerateArray().Select(r => string.Join("|", r.EnumerateArray().Select(v => v.ToString()))).ToList();
        Assert.Equal(expected, rows);
        Assert.Equal(["division", "persons", "licences"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));
        Assert.Equal("BIGINT", answer.GetProperty("columns")[1].GetProperty("type").GetString());
        Assert.True(answer.GetProperty("version").GetInt64() >= 1);
        Assert.False(answer.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Query_Should_ReturnAContinuationToken_When_RowsExceedTheCap_And_ThePagesJoinUp()
    {
        using var client = city.Host.As("urban-ops");
        const string sql = "SELECT i FROM range(25000) t(i) ORDER BY i";

        var values = new List<long>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await Json(client, sql, continuation: continuation);
            values.AddRange(page.GetProperty("rows").EnumerateArray().Select(r => r[0].GetInt64()));
            continuation = page.GetProperty("continuation").GetString();
            Assert.Equal(continuation is not null, page.GetProperty("truncated").GetBoolean());
            pages++;
        }
        while (continuation is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25000).Select(i => (long)i), values);
    }

    [Fact]
    public async Task Query_Should_RefuseAContinuationToken_When_TheSqlDiffers()
    {
        using var client = city.Host.As("urban-ops");
        var page = await Json(client, "SELECT i FROM range(20000) t(i)");

        using var response = await client.PostAsJsonAsync("/api/query",
            new { sql = "SELECT i + 1 FROM range(20000) t(i)", continuation = page.GetProperty("continuation").GetString() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Csv_Should_CarryTheSameRowsAsJson_InUtf8AndGbk()
    {
        using var client = city.Host.As("urban-ops");
        const string sql = "SELECT id_number, name, household_address FROM population.persons ORDER BY id_number LIMIT 50";
        var json = await Json(client, sql);
        var expected = json.GetProperty("rows").EnumerateArray().Select(r => r[1].GetString() ?? "").ToList();

        foreach (var (query, encoding) in new[] { ("", (Encoding)new UTF8Encoding(false)), ("?encoding=gbk", TextEncodings.Gb18030) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/query" + query) { Content = JsonContent.Create(new { sql }) };
            request.Headers.Accept.ParseAdd("text/csv");
            using var response = await client.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            var lines = encoding.GetString(bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("id_number,name,household_address", lines[0]);
            Assert.Equal(expected, lines.Skip(1).Select(l => l.Split(',')[1]).ToList());
        }
    }

    [Fact]
    public async Task Parquet_Should_BeReadableByDuckDb_WithTheSameRows()
    {
        using var client = city.Host.As("urban-ops");
        var expected = await Json(client, FederatedSql);

        var bytes = await Download(client, FederatedSql, "application/vnd.apache.parquet");

        var file = Path.Combine(city.Host.Lake, $"check-{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            using var duck = LakeDuckDb.OpenInMemory();
            var rows = Rows(duck, $"SELECT * FROM read_parquet({LakeDuckDb.Literal(file)})");
            Assert.Equal(expected.GetProperty("rows").EnumerateArray().Select(r => string.Join("|", r.EnumerateArray().Select(v => v.ToString()))), rows);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Arrow_Should_BeReadableByApacheArrow_WithTheSameRows()
    {
        using var client = city.Host.As("urban-ops");
        const string sql = "SELECT id_number, name, birth_date FROM population.persons ORDER BY id_number";
        var count = (await Json(client, "SELECT count(*) FROM population.persons")).GetProperty("rows")[0][0].GetInt64();

        var bytes = await Download(client, sql, "application/vnd.apache.arrow.stream");

        using var reader = new ArrowStreamReader(new MemoryStream(bytes));
        long rows = 0;
        string? first = null;
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                first ??= ((Apache.Arrow.StringArray)batch.Column(0)).GetString(0);
                rows += batch.Length;
            }
        }

        Assert.Equal(count, rows);
        Assert.Equal(Apache.Arrow.Types.ArrowTypeId.Date32, reader.Schema.GetFieldByName("birth_date").DataType.TypeId);
        var firstId = (await Json(client, "SELECT min(id_number) FROM population.persons")).GetProperty("rows")[0][0].GetString();
        Assert.Equal(firstId, first);
    }

    [Fact]
    public async Task Query_Should_Answer406_When_AcceptNamesNoFormat()
    {
        using var client = city.Host.As("urban-ops");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/query") { Content = JsonContent.Create(new { sql = "SELECT 1" }) };
        request.Headers.Accept.ParseAdd("image/png");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task Query_Should_GiveDuckDbsMessageAndThePosition_When_AColumnIsMisspelt()
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT id_number,\n       nme FROM population.persons" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("nme", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, problem.GetProperty("position").GetProperty("line").GetInt32());
        Assert.Equal(8, problem.GetProperty("position").GetProperty("column").GetInt32());
    }

    // Regression: a statement ending in "; -- comment" parsed alone, but not once wrapped for paging or Parquet.
    [Theory]
    [InlineData("SELECT 1 AS one; -- the end")]
    [InlineData("SELECT 1 AS one;\n-- the end")]
    [InlineData("SELECT 1 AS one; /* the end */ ;")]
    [InlineData("-- first a comment\nSELECT 1 AS one -- and one after\n")]
    public async Task Query_Should_Answer_When_TheStatementEndsWithASemicolonOrAComment(string sql)
    {
        using var client = city.Host.As("urban-ops");

        var answer = await Json(client, sql);
        var parquet = await Download(client, sql, "application/vnd.apache.parquet");

        Assert.Equal(1, answer.GetProperty("rows")[0][0].GetInt32());
        Assert.Equal("PAR1"u8.ToArray(), parquet[..4]);
    }

    [Fact]
    public async Task Query_Should_ReadEveryProviderTable_InTheSrcSchema()
    {
        using var client = city.Host.As("urban-ops");

        var answer = await Json(client, """SELECT count(*) FROM src."psb.household" WHERE record_status = 'current'""");

        var snapshot = DeltaTable.Open(city.Host.Layout.ProviderTable("psb.household")).Snapshot();
        using var duck = LakeDuckDb.OpenInMemory();
        var expected = Convert.ToInt64(LakeDuckDb.Scalar(duck, $"SELECT count(*) FROM ({snapshot.ToDuckDbQuery()}) WHERE record_status = 'current'"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, answer.GetProperty("rows")[0][0].GetInt64());
    }

    internal static async Task<JsonElement> Json(HttpClient client, string sql, string? asOf = null, string? continuation = null)
    {
        using var response = await client.PostAsJsonAsync("/api/query", new { sql, asOf, continuation });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<byte[]> Download(HttpClient client, string sql, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/query") { Content = JsonContent.Create(new { sql }) };
        request.Headers.Accept.ParseAdd(accept);
        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, Encoding.UTF8.GetString(bytes));
        Assert.Equal(accept, response.Content.Headers.ContentType?.MediaType);
        return bytes;
    }

    private void RegisterIndependentViews(DuckDB.NET.Data.DuckDBConnection duck)
    {
        var sources = new Dictionary<BaseTable, IReadOnlyList<ProviderSource>>();
        foreach (var entry in city.Host.Store.ListCatalogue().Select(r => r.Entry))
        {
            var path = city.Host.Layout.ProviderTable(entry.Id);
            if (!DeltaTable.Exists(path))
            {
                continue;
            }

            var table = entry.Table;
            var list = sources.TryGetValue(table, out var existing) ? existing.ToList() : [];
            list.Add(new ProviderSource(entry.Id, entry.Agency.Code, DeltaTable.Open(path).Snapshot(), entry.Authoritative.ToHashSet()));
            sources[table] = list;
        }

        BaseDatabaseViews.Register(duck, sources);
    }

    private static List<string> Rows(DuckDB.NET.Data.DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}

/// <summary>One demo city per test class that only reads it.</summary>
public sealed class DemoCityFixture : IDisposable
{
    /// <summary>The host.</summary>
    public DemoCityHost Host { get; } = new();

    /// <inheritdoc />
    public void Dispose() => Host.Dispose();
}
