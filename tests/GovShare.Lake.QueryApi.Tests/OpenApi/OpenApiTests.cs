using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.OpenApi;

/// <summary>The API describes itself (OpenAPI document, an offline reference page) and answers malformed requests
/// with problem details that give nothing of its insides away.</summary>
public sealed partial class OpenApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    public static TheoryData<string> Paths { get; } =
    [
        "/health",
        "/api/query",
        "/api/lookup/person",
        "/api/lookup/entity",
        "/api/lookup/licence",
        "/api/places/{divisionCode}",
        "/api/themes",
        "/api/themes/{id}/export",
        "/api/catalogue",
        "/api/catalogue/{id}",
        "/api/catalogue.jsonld",
        "/api/datasets/{id}/deliveries",
        "/api/mismatches",
        "/api/mismatches/{id}",
        "/api/mismatches/{id}/resolution",
        "/api/mismatches/{id}/confirmation",
        "/api/mismatches/{id}/dismissal",
        "/api/mismatches/{id}/reroute",
        "/api/quality/anomalies",
    ];

    public static TheoryData<string> MalformedRequests { get; } =
    [
        "query-body-is-not-json",
        "query-body-is-cut-off",
        "query-body-is-text-plain",
        "query-asOf-overflows-a-version-number",
        "query-asOf-is-a-json-number-beyond-any-integer",
        "query-asOf-is-a-version-far-beyond-the-latest",
        "query-asOf-is-huge",
        "query-sql-is-a-number",
        "theme-id-climbs-out-of-the-folder",
        "theme-id-climbs-out-of-the-folder-as-csv",
        "lookup-person-body-is-an-array",
        "lookup-entity-body-is-an-array",
        "lookup-licence-body-is-a-string",
        "delivery-file-name-climbs-out-of-the-folder",
    ];

    [Fact]
    public async Task OpenApi_Should_BeServedWithoutAKey()
    {
        using var client = city.Host.Anonymous();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("GovShare Lake API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal(BuildInfo.Version, document.GetProperty("info").GetProperty("version").GetString());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task OpenApi_Should_ListTheEndpoint(string path)
    {
        using var client = city.Host.Anonymous();

        var document = await client.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(path, paths);
        var operations = document.GetProperty("paths").GetProperty(path).EnumerateObject().ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o.Value.GetProperty("summary").GetString()), $"{path} {o.Name} has no summary"));
    }

    [Fact]
    public async Task Docs_Should_ServeAReferencePage_That_NamesNoOtherHost()
    {
        using var client = city.Host.Anonymous();

        using var response = await client.GetAsync(new Uri("/docs", UriKind.Relative));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        var pageUri = response.RequestMessage!.RequestUri!;
        var foreign = AbsoluteUrl().Matches(page).Select(m => m.Groups["host"].Value).Where(h => !string.Equals(h, pageUri.Authority, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Empty(foreign);

        // Every script and stylesheet the page loads comes from this host, so the reference works offline.
        var assets = Asset().Matches(page).Select(m => new Uri(pageUri, m.Groups["url"].Value)).ToList();
        Assert.NotEmpty(assets);
        foreach (var asset in assets)
        {
            using var loaded = await client.GetAsync(asset);
            Assert.True(loaded.StatusCode == HttpStatusCode.OK, $"{asset} answered {(int)loaded.StatusCode}");
            Assert.Equal(pageUri.Authority, asset.Authority);
        }
    }

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task MalformedRequest_Should_AnswerA4xxProblem_WithoutAStackTrace(string name)
    {
        using var client = city.Host.As(name.StartsWith("delivery", StringComparison.Ordinal) ? "nr" : "urban-ops");
        using var request = Build(name);

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
        Assert.False(problem.RootElement.TryGetProperty("exception", out _), body);
    }

    private static HttpRequestMessage Build(string name)
    {
        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
        return name switch
        {
            "query-body-is-not-json" => Post("/api/query", Json("SELECT 1")),
            "query-body-is-cut-off" => Post("/api/query", Json("{\"sql\": \"SELECT 1\", \"asOf\": ")),
            "query-body-is-text-plain" => Post("/api/query", new StringContent("SELECT 1", Encoding.UTF8, "text/plain")),
            "query-asOf-overflows-a-version-number" => Post("/api/query", Json("{\"sql\": \"SELECT 1\", \"asOf\": \"99999999999999999999999999999\"}")),
            "query-asOf-is-a-json-number-beyond-any-integer" => Post("/api/query", Json("{\"sql\": \"SELECT 1\", \"asOf\": 99999999999999999999999999999}")),
            "query-asOf-is-a-version-far-beyond-the-latest" => Post("/api/query", Json("{\"sql\": \"SELECT 1\", \"asOf\": \"9223372036854775807\"}")),
            "query-asOf-is-huge" => Post("/api/query", JsonContent.Create(new { sql = "SELECT 1", asOf = new string('9', 100_000) })),
            "query-sql-is-a-number" => Post("/api/query", Json("{\"sql\": 42}")),
            "theme-id-climbs-out-of-the-folder" => new HttpRequestMessage(HttpMethod.Get, "/api/themes/..%2F..%2F..%2Fetc%2Fpasswd/export"),
            "theme-id-climbs-out-of-the-folder-as-csv" => new HttpRequestMessage(HttpMethod.Get, "/api/themes/..%2F../export?format=csv"),
            "lookup-person-body-is-an-array" => Post("/api/lookup/person", Json("[\"110101199003074514\"]")),
            "lookup-entity-body-is-an-array" => Post("/api/lookup/entity", Json("[{\"uscc\": \"91350100M000100Y43\"}]")),
            "lookup-licence-body-is-a-string" => Post("/api/lookup/licence", Json("\"L-1\"")),
            "delivery-file-name-climbs-out-of-the-folder" => Post("/api/datasets/nr.places/deliveries?fileName=..%2F..%2Fplaces.csv", new ByteArrayContent([0x41])),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such malformed request"),
        };

        static HttpRequestMessage Post(string path, HttpContent content) => new(HttpMethod.Post, path) { Content = content };
    }

    [GeneratedRegex(@"(?:https?:)?//(?<host>[A-Za-z0-9.\-]+(?::\d+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex(@"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[""'](?<url>[^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex Asset();
}
