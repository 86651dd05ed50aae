using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Bench.City;

/// <summary>The soak (<c>./govshare bench --soak MINUTES</c>): clients mixing lookups, analyst queries and exports against
/// <c>govshare serve</c> for a number of minutes while the household register is re-delivered every minute over HTTP;
/// errors, latency percentiles and the server's resident memory, minute by minute.</summary>
internal static class SoakRun
{
    public const string Title = "Soak (`./govshare bench --soak`)";

    /// <summary>Resident-memory growth after warm-up that still counts as none: the lowest resident set of the last minute
    /// against the lowest of the second (the first is warm-up). The lowest, because the resident set rises and falls with
    /// the work of the moment (each analyst query holds its joins, each delivery its ingestion); what stays is growth.</summary>
    private const double GrowthTolerance = 0.10;

    /// <summary>How often the server's resident set is read.</summary>
    private static readonly TimeSpan ResidentEvery = TimeSpan.FromSeconds(5);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private sealed record Sample(int Minute, string Kind, double Ms, bool Ok, string? Error);

    private sealed record Delivery(int Minute, int Status, double Seconds, string Summary);

    /// <summary>Runs the soak on a lake the harness has filled; returns its Markdown section, its figures and whether its goals were met.</summary>
    public static async Task<(string Markdown, IReadOnlyList<CityFigure> Figures)> RunAsync(
        string lake, string work, string householdFile, int minutes, int clients, TextWriter progress, CancellationToken cancellationToken)
    {
        var layout = new LakeLayout(lake);
        var consumerKey = QueryApiBenchmark.ConsumerKey(layout);
        var providerKey = File.ReadLines(Path.Combine(lake, Ingestion.Ingest.DemoLake.CredentialsFile))
            .First(l => l.StartsWith("psb\t", StringComparison.Ordinal)).Split('\t')[2];
        string[] ids;
        using (var connection = LakeDuckDb.OpenInMemory())
        {
            var persons = DeltaTable.Open(layout.ProviderTable(QueryApiBenchmark.PersonsDataset)).Snapshot();
            ids = LakeDuckDb.Strings(connection,
                $"SELECT id_number FROM ({persons.ToDuckDbQuery()}) t WHERE record_status = '{BaseTable.CurrentRecord}' USING SAMPLE reservoir(20000 ROWS) REPEATABLE (5)").OfType<string>().ToArray();
        }

        var queries = AnalystQueries.For(DateOnly.FromDateTime(DateTime.UtcNow));
        var lines = File.ReadAllLines(householdFile);
        progress.WriteLine(Inv($"soak: {clients} clients for {minutes} min, the household register re-delivered every minute …"));
        await using var serve = ServeProcess.Start(lake, Path.Combine(work, "soak-serve.log"));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients + 2, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = serve.Address, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("X-End-User", Uri.EscapeDataString("基准测试"));
        http.DefaultRequestHeaders.Add("X-Purpose", "benchmark");
        await WaitForLookupsAsync(serve, http, consumerKey, ids[0], cancellationToken);

        var samples = new List<Sample>[clients];
        var deliveries = new List<Delivery>();
        var resident = new List<(int Minute, long KiB)>();
        var start = Stopwatch.StartNew();
        var end = TimeSpan.FromMinutes(minutes);
        int Minute() => (int)(start.Elapsed.TotalMinutes) + 1;
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(ResidentEvery);
            try
            {
                while (await timer.WaitForNextTickAsync(stopSampling.Token))
                {
                    var minute = Minute();
                    if (minute <= minutes)
                    {
                        lock (resident)
                        {
                            resident.Add((minute, ProcessMemory.ResidentKiB(serve.Id)));
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = samples[c] = new List<Sample>(1 << 14);
            var random = new Random(3000 + c);
            while (start.Elapsed < end && !cancellationToken.IsCancellationRequested)
            {
                var roll = random.Next(1000);
                var (kind, request) = roll switch
                {
                    < 940 => ("lookup", Request(HttpMethod.Post, "/api/lookup/person", consumerKey, JsonContent.Create(new { idNumber = ids[random.Next(ids.Length)] }))),
                    < 995 => ("query", Request(HttpMethod.Post, "/api/query", consumerKey, JsonContent.Create(new { sql = queries[random.Next(queries.Count)].Sql }))),
                    _ => ("export", Request(HttpMethod.Get, $"/api/themes/{QueryApiBenchmark.Theme}/export?format=arrow", consumerKey, null)),
                };
                var minute = Minute();
                var watch = Stopwatch.StartNew();
                try
                {
                    using (request)
                    using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
                    {
                        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                        await body.CopyToAsync(Stream.Null, cancellationToken);
                        var ok = response.StatusCode == HttpStatusCode.OK;
                        mine.Add(new Sample(minute, kind, watch.Elapsed.TotalMilliseconds, ok, ok ? null : Inv($"{kind} {(int)response.StatusCode}")));
                    }
                }
                catch (HttpRequestException ex)
                {
                    mine.Add(new Sample(minute, kind, watch.Elapsed.TotalMilliseconds, false, kind + ": " + ex.Message));
                }
            }
        }, cancellationToken)).ToList();

        // Every minute: a new full snapshot of the household register (one more person left out each time, so that each
        // delivery differs) through the delivery endpoint, and the server's resident set.
        for (var minute = 1; minute <= minutes; minute++)
        {
            var delivery = Path.Combine(work, Inv($"household-soak-{minute}.csv"));
            await File.WriteAllLinesAsync(delivery, lines.Where((_, i) => i == 0 || i > minute), new UTF8Encoding(false), cancellationToken);
            var watch = Stopwatch.StartNew();
            await using (var file = File.OpenRead(delivery))
            using (var request = Request(HttpMethod.Post, Inv($"/api/datasets/{QueryApiBenchmark.PersonsDataset}/deliveries?fileName=household-soak-{minute}.csv"), providerKey, new StreamContent(file)))
            {
                try
                {
                    using var response = await http.SendAsync(request, cancellationToken);
                    var text = await response.Content.ReadAsStringAsync(cancellationToken);
                    deliveries.Add(new Delivery(minute, (int)response.StatusCode, watch.Elapsed.TotalSeconds, text.Length > 200 ? text[..200] : text));
                }
                catch (HttpRequestException ex)
                {
                    deliveries.Add(new Delivery(minute, 0, watch.Elapsed.TotalSeconds, ex.Message));
                }
            }

            File.Delete(delivery);
            progress.WriteLine(Inv($"  minute {minute}: delivery {deliveries[^1].Status} in {deliveries[^1].Seconds:F1} s"));
            var next = TimeSpan.FromMinutes(minute) - start.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, cancellationToken);
            }

            serve.ThrowIfExited();
        }

        await Task.WhenAll(workers);
        await stopSampling.CancelAsync();
        await sampling;

        // At rest: the clients have stopped; what the server still holds after a while without requests.
        await Task.Delay(TimeSpan.FromSeconds(15), cancellationToken);
        var atRest = ProcessMemory.ResidentKiB(serve.Id);
        return Report(samples.SelectMany(s => s).ToList(), deliveries, resident, atRest, minutes, clients);
    }

    private static (string Markdown, IReadOnlyList<CityFigure> Figures) Report(
        List<Sample> samples, List<Delivery> deliveries, List<(int Minute, long KiB)> resident, long atRest, int minutes, int clients)
    {
        var errors = samples.Count(s => !s.Ok) + deliveries.Count(d => d.Status != 200);
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"## {Title}");
        text.AppendLine();
        text.AppendLine(Invariant, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {BenchReport.Machine()}: {clients} clients for {minutes} min against `govshare serve` ");
        text.AppendLine(Invariant, $"(94 % person lookups, 5.5 % analyst queries, 0.5 % Arrow theme exports), the household register re-delivered over HTTP every minute; load average {BenchStats.LoadAverage()} at the end.");
        text.AppendLine();
        text.AppendLine("| minute | requests | errors | lookup p50 | lookup p99 | query p50 | query p99 | exports | delivery | server RSS lowest – highest |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
        for (var minute = 1; minute <= minutes; minute++)
        {
            var inMinute = samples.Where(s => s.Minute == minute).ToList();
            double[] Ms(string kind) => inMinute.Where(s => s.Kind == kind && s.Ok).Select(s => s.Ms).ToArray();
            var delivery = deliveries.FirstOrDefault(d => d.Minute == minute);
            var rss = Lowest(minute);
            var highest = resident.Where(r => r.Minute == minute).Select(r => r.KiB).DefaultIfEmpty().Max();
            text.AppendLine(Invariant,
                $"| {minute} | {inMinute.Count:N0} | {inMinute.Count(s => !s.Ok):N0} | {BenchStats.Percentile(Ms("lookup"), 0.5):0.0} ms | {BenchStats.Percentile(Ms("lookup"), 0.99):0.0} ms | " +
                $"{BenchStats.Percentile(Ms("query"), 0.5):N0} ms | {BenchStats.Percentile(Ms("query"), 0.99):N0} ms | {Ms("export").Length} | " +
                $"{(delivery is null ? "—" : Inv($"{delivery.Status}, {delivery.Seconds:F1} s"))} | {ProcessMemory.Format(rss)} – {ProcessMemory.Format(highest)} |");
        }

        long Lowest(int minute) => resident.Where(r => r.Minute == minute && r.KiB > 0).Select(r => r.KiB).DefaultIfEmpty().Min();
        var warm = Lowest(Math.Min(2, minutes));
        var last = Lowest(minutes);
        var growth = warm > 0 ? (double)(last - warm) / warm : 0;
        var first = samples.FirstOrDefault(s => !s.Ok)?.Error ?? deliveries.FirstOrDefault(d => d.Status != 200)?.Summary;
        text.AppendLine();
        text.AppendLine(Invariant, $"Errors: {errors:N0} in {samples.Count + deliveries.Count:N0} requests (goal 0){(first is null ? string.Empty : "; first: `" + first.ReplaceLineEndings(" ").Replace("`", "'", StringComparison.Ordinal) + "`")}. ");
        text.AppendLine(Invariant, $"Resident memory of the server (read every {ResidentEvery.TotalSeconds:0} s): lowest {ProcessMemory.Format(warm)} in minute {Math.Min(2, minutes)} (the first is warm-up), ");
        text.AppendLine(Invariant, $"lowest {ProcessMemory.Format(last)} in the last minute ({growth:+0%;-0%;0%}; goal: no growth after warm-up, read as at most {GrowthTolerance:P0}); ");
        text.AppendLine(Invariant, $"{ProcessMemory.Format(atRest)} at rest, 15 s after the clients stopped. The lowest of a minute is what the server keeps; the highest is what the work of the moment adds.");
        var figures = new List<CityFigure>
        {
            new("soak", "soak: errors", errors, "errors", null, "0", errors == 0, Inv($"{samples.Count + deliveries.Count:N0} requests in {minutes} min")),
            new("soak", "soak: server resident memory growth after warm-up", growth * 100, "%", null, Inv($"≤ {GrowthTolerance * 100:0} %"), growth <= GrowthTolerance,
                Inv($"lowest resident set {ProcessMemory.Format(warm)} in minute {Math.Min(2, minutes)} → {ProcessMemory.Format(last)} in the last; {ProcessMemory.Format(atRest)} at rest")),
        };
        return (text.ToString(), figures);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string key, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private static async Task WaitForLookupsAsync(ServeProcess serve, HttpClient http, string key, string id, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            serve.ThrowIfExited();
            try
            {
                using var request = Request(HttpMethod.Post, "/api/lookup/person", key, JsonContent.Create(new { idNumber = id }));
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (started.Elapsed > TimeSpan.FromHours(1))
            {
                throw new InvalidOperationException("govshare serve answered no lookup within an hour.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static string Inv(FormattableString text) => text.ToString(Invariant);
}
