using System.Net;
using System.Text.RegularExpressions;
using GovShare.Lake.QueryApi.Tests.Query;
using GovShare.Lake.QueryApi.Ui;

namespace GovShare.Lake.QueryApi.Tests.Staff;

/// <summary>The web UI's files as the host serves them: from the assembly, with a policy that lets the browser load nothing from
/// elsewhere, revalidated by ETag, every module a page imports present, no address of another host anywhere.</summary>
public sealed partial class UiAssetsTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    [Fact]
    public async Task Index_Should_BeServedWithAStrictContentSecurityPolicy()
    {
        using var client = city.Host.Anonymous();

        using var response = await client.GetAsync("/ui/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("/ui/js/app.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asset_Should_AnswerNotModified_When_ItsETagIsPresented()
    {
        using var client = city.Host.Anonymous();
        using var first = await client.GetAsync("/ui/js/app.js");
        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/js/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("/ui/js/missing.js")]
    [InlineData("/ui/../appsettings.json")]
    [InlineData("/ui/js/..%2F..%2Fplatform.duckdb.js")]
    public async Task UnknownOrEscapingPath_Should_BeNotFound(string path)
    {
        using var client = city.Host.Anonymous();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void EveryImport_Should_NameAnEmbeddedFile_And_NoFileShouldNameAnotherHost()
    {
        var files = UiAssets.Files;
        Assert.Contains("index.html", files);
        Assert.Contains("js/app.js", files);
        foreach (var file in files.Where(f => f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".css", StringComparison.Ordinal)))
        {
            var text = Read(file);
            Assert.DoesNotMatch(ExternalAddress(), text);
            var folder = Path.GetDirectoryName(file)!.Replace('\\', '/');
            foreach (Match import in StaticImport().Matches(text))
            {
                var target = Path.GetFullPath(Path.Combine("/" + folder, import.Groups[1].Value)).TrimStart('/');
                Assert.True(files.Contains(target), $"{file} imports {import.Groups[1].Value}, which is not embedded");
            }
        }
    }

    private static string Read(string file)
    {
        using var stream = typeof(UiAssets).Assembly.GetManifestResourceStream("ui/" + file)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Any http(s) address but the XML namespace SVG elements need.
    [GeneratedRegex(@"https?://(?!www\.w3\.org/2000/svg)[a-z0-9.-]+", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalAddress();

    [GeneratedRegex(@"^\s*import\s[^'""]*['""](\.{1,2}/[^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex StaticImport();
}
