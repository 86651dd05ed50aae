using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Apache.Arrow.Ipc;
using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Tests.Query;
using GovShare.Lake.Text;
using Microsoft.Extensions.DependencyInjection;

namespace GovShare.Lake.QueryApi.Tests.Themes;

/// <summary>GET /api/themes and the theme exports on the demo city: every format read back by an independent reader
/// (DuckDB's Parquet reader, Apache Arrow, a JSON parser), versions as ETags, Range and conditional requests.</summary>
public sealed class ThemesApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    private const string ParquetType = "application/vnd.apache.parquet";

    [Fact]
    public async Task Themes_Should_ListTheFourDemoThemes_WithTheirColumnsAndTheLatestVersion()
    {
        using var client = city.Host.As("urban-ops");
        var latest = await LatestVersion(client);

        using var response = await client.GetAsync(new Uri("/api/themes", UriKind.Relative));
        var themes = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DemoThemes.All.Select(t => t.Id).Order(StringComparer.Ordinal), themes.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        foreach (var theme in themes.EnumerateArray())
        {
            var id = theme.GetProperty("id").GetString()!;
            var definition = DemoThemes.All.Single(t => t.Id == id);
            Assert.Equal(latest, theme.GetProperty("version").GetInt64());
            Assert.Equal(definition.KeyColumn, theme.GetProperty("key").GetString());
            Assert.Equal(definition.Name.Zh, theme.GetProperty("name").GetProperty("zh").GetString());
            Assert.Equal($"/api/themes/{id}/export", theme.GetProperty("export").GetString());

            // The columns and types are the view's own, as DuckDB's typeof() names them in a query over it.
            var names = await ColumnNames(client, id);
            var types = await Query(client, $"SELECT {string.Join(", ", names.Select(n => $"typeof({LakeDuckDb.Identifier(n)})"))} FROM themes.{id} LIMIT 1");
            Assert.Equal(names.Zip(types.GetProperty("rows")[0].EnumerateArray().Select(t => t.GetString()!)),
                theme.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)));
        }

        var socialSecurity = themes.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "social_security");
        Assert.Equal(["id_number", "name", "sex", "birth_date", "household_division", "residence_address", "phone", "status", "status_date"],
            socialSecurity.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));
        Assert.Equal("conditional", socialSecurity.GetProperty("sharingClass").GetString());
    }

    [Fact]
    public async Task Themes_Should_GiveADecimalColumnItsWidthAndScale_NotDecimal00()
    {
        using var client = city.Host.As("urban-ops");

        var themes = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/themes", UriKind.Relative));

        var credit = themes.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "credit");
        var capital = credit.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "registered_capital");
        var typeOf = await Query(client, "SELECT typeof(registered_capital) FROM themes.credit LIMIT 1");
        Assert.Equal(typeOf.GetProperty("rows")[0][0].GetString(), capital.GetProperty("type").GetString());
        Assert.Equal("DECIMAL(20,2)", capital.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Themes_Should_Answer401_When_NoKeyIsSent()
    {
        using var client = city.Host.Anonymous();

        using var response = await client.GetAsync(new Uri("/api/themes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Export_Should_SendParquet_ThatDuckDbReads_WithEveryRowOfTheTheme()
    {
        using var client = city.Host.As("urban-ops");
        var count = (await Query(client, "SELECT count(*) FROM themes.credit")).GetProperty("rows")[0][0].GetInt64();

        using var response = await client.GetAsync(new Uri("/api/themes/credit/export", UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ParquetType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        var file = Path.Combine(city.Host.Lake, $"themes-test-{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            using var duck = LakeDuckDb.OpenInMemory();
            Assert.True(count > 0);
            Assert.Equal(count, Convert.ToInt64(LakeDuckDb.Scalar(duck, $"SELECT count(*) FROM read_parquet({LakeDuckDb.Literal(file)})"), CultureInfo.InvariantCulture));
            Assert.Equal(count, Convert.ToInt64(LakeDuckDb.Scalar(duck, $"SELECT count(DISTINCT uscc) FROM read_parquet({LakeDuckDb.Literal(file)})"), CultureInfo.InvariantCulture));
            Assert.Equal(await ColumnNames(client, "credit"),
                LakeDuckDb.Strings(duck, $"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({LakeDuckDb.Literal(file)}))").Select(s => s!));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Export_Should_SendCsv_InUtf8AndInGbk_WithTheSameText()
    {
        using var client = city.Host.As("urban-ops");
        var count = (await Query(client, "SELECT count(*) FROM themes.social_security")).GetProperty("rows")[0][0].GetInt64();

        using var utf8Response = await client.GetAsync(new Uri("/api/themes/social_security/export?format=csv", UriKind.Relative));
        var utf8 = await utf8Response.Content.ReadAsByteArrayAsync();
        using var gbkResponse = await client.GetAsync(new Uri("/api/themes/social_security/export?format=csv&encoding=gbk", UriKind.Relative));
        var gbk = await gbkResponse.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, utf8Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, gbkResponse.StatusCode);
        Assert.Equal("text/csv", utf8Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", utf8Response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("gb18030", gbkResponse.Content.Headers.ContentType?.CharSet, ignoreCase: true);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        Assert.Equal(text, TextEncodings.StrictGb18030.GetString(gbk));
        Assert.NotEqual(utf8, gbk);

        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", await ColumnNames(client, "social_security")), lines[0]);
        Assert.Equal(count, lines.Length - 1);
        var firstName = (await Query(client, "SELECT name FROM themes.social_security WHERE name IS NOT NULL ORDER BY id_number LIMIT 1")).GetProperty("rows")[0][0].GetString()!;
        Assert.Contains(firstName, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Should_SendAnArrowStream_ThatApacheArrowReads()
    {
        using var client = city.Host.As("urban-ops");
        var count = (await Query(client, "SELECT count(*) FROM themes.urban_construction")).GetProperty("rows")[0][0].GetInt64();

        using var response = await client.GetAsync(new Uri("/api/themes/urban_construction/export?format=arrow", UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apache.arrow.stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new ArrowStreamReader(new MemoryStream(bytes));
        long rows = 0;
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                rows += batch.Length;
            }
        }

        Assert.True(count > 0);
        Assert.Equal(count, rows);
        Assert.Equal(await ColumnNames(client, "urban_construction"), reader.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public async Task Export_Should_SendJsonLines_OneObjectPerRow()
    {
        using var client = city.Host.As("urban-ops");
        var expected = (await Query(client, "SELECT uscc FROM themes.food_drug_safety ORDER BY uscc")).GetProperty("rows").EnumerateArray().Select(r => r[0].GetString()).ToList();

        using var response = await client.GetAsync(new Uri("/api/themes/food_drug_safety/export?format=jsonl", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.NotEmpty(rows);
        Assert.Equal(expected, rows.Select(r => r.GetProperty("uscc").GetString()));
        var columns = await ColumnNames(client, "food_drug_safety");
        Assert.All(rows, r => Assert.Equal(columns, r.EnumerateObject().Select(p => p.Name)));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    [InlineData("arrow")]
    [InlineData("jsonl")]
    public async Task Export_Should_CarryTheVersionAsETagAndHeader_When_AnyFormatIsAsked(string format)
    {
        using var client = city.Host.As("urban-ops");
        var latest = await LatestVersion(client);

        using var response = await client.GetAsync(new Uri($"/api/themes/credit/export?format={format}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches($"^\"v{latest}-[0-9a-f]{{12}}-[a-z0-9-]+\"$", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag?.IsWeak);
        Assert.Equal(latest.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-Lake-Version").Single());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task Export_Should_SendTheSameParquetBytes_When_TheSameVersionIsAskedTwice()
    {
        using var client = city.Host.As("urban-ops");

        var first = await client.GetByteArrayAsync(new Uri("/api/themes/social_security/export", UriKind.Relative));
        var second = await client.GetByteArrayAsync(new Uri("/api/themes/social_security/export", UriKind.Relative));

        Assert.Equal(first, second);
    }

    // Regression: the rows had no order, so a file written again for the same version (after pruning, or a restart
    // with an emptied export folder) came out in another row order under the same ETag, and a Range request
    // resuming a download spliced two different files together.
    [Fact]
    public async Task Export_Should_WriteTheSameParquetBytes_When_TheExportIsWrittenAgainForTheSameVersion()
    {
        using var client = city.Host.As("urban-ops");
        var exports = city.Host.Services.GetRequiredService<LakeEngine>().ExportDirectory;

        var first = await client.GetByteArrayAsync(new Uri("/api/themes/social_security/export", UriKind.Relative));
        for (var i = 0; i < 3; i++)
        {
            foreach (var file in Directory.EnumerateFiles(exports, "theme-social_security-*"))
            {
                File.Delete(file);
            }

            var again = await client.GetByteArrayAsync(new Uri("/api/themes/social_security/export", UriKind.Relative));

            Assert.Equal(first, again);
        }
    }

    [Fact]
    public async Task Export_Should_ResumeWithRange_When_TheFirstBytesWereReceived()
    {
        using var client = city.Host.As("urban-ops");
        using var full = await client.GetAsync(new Uri("/api/themes/credit/export", UriKind.Relative));
        var whole = await full.Content.ReadAsByteArrayAsync();
        var etag = full.Headers.ETag!;

        using var head = new HttpRequestMessage(HttpMethod.Get, "/api/themes/credit/export");
        head.Headers.Range = new RangeHeaderValue(0, 99);
        using var headResponse = await client.SendAsync(head);
        var start = await headResponse.Content.ReadAsByteArrayAsync();
        using var rest = new HttpRequestMessage(HttpMethod.Get, "/api/themes/credit/export");
        rest.Headers.Range = new RangeHeaderValue(100, null);
        rest.Headers.IfRange = new RangeConditionHeaderValue(etag);
        using var restResponse = await client.SendAsync(rest);
        var end = await restResponse.Content.ReadAsByteArrayAsync();

        Assert.True(whole.Length > 100);
        Assert.Equal(HttpStatusCode.PartialContent, headResponse.StatusCode);
        Assert.Equal(100, start.Length);
        Assert.Equal(0, headResponse.Content.Headers.ContentRange?.From);
        Assert.Equal(99, headResponse.Content.Headers.ContentRange?.To);
        Assert.Equal(whole.Length, headResponse.Content.Headers.ContentRange?.Length);
        Assert.Equal(etag, headResponse.Headers.ETag);
        Assert.Equal(HttpStatusCode.PartialContent, restResponse.StatusCode);
        Assert.Equal(whole, start.Concat(end).ToArray());
        Assert.Equal("bytes", full.Headers.AcceptRanges.Single());
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task Export_Should_Answer304WithTheETag_When_IfNoneMatchHoldsIt(string format)
    {
        using var client = city.Host.As("urban-ops");
        var latest = await LatestVersion(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/themes/credit/export?format={format}");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(await CurrentETag(client, format)));

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(body);
        Assert.Matches($"^\"v{latest}-[0-9a-f]{{12}}-[a-z0-9-]+\"$", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Export_Should_SendTheWholeFile_When_IfNoneMatchHoldsAnOlderVersion()
    {
        using var client = city.Host.As("urban-ops");
        var latest = await LatestVersion(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/themes/credit/export?format=csv");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue((await CurrentETag(client, "csv")).Replace($"\"v{latest}-", $"\"v{latest - 1}-", StringComparison.Ordinal)));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches($"^\"v{latest}-[0-9a-f]{{12}}-[a-z0-9-]+\"$", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Export_Should_SendTheCsv_When_IfNoneMatchHoldsTheParquetETagOfTheSameVersion()
    {
        using var client = city.Host.As("urban-ops");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/themes/credit/export?format=csv&encoding=gbk");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(await CurrentETag(client, "parquet")));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("-csv-gb18030\"", response.Headers.ETag?.Tag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Should_Answer404Problem_When_TheThemeIsUnknown()
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.GetAsync(new Uri("/api/themes/no_such_theme/export", UriKind.Relative));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no_such_theme", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format=xml")]
    [InlineData("format=json")]
    [InlineData("format=csv&encoding=latin1")]
    public async Task Export_Should_Answer400Problem_When_TheFormatOrEncodingIsNotOffered(string query)
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.GetAsync(new Uri($"/api/themes/credit/export?{query}", UriKind.Relative));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Export_Should_Answer404Problem_When_TheVersionDoesNotExist()
    {
        using var client = city.Host.As("urban-ops");
        var missing = await LatestVersion(client) + 1000;

        using var response = await client.GetAsync(new Uri($"/api/themes/credit/export?version={missing}", UriKind.Relative));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(missing.ToString(CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Should_Answer400Problem_When_SinceIsNotAnEarlierVersion()
    {
        using var client = city.Host.As("urban-ops");
        var latest = await LatestVersion(client);

        using var response = await client.GetAsync(new Uri($"/api/themes/credit/export?since={latest}&format=jsonl", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Export_Should_Answer400_When_EndUserOrPurposeIsMissing()
    {
        using var client = city.Host.As("urban-ops", withParty: false);

        using var response = await client.GetAsync(new Uri("/api/themes/credit/export", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    // A death delivered by the health commission shows up in the social security theme as an update since the version
    // before it, and the export pinned to that earlier version still shows the person alive. The lake changes, so the
    // test has its own demo city.
    [Fact]
    public async Task ExportSince_Should_ListExactlyTheNewlyDeceasedAsUpdated_And_TheOldVersionStillShowsThemAlive()
    {
        using var host = new DemoCityHost();
        using var consumer = host.As("urban-ops");
        var before = (await consumer.GetFromJsonAsync<JsonElement>(new Uri("/api/themes", UriKind.Relative)))[0].GetProperty("version").GetInt64();

        // The increment: three persons the health commission recorded alive, now 死亡 — built from its own file, same columns.
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.Lake, DemoLake.FolderName, "manifest.json")));
        var vital = Path.Combine(host.Lake, DemoLake.FolderName,
            manifest.RootElement.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "nhc.vital").GetProperty("file").GetString()!);
        var deathDate = manifest.RootElement.GetProperty("asOf").GetString()!;
        var increment = Path.Combine(host.Lake, $"vital-increment-{Guid.NewGuid():N}.parquet");
        List<string> deceased;
        using (var duck = LakeDuckDb.OpenInMemory())
        {
            var source = $"read_parquet({LakeDuckDb.Literal(vital)})";
            deceased = LakeDuckDb.Strings(duck, $"SELECT 公民身份号码 FROM {source} WHERE 人口状态 = '正常' ORDER BY 1 LIMIT 3").Select(s => s!).ToList();
            LakeDuckDb.Execute(duck, $"""
                COPY (
                    SELECT 公民身份号码, 姓名, 性别, 出生日期, '死亡' AS 人口状态, DATE {LakeDuckDb.Literal(deathDate)} AS 状态变更日期
                    FROM {source} WHERE 人口状态 = '正常' ORDER BY 公民身份号码 LIMIT 3
                ) TO {LakeDuckDb.Literal(increment)} (FORMAT parquet)
                """);
            Assert.Equal(["公民身份号码", "姓名", "性别", "出生日期", "人口状态", "状态变更日期"],
                LakeDuckDb.Strings(duck, $"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({LakeDuckDb.Literal(increment)}))").Select(s => s!));
        }

        Assert.Equal(3, deceased.Count);
        using var nhc = host.As("nhc", withParty: false);
        using var delivery = await nhc.PostAsync(new Uri("/api/datasets/nhc.vital/deliveries?fileName=vital_increment.parquet", UriKind.Relative),
            new ByteArrayContent(await File.ReadAllBytesAsync(increment)));
        var report = await delivery.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);
        Assert.Equal("committed", report.GetProperty("status").GetString());
        Assert.Equal(3, report.GetProperty("accepted").GetInt64());

        using var changesResponse = await consumer.GetAsync(new Uri($"/api/themes/social_security/export?since={before}&format=jsonl", UriKind.Relative));
        var changes = await JsonLines(changesResponse);
        using var oldResponse = await consumer.GetAsync(new Uri($"/api/themes/social_security/export?version={before}&format=jsonl", UriKind.Relative));
        var old = await JsonLines(oldResponse);

        Assert.Equal(HttpStatusCode.OK, changesResponse.StatusCode);
        Assert.Equal((before + 1).ToString(CultureInfo.InvariantCulture), changesResponse.Headers.GetValues("X-Lake-Version").Single());
        Assert.Matches($"^\"v{before + 1}-since-v{before}-[0-9a-f]{{12}}-[a-z0-9-]+\"$", changesResponse.Headers.ETag?.Tag);
        Assert.Equal(deceased.Select(id => ("updated", id)), changes.Select(r => (r.GetProperty("change").GetString()!, r.GetProperty("id_number").GetString()!)));
        Assert.All(changes, r => Assert.Equal("deceased", r.GetProperty("status").GetString()));
        Assert.All(changes, r => Assert.Equal(deathDate, r.GetProperty("status_date").GetString()));

        Assert.Equal(HttpStatusCode.OK, oldResponse.StatusCode);
        Assert.Equal(before.ToString(CultureInfo.InvariantCulture), oldResponse.Headers.GetValues("X-Lake-Version").Single());
        var pinned = old.Where(r => deceased.Contains(r.GetProperty("id_number").GetString()!)).ToList();
        Assert.Equal(deceased, pinned.Select(r => r.GetProperty("id_number").GetString()!));
        Assert.All(pinned, r => Assert.Equal("alive", r.GetProperty("status").GetString()));
        Assert.DoesNotContain(old, r => r.TryGetProperty("change", out _));
    }

    private static async Task<string> CurrentETag(HttpClient client, string format)
    {
        using var response = await client.GetAsync(new Uri($"/api/themes/credit/export?format={format}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.Tag;
    }

    private static async Task<long> LatestVersion(HttpClient client) =>
        (await Query(client, "SELECT 1")).GetProperty("version").GetInt64();

    private static async Task<List<string>> ColumnNames(HttpClient client, string theme) =>
        (await Query(client, $"SELECT * FROM themes.{theme} LIMIT 0")).GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();

    private static async Task<JsonElement> Query(HttpClient client, string sql)
    {
        using var response = await client.PostAsJsonAsync("/api/query", new { sql });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<List<JsonElement>> JsonLines(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }
}

/// <summary>Regression: the Parquet cache and the ETag were keyed by the lake version and a per-process counter only, so
/// after a theme's SQL changed (and the host restarted) the old file was served under the same ETag.</summary>
public sealed class ThemeDefinitionChangeTests
{
    [Fact]
    public async Task Export_Should_ServeTheNewRowsUnderANewETag_When_TheThemesSqlChangesAtTheSameLakeVersion()
    {
        using var host = new DemoCityHost();
        using var client = host.As("urban-ops");
        using var before = await client.GetAsync(new Uri("/api/themes/social_security/export?format=parquet", UriKind.Relative));
        var beforeBytes = await before.Content.ReadAsByteArrayAsync();

        var theme = host.Store.ListThemes().Single(t => t.Id == "social_security");
        host.Store.SaveTheme(theme with { Sql = theme.Sql + "\nWHERE p.sex = 'male'" }, DateTimeOffset.UtcNow);
        host.Services.GetRequiredService<LakeEngine>().Refresh();
        using var after = await client.GetAsync(new Uri("/api/themes/social_security/export?format=parquet", UriKind.Relative));
        var afterBytes = await after.Content.ReadAsByteArrayAsync();

        Assert.Equal(before.Headers.GetValues("X-Lake-Version").Single(), after.Headers.GetValues("X-Lake-Version").Single());
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.True(afterBytes.Length < beforeBytes.Length);
        var file = Path.Combine(host.Lake, "after.parquet");
        await File.WriteAllBytesAsync(file, afterBytes);
        using var duck = LakeDuckDb.OpenInMemory();
        Assert.Equal("male", LakeDuckDb.Scalar(duck, $"SELECT string_agg(DISTINCT sex) FROM read_parquet({LakeDuckDb.Literal(file)})"));
    }
}
