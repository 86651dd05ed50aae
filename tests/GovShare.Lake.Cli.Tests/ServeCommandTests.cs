using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace GovShare.Lake.Cli.Tests;

/// <summary>`govshare serve` as a real process on a free loopback port.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _lake = Path.Combine(Path.GetTempPath(), "govshare-serve-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Serve_Should_IngestADemoCity_AnswerHealthWithTheVersion_AndStopCleanlyOnSigterm()
    {
        var port = FreePort();
        using var server = CliRunner.Start(["serve", "--lake", _lake, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--demo-persons", "3000"]);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

            var body = await WaitForHealthAsync(client, server);

            using var json = JsonDocument.Parse(body);
            Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(BuildInfo.Version, json.RootElement.GetProperty("version").GetString());
            Assert.True(Directory.Exists(_lake));

            // The empty lake was filled before the host listened: catalogue, provider tables, the demo files.
            Assert.True(File.Exists(Path.Combine(_lake, "platform.duckdb")));
            Assert.True(Directory.Exists(Path.Combine(_lake, "src", "psb.household", "_delta_log")));
            Assert.True(File.Exists(Path.Combine(_lake, "demo-city", "manifest.json")));

            // The demo agencies' keys were written once; the CLI clients use the consumer's by default.
            var credentials = await File.ReadAllLinesAsync(Path.Combine(_lake, "demo-credentials.txt"));
            Assert.Contains(credentials, l => l.StartsWith("urban-ops\tconsumer\tgsl_", StringComparison.Ordinal));
            Assert.Contains(credentials, l => l.StartsWith("operator\toperator\tgsl_", StringComparison.Ordinal));

            // The README greps that file for an agency's key: one line per agency; staff passwords are in a file of their own.
            Assert.Single(credentials, l => l.Contains("urban-ops", StringComparison.Ordinal));
            var staff = await File.ReadAllLinesAsync(Path.Combine(_lake, "demo-staff.txt"));
            Assert.Contains(staff, l => l.StartsWith("op.admin\t", StringComparison.Ordinal) && l.EndsWith("\toperator\toperator", StringComparison.Ordinal));
            Assert.Contains(staff, l => l.StartsWith("urban-ops.analyst\t", StringComparison.Ordinal));
            var url = $"http://127.0.0.1:{port}";
            var query = await CliRunner.RunInProcessAsync(["query", "SELECT count(*) AS n FROM population.persons", "--server", url, "--lake", _lake]);
            Assert.True(query.ExitCode == 0, query.Error);
            Assert.Contains("n", query.OutLines[0], StringComparison.Ordinal);
            var csv = await CliRunner.RunInProcessAsync(["query", "SELECT 1 AS one", "--format", "csv", "--server", url, "--lake", _lake]);
            Assert.Equal("one\r\n1\r\n", csv.Out);
            var refused = await CliRunner.RunInProcessAsync(["query", "SELECT * FROM read_csv('/etc/passwd')", "--server", url, "--lake", _lake]);
            Assert.Equal(1, refused.ExitCode);
            var exported = Path.Combine(_lake, "credit.parquet");
            var export = await CliRunner.RunInProcessAsync(["export", "credit", "--out", exported, "--server", url, "--lake", _lake]);
            Assert.True(export.ExitCode == 0, export.Error);
            Assert.Equal("PAR1"u8.ToArray(), (await File.ReadAllBytesAsync(exported))[..4]);

            // The freshness check the jobs run, from the command line against the same lake: the demo city was just
            // delivered, so nothing is overdue; the states are then served by the API.
            var freshness = await CliRunner.RunInProcessAsync(["freshness", "check", "--lake", _lake]);
            Assert.True(freshness.ExitCode == 0, freshness.Out + freshness.Error);
            Assert.Contains(freshness.OutLines, l => l.StartsWith("psb.household", StringComparison.Ordinal) && l.Contains("fresh", StringComparison.Ordinal));
            var operatorKey = credentials.First(l => l.StartsWith("operator\t", StringComparison.Ordinal)).Split('\t')[2];
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/freshness?provider=psb"))
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", operatorKey);
                using var states = await client.SendAsync(request);
                var listed = JsonDocument.Parse(await states.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("fresh", listed.EnumerateArray().Single(r => r.GetProperty("status").GetProperty("entryId").GetString() == "psb.household")
                    .GetProperty("status").GetProperty("state").GetString());
            }

            // The jobs' dashboard is the operator's.
            using (var anonymous = await client.GetAsync(new Uri("/hangfire", UriKind.Relative)))
            {
                Assert.True(anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, anonymous.StatusCode.ToString());
            }

            using (var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire"))
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", operatorKey);
                using var dashboard = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
                Assert.Contains("GovShare Lake jobs", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // A service manager stops the host with SIGTERM: it must shut down cleanly, exit code 0.
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task Serve_Should_Exit1WithAMessage_When_ThePortIsTaken()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await CliRunner.RunProcessAsync(["serve", "--lake", _lake, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--demo-persons", "0"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"port {port} is already in use", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Should_Exit2WithAMessage_When_TheLakeIsAFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = await CliRunner.RunInProcessAsync(["serve", "--lake", file, "--port", "1"]);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("is a file, not a folder", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_lake))
        {
            Directory.Delete(_lake, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> WaitForHealthAsync(HttpClient client, System.Diagnostics.Process server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
            {
                Assert.Fail($"serve exited early with {server.ExitCode}: {await server.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("serve did not answer /health within 180 s (it seeds a demo city first).");
    }
}
