using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.QueryApi.Health;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GovShare.Lake.QueryApi.Tests;

/// <summary>Each test gets its own lake folder and host, through the real HTTP pipeline.</summary>
public sealed class HealthApiTests : IDisposable
{
    private readonly string _lake = Path.Combine(Path.GetTempPath(), "govshare-health-" + Guid.NewGuid().ToString("N"));
    private readonly WebApplicationFactory<Program> _factory;

    public HealthApiTests()
    {
        _factory = new WebApplicationFactory<Program>()
            .WithWebHostBuilder(builder => builder.UseSetting("Lake:Directory", _lake));
    }

    [Fact]
    public async Task Health_Should_Answer200WithTheVersion_When_TheLakeFolderIsWritable()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<HealthResponse>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(body);
        Assert.Equal("healthy", body.Status);
        Assert.Equal("GovShare Lake", body.Product);
        Assert.Equal(BuildInfo.Version, body.Version);
        Assert.Matches(@"^\d+\.\d+\.\d+", body.Version);
        Assert.Equal(ChinaTime.Offset, body.Time.Offset);
        Assert.Empty(body.Problems);
    }

    [Fact]
    public async Task Host_Should_CreateTheLakeFolder_When_ItIsMissing()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Directory.Exists(_lake));
        Assert.Empty(Directory.GetFiles(_lake, ".health-*")); // the health probe leaves nothing behind
        Assert.True(File.Exists(Path.Combine(_lake, "platform.duckdb"))); // the store is created and migrated on start
    }

    [Fact]
    public async Task Health_Should_Answer503_When_TheLakeFolderDisappears()
    {
        using var client = _factory.CreateClient();
        Directory.Delete(_lake, recursive: true);

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<HealthResponse>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", body!.Status);
        Assert.Equal(["the lake folder does not exist"], body.Problems);
        Assert.DoesNotContain(_lake, string.Join(' ', body.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_Should_AnswerProblemDetails()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/no-such-thing", UriKind.Relative));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public void Host_Should_RefuseToStart_When_TheLakeFolderIsAFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            using var factory = new WebApplicationFactory<Program>()
                .WithWebHostBuilder(builder => builder.UseSetting("Lake:Directory", file));

            var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

            Assert.Contains("is a file, not a folder", ex.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        _factory.Dispose();
        if (Directory.Exists(_lake))
        {
            Directory.Delete(_lake, recursive: true);
        }
    }
}
