using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GovShare.Lake.QueryApi.Tests.Access;

/// <summary>A demo city whose access state the tests of one class change (each test with agencies of its own).</summary>
public sealed class AccessCityFixture : IDisposable
{
    /// <summary>The host.</summary>
    public DemoCityHost Host { get; } = new();

    /// <inheritdoc />
    public void Dispose() => Host.Dispose();
}

/// <summary>Calls the tests share.</summary>
internal static class AccessCalls
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpClient client, HttpMethod method, string path, object? body = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json" && bytes.Length > 0;
        return (response.StatusCode, isJson ? JsonDocument.Parse(bytes).RootElement.Clone() : default);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> Sql(HttpClient client, string sql, string? accept = null) =>
        Send(client, HttpMethod.Post, "/api/query", new { sql }, accept);

    public static Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient client, string path, object? body = null) =>
        Send(client, HttpMethod.Post, path, body ?? new { });

    public static Task<(HttpStatusCode Status, JsonElement Body)> Get(HttpClient client, string path) => Send(client, HttpMethod.Get, path);

    /// <summary>Files a request and returns its id and status.</summary>
    public static async Task<(string Id, string Status, JsonElement Body)> Request(HttpClient client, object body)
    {
        var (status, answer) = await Post(client, "/api/access-requests", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {answer}");
        return (answer.GetProperty("id").GetString()!, answer.GetProperty("status").GetString()!, answer);
    }

    public static async Task AcceptAgreement(HttpClient client, string resource)
    {
        var (status, body) = await Post(client, $"/api/access/agreements/{resource}", new { version = GovShare.Lake.Access.DataUseAgreement.Version });
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
    }

    public static IReadOnlyList<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
