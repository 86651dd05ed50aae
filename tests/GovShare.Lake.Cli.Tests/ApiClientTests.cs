using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Cli.Commands;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Tests;

/// <summary>The client behind `govshare query` and `govshare export`, at unit level: the demo credentials file, where the
/// key comes from, how server errors read, and the command lines refused before any request. No server is started.</summary>
public sealed class ApiClientTests : IDisposable
{
    private const string SampleCredentials =
        "# GovShare Lake demo credentials: written once, when the server filled an empty lake.\n" +
        "# agency_code\tkind\tapi_key\tname_zh\n" +
        "\n" +
        "ops\toperator\tgsl_000000000001_opsecret\t市大数据局\r\n" +
        "psb\tprovider\tgsl_000000000002_psbsecret\t市公安局\n" +
        "hrss\tconsumer\tgsl_000000000003_hrsssecret\t市人社局\n" +
        "civil\tconsumer\tgsl_000000000004_civilsecret\t市民政局\n";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "govshare-cli-api-" + Guid.NewGuid().ToString("N"));

    public ApiClientTests() => Directory.CreateDirectory(_root);

    private static Func<string, string?> NoEnvironment => _ => null;

    [Fact]
    public void CredentialsParser_Should_ReadEachAgencyLine_AndSkipCommentsAndBlankLines()
    {
        var credentials = DemoCredentials.Parse(new StringReader(SampleCredentials), "demo-credentials.txt");

        Assert.Equal(4, credentials.Count);
        Assert.Equal(new DemoCredential("ops", AgencyKind.Operator, "gsl_000000000001_opsecret", "市大数据局"), credentials[0]);
        Assert.Equal(new DemoCredential("hrss", AgencyKind.Consumer, "gsl_000000000003_hrsssecret", "市人社局"), credentials[2]);
    }

    [Theory]
    [InlineData("psb\tprovider\tgsl_1_x\n", "2: expected 4 tab-separated fields")]
    [InlineData("psb provider gsl_1_x 市公安局\n", "2: expected 4 tab-separated fields")]
    [InlineData("psb\tadmin\tgsl_1_x\t市公安局\n", "2: kind 'admin' is not provider, consumer or operator")]
    [InlineData("psb\tConsumer\tgsl_1_x\t市公安局\n", "2: kind 'Consumer'")]
    [InlineData("psb\tconsumer\t\t市公安局\n", "2: the agency code and the key must not be empty")]
    public void CredentialsParser_Should_NameTheFileAndLine_When_ALineIsMalformed(string line, string expected)
    {
        var ex = Assert.Throws<ApiException>(() => DemoCredentials.Parse(new StringReader("# header\n" + line), "lake/demo-credentials.txt"));

        Assert.StartsWith("lake/demo-credentials.txt:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveKey_Should_PreferTheOption_OverTheEnvironment_AndTheFile()
    {
        WriteCredentials(SampleCredentials);

        var key = ApiClient.ResolveKey("gsl_option", _ => "gsl_environment", _root, AgencyKind.Consumer);

        Assert.Equal(new ResolvedKey("gsl_option", "--key"), key);
    }

    [Fact]
    public void ResolveKey_Should_PreferTheEnvironment_OverTheFile_When_NoOptionIsGiven()
    {
        WriteCredentials(SampleCredentials);

        var key = ApiClient.ResolveKey("  ", name => name == "GOVSHARE_API_KEY" ? "gsl_environment" : null, _root, AgencyKind.Consumer);

        Assert.Equal(new ResolvedKey("gsl_environment", "GOVSHARE_API_KEY"), key);
    }

    [Fact]
    public void ResolveKey_Should_TakeTheFirstConsumerKeyOfTheFile_When_NeitherOptionNorEnvironmentGiveOne()
    {
        WriteCredentials(SampleCredentials);

        var key = ApiClient.ResolveKey(null, name => name == "GOVSHARE_API_KEY" ? "" : null, _root, AgencyKind.Consumer);

        Assert.Equal("gsl_000000000003_hrsssecret", key.Key);
        Assert.Contains("demo-credentials.txt, agency hrss", key.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveKey_Should_SayWhereKeysComeFrom_When_ThereIsNoCredentialsFile()
    {
        var ex = Assert.Throws<ApiException>(() => ApiClient.ResolveKey(null, NoEnvironment, _root, AgencyKind.Consumer));

        Assert.StartsWith("no API key: pass --key KEY or set GOVSHARE_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_root, "demo-credentials.txt"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveKey_Should_Refuse_When_TheFileHoldsNoConsumerKey()
    {
        WriteCredentials("ops\toperator\tgsl_000000000001_opsecret\t市大数据局\npsb\tprovider\tgsl_000000000002_psbsecret\t市公安局\n");

        var ex = Assert.Throws<ApiException>(() => ApiClient.ResolveKey(null, NoEnvironment, _root, AgencyKind.Consumer));

        Assert.Contains("holds no consumer key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", "bob", "alice")]
    [InlineData(null, "bob", "bob")]
    [InlineData(null, null, "cli")]
    [InlineData(" ", "", "cli")]
    public void DefaultEndUser_Should_TakeTheOption_ThenUser_ThenCli(string? option, string? user, string expected)
    {
        Assert.Equal(expected, ApiClient.DefaultEndUser(option, name => name == "USER" ? user : null));
    }

    [Fact]
    public void Request_Should_SendTheKey_AndPercentEncodedUtf8AuditHeaders()
    {
        using var client = new ApiClient("http://127.0.0.1:5080", new ResolvedKey("gsl_k", "--key"), "张三 (窗口 2)", "低保复核/2026");

        using var request = client.Request(HttpMethod.Post, "api/query", "text/csv");

        Assert.Equal(new Uri("http://127.0.0.1:5080/api/query"), request.RequestUri);
        Assert.Equal(new AuthenticationHeaderValue("Bearer", "gsl_k"), request.Headers.Authorization);
        var endUser = Assert.Single(request.Headers.GetValues("X-End-User"));
        var purpose = Assert.Single(request.Headers.GetValues("X-Purpose"));
        Assert.All(endUser + purpose, c => Assert.True(c is > ' ' and < (char)127, $"'{c}' is not printable ASCII"));
        Assert.Equal("张三 (窗口 2)", Uri.UnescapeDataString(endUser));
        Assert.Equal("低保复核/2026", Uri.UnescapeDataString(purpose));
        Assert.Equal("text/csv", request.Headers.Accept.OrderByDescending(a => a.Quality ?? 1).First().MediaType);
        Assert.Contains(request.Headers.Accept, a => a.MediaType == "application/problem+json");
    }

    [Fact]
    public void Request_Should_KeepTheServersPath_When_TheServerUrlHasOne()
    {
        using var client = new ApiClient("https://gateway.example/lake", new ResolvedKey("gsl_k", "--key"), "cli", "test");

        using var request = client.Request(HttpMethod.Get, "api/themes", "application/json");

        Assert.Equal(new Uri("https://gateway.example/lake/api/themes"), request.RequestUri);
    }

    [Fact]
    public void FormatProblem_Should_GiveTitleDetailAndPosition_OnOneLine()
    {
        var json = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The SQL cannot run","status":400,
             "detail":"Parser Error: syntax error at or near \"FORM\"\n\nmore context.","position":{"offset":9,"line":1,"column":10}}
            """;

        Assert.Equal("The SQL cannot run: Parser Error: syntax error at or near \"FORM\" more context (line 1, column 10)", ApiClient.FormatProblem(json));
    }

    [Fact]
    public void FormatProblem_Should_LeaveThePositionOut_When_TheProblemHasNone()
    {
        Assert.Equal("Not found: there is no theme 'x' at lake version 3.",
            ApiClient.FormatProblem("""{"title":"Not found","status":404,"detail":"there is no theme 'x' at lake version 3."}"""));
        Assert.Equal("Unauthorized", ApiClient.FormatProblem("""{"title":"Unauthorized","status":401}"""));
        Assert.Null(ApiClient.FormatProblem("""{"error":"nope"}"""));
        Assert.Null(ApiClient.FormatProblem("<html>502</html>"));
    }

    [Fact]
    public void DescribeError_Should_GiveTheStatusAndTheStartOfTheBody_When_TheAnswerIsNotAProblem()
    {
        var message = ApiClient.DescribeError(HttpStatusCode.BadGateway, "Bad Gateway", "text/html", "<html>\n<body>upstream down</body>\n</html>");

        Assert.Equal("HTTP 502 Bad Gateway: <html> <body>upstream down</body> </html>", message);
    }

    [Fact]
    public async Task SendAsync_Should_ThrowTheProblemAsOneLine_When_TheServerRefuses()
    {
        using var client = Client(_ => Problem(HttpStatusCode.BadRequest,
            """{"title":"The SQL cannot run","status":400,"detail":"only SELECT is allowed.","position":{"offset":0,"line":1,"column":1}}"""));
        using var request = client.Request(HttpMethod.Post, "api/query", "application/json");

        var ex = await Assert.ThrowsAsync<ApiException>(() => client.SendAsync(request, CancellationToken.None));

        Assert.Equal("The SQL cannot run: only SELECT is allowed (line 1, column 1)", ex.Message);
    }

    [Fact]
    public async Task SendAsync_Should_SayWhereTheKeyCameFrom_When_TheServerAnswers401()
    {
        using var client = Client(_ => Problem(HttpStatusCode.Unauthorized, """{"title":"Unauthorized","status":401,"detail":"the API key is not valid."}"""));
        using var request = client.Request(HttpMethod.Get, "api/themes", "application/json");

        var ex = await Assert.ThrowsAsync<ApiException>(() => client.SendAsync(request, CancellationToken.None));

        Assert.Equal("Unauthorized: the API key is not valid. (the key came from GOVSHARE_API_KEY)", ex.Message);
    }

    [Fact]
    public async Task SaveAsync_Should_WriteTheWholeBody_AndLeaveNoPartialFile()
    {
        var body = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        using var client = Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        using var request = client.Request(HttpMethod.Get, "api/themes/t/export", "application/vnd.apache.parquet");
        using var response = await client.SendAsync(request, CancellationToken.None);
        var path = Path.Combine(_root, "t-v3.parquet");

        var bytes = await client.SaveAsync(response, path, TestConsole(), CancellationToken.None);

        Assert.Equal(body.Length, bytes);
        Assert.Equal(body, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task SaveAsync_Should_SaveNothing_When_TheDownloadBreaksOff()
    {
        using var client = Client(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BreakingStream(100_000)) });
        using var request = client.Request(HttpMethod.Get, "api/themes/t/export", "application/vnd.apache.parquet");
        using var response = await client.SendAsync(request, CancellationToken.None);
        var path = Path.Combine(_root, "t-v3.parquet");
        File.WriteAllText(path, "an earlier, complete export");

        var ex = await Assert.ThrowsAsync<ApiException>(() => client.SaveAsync(response, path, TestConsole(), CancellationToken.None));

        Assert.Contains("broke off after 100,000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal("an earlier, complete export", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Theory]
    [InlineData("12", null, 12L)]
    [InlineData(null, "\"v12\"", 12L)]
    [InlineData(null, "\"v12-since-v3\"", 12L)]
    [InlineData(null, "\"abc\"", null)]
    [InlineData(null, null, null)]
    public void LakeVersionOf_Should_ReadTheVersionHeader_ElseTheETag(string? header, string? etag, long? expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        if (header is not null)
        {
            response.Headers.Add("X-Lake-Version", header);
        }

        if (etag is not null)
        {
            response.Headers.ETag = new EntityTagHeaderValue(etag);
        }

        Assert.Equal(expected, ApiClient.LakeVersionOf(response));
    }

    [Theory]
    [InlineData("social_security", 12L, null, "parquet", "social_security-v12.parquet")]
    [InlineData("credit", 12L, 9L, "csv", "credit-v12-since-v9.csv")]
    [InlineData("credit", 4L, null, "arrow", "credit-v4.arrows")]
    [InlineData("credit", null, null, "jsonl", "credit.jsonl")]
    public void ExportDefaultFileName_Should_CarryThemeVersionAndChanges(string theme, long? version, long? since, string format, string expected)
    {
        Assert.Equal(expected, ExportCommand.DefaultFileName(theme, version, since, format));
    }

    [Fact]
    public async Task Query_Should_Exit1_AndSayTheServerIsNotRunning_When_NothingListens()
    {
        var server = $"http://127.0.0.1:{ClosedPort()}";

        var result = await CliRunner.RunInProcessAsync(["query", "SELECT 1", "--server", server, "--key", "gsl_000000000001_x"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"govshare query: cannot reach the server at {server}: is `govshare serve` running?", result.Error.Trim());
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Export_Should_Exit1_AndSayTheServerIsNotRunning_When_NothingListens()
    {
        var server = $"http://127.0.0.1:{ClosedPort()}";

        var result = await CliRunner.RunInProcessAsync(["export", "--list", "--server", server, "--key", "gsl_000000000001_x"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"govshare export: cannot reach the server at {server}: is `govshare serve` running?", result.Error.Trim());
    }

    [Theory]
    [InlineData("query", "SELECT 1", "--format", "parquet")]
    [InlineData("query", "SELECT 1", "--format", "arrow")]
    [InlineData("query", "SELECT 1", "--encoding", "gbk")]
    [InlineData("query", "SELECT 1", "--format", "xlsx")]
    [InlineData("query", "SELECT 1", "--server", "ftp://host")]
    [InlineData("query", "SELECT 1", "--max-rows", "0")]
    [InlineData("export", "--format", "csv")]
    [InlineData("export", "--list", "credit")]
    [InlineData("export", "credit", "--encoding", "gbk")]
    [InlineData("export", "credit", "--version", "3", "--since", "3")]
    public async Task QueryAndExport_Should_Exit2_BeforeAnyRequest_When_TheCommandLineIsWrong(params string[] args)
    {
        string[] server = args.Contains("--server") ? [] : ["--server", $"http://127.0.0.1:{ClosedPort()}"];

        var result = await CliRunner.RunInProcessAsync([.. args, .. server, "--key", "gsl_x"]);

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("cannot reach", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void QueryTable_Should_AlignColumnsByDisplayWidth_AndRightAlignNumbers()
    {
        var page = new QueryCommand.QueryPage();
        var more = false;
        using var answer = JsonDocument.Parse("""
            {"version":7,"columns":[{"name":"name","type":"VARCHAR"},{"name":"n","type":"BIGINT"},{"name":"note","type":"VARCHAR"}],
             "rows":[["张三",5,"a\nb"],["Li",1234,null]],"rowCount":2,"offset":0,"truncated":false,"continuation":null}
            """);
        page.Add(answer.RootElement, 10, ref more);
        var output = new StringWriter();

        QueryCommand.Render(page, output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["name     n  note", "----  ----  ----", "张三     5  a\\nb", "Li    1234  NULL"], lines);
        Assert.Equal(7, page.Version);
        Assert.False(more);
    }

    [Fact]
    public void QueryPage_Should_StopAtMaxRows_AndSayMoreExist()
    {
        var page = new QueryCommand.QueryPage();
        var more = false;
        using var answer = JsonDocument.Parse("""
            {"version":3,"columns":[{"name":"n","type":"INTEGER"}],"rows":[[1],[2],[3]],"rowCount":3,"offset":0,"truncated":true,"continuation":"tok"}
            """);

        var (truncated, continuation) = page.Add(answer.RootElement, 2, ref more);

        Assert.Equal(2, page.Rows.Count);
        Assert.True(more);
        Assert.True(truncated);
        Assert.Equal("tok", continuation);
    }

    private void WriteCredentials(string text) =>
        File.WriteAllText(Path.Combine(_root, DemoCredentials.FileName), text, new UTF8Encoding(false));

    private static CliConsole TestConsole() => new(() => Stream.Null, new StringWriter(), new StringWriter(), ErrorIsTerminal: false);

    private static ApiClient Client(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new("http://127.0.0.1:5080", new ResolvedKey("gsl_k", "GOVSHARE_API_KEY"), "cli", "test", new AnsweringHandler(answer));

    private static HttpResponseMessage Problem(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };

    /// <summary>A port nothing listens on: bound by the system, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Answers requests without a network: the client's own handling of an answer is what is tested.</summary>
    private sealed class AnsweringHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    /// <summary>A body that fails after some bytes, as a connection the server aborts mid-export does.</summary>
    private sealed class BreakingStream(long breakAfter) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= breakAfter)
            {
                throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            }

            var n = (int)Math.Min(count, breakAfter - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
