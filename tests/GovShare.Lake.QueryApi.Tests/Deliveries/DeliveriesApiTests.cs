using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.Deliveries;

/// <summary>POST /api/datasets/{id}/deliveries on the demo city. Deliveries that are refused share the class's city
/// (nothing is committed); a delivery that commits gets a city of its own.</summary>
public sealed class DeliveriesApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    private const string Header = "地点编码,地点名称,标准地址,行政区划代码,经度,纬度,用途,面积（平方米）";

    [Fact]
    public async Task Delivery_Should_CommitAndAnswerTheReport_And_TheNewRowsAreQueryableAtOnce()
    {
        using var host = new DemoCityHost();
        using var consumer = host.As("urban-ops");
        var before = (await Query(consumer, "SELECT 1")).GetProperty("version").GetInt64();
        var file = PlacesFileWith(host, "41010599990001,测试广场一号,河南省郑州市金水区测试路1号,410105,113.68,34.79,商业服务业用地,1200.50",
            "41010599990002,测试广场二号,河南省郑州市金水区测试路2号,410105,113.69,34.80,城镇住宅用地,800.25");
        using var nr = host.As("nr", withParty: false);

        using var response = await nr.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places_test.csv", UriKind.Relative), new ByteArrayContent(file));
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        // No waiting for the background refresh: the delivery's own response path makes the new version readable.
        var rows = await Query(consumer, "SELECT place_id, name, area_m2 FROM geo.places WHERE place_id LIKE '4101059999%' ORDER BY place_id");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("committed", report.GetProperty("status").GetString());
        Assert.Equal("nr.places", report.GetProperty("datasetId").GetString());
        Assert.Equal("places_test.csv", report.GetProperty("file").GetString());
        Assert.Equal(2, report.GetProperty("inserted").GetInt64());
        Assert.Equal(0, report.GetProperty("ended").GetInt64());
        Assert.Equal(report.GetProperty("read").GetInt64() - report.GetProperty("quarantined").GetInt64(), report.GetProperty("accepted").GetInt64());
        Assert.True(report.GetProperty("accepted").GetInt64() > 2);
        Assert.Equal(before + 1, rows.GetProperty("version").GetInt64());
        Assert.Equal(["41010599990001|测试广场一号|1200.5", "41010599990002|测试广场二号|800.25"],
            rows.GetProperty("rows").EnumerateArray().Select(r => string.Join("|", r.EnumerateArray().Select(v => v.ToString()))));
    }

    [Fact]
    public async Task Delivery_Should_AnswerAlreadyCommitted_When_TheSameFileIsDeliveredAgain()
    {
        using var host = new DemoCityHost();
        var file = PlacesFileWith(host, "41010599990003,测试广场三号,河南省郑州市金水区测试路3号,410105,113.70,34.81,商业服务业用地,500.00");
        using var nr = host.As("nr", withParty: false);
        using var first = await nr.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places_test.csv", UriKind.Relative), new ByteArrayContent(file));
        var committed = await first.Content.ReadFromJsonAsync<JsonElement>();
        using var consumer = host.As("urban-ops");
        var version = (await Query(consumer, "SELECT 1")).GetProperty("version").GetInt64();

        using var again = await nr.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places_again.csv", UriKind.Relative), new ByteArrayContent(file));
        var report = await again.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("committed", committed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("already_committed", report.GetProperty("status").GetString());
        Assert.Equal(committed.GetProperty("batchId").GetString(), report.GetProperty("batchId").GetString());
        Assert.Equal(committed.GetProperty("version").GetInt64(), report.GetProperty("version").GetInt64());
        Assert.Equal(version, (await Query(consumer, "SELECT 1")).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Delivery_Should_BeAccepted_When_TheOperatorDeliversForAProvider()
    {
        using var host = new DemoCityHost();
        var file = PlacesFileWith(host, "41010599990004,测试广场四号,河南省郑州市金水区测试路4号,410105,113.71,34.82,商业服务业用地,650.00");
        using var operatorClient = host.As("operator", withParty: false);

        using var response = await operatorClient.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places_test.csv", UriKind.Relative), new ByteArrayContent(file));
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("committed", report.GetProperty("status").GetString());
        using var consumer = host.As("urban-ops");
        var rows = await Query(consumer, "SELECT name FROM geo.places WHERE place_id = '41010599990004'");
        Assert.Equal("测试广场四号", rows.GetProperty("rows")[0][0].GetString());
    }

    [Fact]
    public async Task Delivery_Should_TakeTheFileNameFromContentDisposition_When_NoneIsInTheQuery()
    {
        // The original demo file, already committed when the city was seeded: nothing changes in the lake.
        using var nr = city.Host.As("nr", withParty: false);
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(DemoFile(city.Host, "nr.places")));
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = "地点_20261123.csv" };

        using var response = await nr.PostAsync(new Uri("/api/datasets/nr.places/deliveries", UriKind.Relative), content);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("already_committed", report.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("psb")]
    [InlineData("amr")]
    public async Task Delivery_Should_Answer403Problem_When_AnotherProviderDelivers(string agency)
    {
        using var client = city.Host.As(agency, withParty: false);

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places.csv", UriKind.Relative),
            new ByteArrayContent(await File.ReadAllBytesAsync(DemoFile(city.Host, "nr.places"))));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(agency, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("nr", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_Should_Answer403Problem_When_AConsumerDelivers()
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.PostAsync(new Uri("/api/datasets/psb.household/deliveries?fileName=household.csv", UriKind.Relative),
            new ByteArrayContent(await File.ReadAllBytesAsync(DemoFile(city.Host, "psb.household"))));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Delivery_Should_Answer404Problem_When_TheDatasetIsUnknown()
    {
        using var client = city.Host.As("nr", withParty: false);

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.no_such_dataset/deliveries?fileName=x.csv", UriKind.Relative),
            new ByteArrayContent(Encoding.UTF8.GetBytes(Header + "\n")));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nr.no_such_dataset", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_Should_Answer400Problem_When_TheBodyIsEmpty()
    {
        using var client = city.Host.As("nr", withParty: false);

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places.csv", UriKind.Relative), new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("../places.csv")]
    [InlineData("..")]
    [InlineData("sub/places.csv")]
    public async Task Delivery_Should_Answer400Problem_When_TheFileNameHoldsAPath(string name)
    {
        using var client = city.Host.As("nr", withParty: false);

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=" + Uri.EscapeDataString(name), UriKind.Relative),
            new ByteArrayContent(Encoding.UTF8.GetBytes(Header + "\n")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Delivery_Should_Answer422ProblemWithTheReport_When_TheFileIsNotACsvAtAll()
    {
        using var client = city.Host.As("nr", withParty: false);
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) % 251)).ToArray();

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=garbage.csv", UriKind.Relative), new ByteArrayContent(garbage));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var report = problem.GetProperty("report");
        Assert.Equal("failed", report.GetProperty("status").GetString());
        Assert.Equal("nr.places", report.GetProperty("datasetId").GetString());
        Assert.False(string.IsNullOrEmpty(report.GetProperty("message").GetString()));
        Assert.Equal(0, report.GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task Delivery_Should_Answer422ProblemWithTheReport_When_MostRowsAreInvalid()
    {
        using var client = city.Host.As("nr", withParty: false);
        var lines = Enumerable.Range(1, 20)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"4101059998{i:0000},,河南省郑州市金水区无名路{i}号,999999,113.7,34.8,商业服务业用地,100"));
        var file = Encoding.UTF8.GetBytes(string.Join("\n", lines.Prepend(Header)) + "\n");

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places_bad.csv", UriKind.Relative), new ByteArrayContent(file));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var report = problem.GetProperty("report");
        Assert.Equal("refused", report.GetProperty("status").GetString());
        Assert.Equal(20, report.GetProperty("read").GetInt64());
        Assert.Equal(20, report.GetProperty("quarantined").GetInt64());
        Assert.NotEmpty(report.GetProperty("quarantineReasons").EnumerateArray());
        using var consumer = city.Host.As("urban-ops");
        var count = await Query(consumer, "SELECT count(*) FROM geo.places WHERE place_id LIKE '4101059998%'");
        Assert.Equal(0, count.GetProperty("rows")[0][0].GetInt64());
    }

    [Fact]
    public async Task Delivery_Should_Answer401Problem_When_NoKeyIsSent()
    {
        using var client = city.Host.Anonymous();

        using var response = await client.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places.csv", UriKind.Relative),
            new ByteArrayContent(Encoding.UTF8.GetBytes(Header + "\n")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The demo city's delivery of nr.places with extra rows: a full snapshot, so it keeps every place it had.</summary>
    private static byte[] PlacesFileWith(DemoCityHost host, params string[] rows)
    {
        var text = File.ReadAllText(DemoFile(host, "nr.places"), Encoding.UTF8).TrimEnd('\n', '\r');
        Assert.StartsWith(Header, text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text + "\n" + string.Join("\n", rows) + "\n");
    }

    private static string DemoFile(DemoCityHost host, string dataset)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(host.Lake, DemoLake.FolderName, "manifest.json")));
        var file = manifest.RootElement.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("id").GetString() == dataset).GetProperty("file").GetString()!;
        return Path.Combine(host.Lake, DemoLake.FolderName, file);
    }

    private static async Task<JsonElement> Query(HttpClient client, string sql)
    {
        using var response = await client.PostAsJsonAsync("/api/query", new { sql });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
