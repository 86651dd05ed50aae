using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Bench.City;

/// <summary>The crash trials (<c>./govshare bench --crash-trials N</c>): <c>govshare serve</c> is killed with SIGKILL at a
/// random moment while it ingests a delivery of the household register, restarted, and checked: every provider table opens
/// at a committed version, re-delivering the interrupted file commits it exactly once (a second re-delivery is "already
/// committed"), and the table's current rows are the accepted rows of the last committed delivery (a full snapshot).</summary>
internal static class CrashTrials
{
    public const string Title = "Crash trials (`./govshare bench --crash-trials`)";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private sealed record Trial(int Number, double KillAfterSeconds, string Interrupted, bool TablesOpen, long VersionBefore, long VersionAfter,
        string Redelivered, string Again, long CurrentRows, long Accepted, double RestartSeconds, string? Problem)
    {
        public bool Clean => Problem is null;
    }

    public static async Task<(string Markdown, IReadOnlyList<CityFigure> Figures)> RunAsync(
        string lake, string work, string householdFile, int trials, TextWriter progress, CancellationToken cancellationToken)
    {
        var layout = new LakeLayout(lake);
        var table = layout.ProviderTable(QueryApiBenchmark.PersonsDataset);
        var consumerKey = QueryApiBenchmark.ConsumerKey(layout);
        var providerKey = File.ReadLines(Path.Combine(lake, Ingestion.Ingest.DemoLake.CredentialsFile))
            .First(l => l.StartsWith("psb\t", StringComparison.Ordinal)).Split('\t')[2];
        var lines = File.ReadAllLines(householdFile);
        var someId = CurrentIds(table).First();
        var random = new Random(20261123);

        // Calibration: one delivery not interrupted, so that the kills fall inside the time a delivery takes.
        progress.WriteLine(Inv($"crash trials: {trials} kills of govshare serve during deliveries of {QueryApiBenchmark.PersonsDataset} …"));
        var serve = ServeProcess.Start(lake, Path.Combine(work, "crash-serve.log"));
        var results = new List<Trial>();
        try
        {
            var http = await ReadyAsync(serve, consumerKey, someId, cancellationToken);
            var calibration = Stopwatch.StartNew();
            var (status, _) = await DeliverAsync(http.Client, providerKey, Variant(work, lines, 0), cancellationToken);
            var deliverySeconds = calibration.Elapsed.TotalSeconds;
            progress.WriteLine(Inv($"  an uninterrupted delivery: {status} in {deliverySeconds:F1} s"));
            http.Dispose();

            for (var trial = 1; trial <= trials; trial++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = Variant(work, lines, trial);
                var versionBefore = DeltaTable.Open(table).Snapshot().Version;
                var killAfter = random.NextDouble() * deliverySeconds;
                http = await ReadyAsync(serve, consumerKey, someId, cancellationToken);
                var delivery = DeliverAsync(http.Client, providerKey, file, cancellationToken);
                await Task.WhenAny(delivery, Task.Delay(TimeSpan.FromSeconds(killAfter), cancellationToken));
                await serve.DisposeAsync(); // SIGKILL
                string interrupted;
                try
                {
                    interrupted = "finished before the kill: " + (await delivery).Status;
                }
                catch (HttpRequestException)
                {
                    interrupted = "cut off";
                }
                catch (TaskCanceledException)
                {
                    interrupted = "cut off";
                }

                http.Dispose();
                string? problem = null;
                var tablesOpen = TablesOpen(layout, ref problem);
                var restart = Stopwatch.StartNew();
                serve = ServeProcess.Start(lake, Path.Combine(work, "crash-serve.log"));
                http = await ReadyAsync(serve, consumerKey, someId, cancellationToken);
                var restartSeconds = restart.Elapsed.TotalSeconds;
                var (redelivered, report) = await DeliverAsync(http.Client, providerKey, file, cancellationToken);
                var (again, _) = await DeliverAsync(http.Client, providerKey, file, cancellationToken);
                http.Dispose();
                var versionAfter = DeltaTable.Open(table).Snapshot().Version;
                var accepted = report.TryGetProperty("accepted", out var a) ? a.GetInt64() : -1;
                var current = CurrentIds(table).LongCount();
                if (redelivered is not ("committed" or "already_committed"))
                {
                    problem ??= "the re-delivery answered " + redelivered;
                }

                if (again != "already_committed")
                {
                    problem ??= "a second re-delivery answered " + again + " instead of already_committed";
                }

                if (versionAfter != versionBefore + 1)
                {
                    problem ??= Inv($"the table went from version {versionBefore} to {versionAfter}: the file was committed {versionAfter - versionBefore} times");
                }

                if (current != accepted)
                {
                    problem ??= Inv($"the table holds {current:N0} current rows; the committed delivery accepted {accepted:N0}");
                }

                File.Delete(file);
                results.Add(new Trial(trial, killAfter, interrupted, tablesOpen, versionBefore, versionAfter, redelivered, again, current, accepted, restartSeconds, problem));
                progress.WriteLine(Inv($"  trial {trial}: killed after {killAfter:F1} s ({interrupted}); {(problem is null ? "clean" : "NOT CLEAN: " + problem)}"));
            }
        }
        finally
        {
            await serve.DisposeAsync();
        }

        return Report(results, trials);
    }

    private static (string, IReadOnlyList<CityFigure>) Report(List<Trial> results, int trials)
    {
        var clean = results.Count(r => r.Clean);
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"## {Title}");
        text.AppendLine();
        text.AppendLine(Invariant, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {BenchReport.Machine()}. `govshare serve` was killed with SIGKILL at a random moment ");
        text.AppendLine(Invariant, $"(uniform over the time an uninterrupted delivery took) while it ingested a full snapshot of `{QueryApiBenchmark.PersonsDataset}` posted to ");
        text.AppendLine("`/api/datasets/{id}/deliveries`, restarted, and checked: every provider table opens and reads at a committed version (with the server down); the interrupted file " +
            "re-delivered commits exactly once (the table's version moves by one from before the interrupted delivery, and a second re-delivery answers " +
            "`already_committed`); the table's current rows equal the accepted rows of that committed full snapshot.");
        text.AppendLine();
        text.AppendLine("| trial | killed after | the interrupted delivery | tables open | version before → after | re-delivery | again | current rows = accepted | restart to first lookup | clean |");
        text.AppendLine("| ---: | ---: | --- | --- | --- | --- | --- | --- | ---: | --- |");
        foreach (var r in results)
        {
            text.AppendLine(Invariant,
                $"| {r.Number} | {r.KillAfterSeconds:F1} s | {r.Interrupted} | {(r.TablesOpen ? "yes" : "**no**")} | {r.VersionBefore} → {r.VersionAfter} | {r.Redelivered} | {r.Again} | " +
                $"{r.CurrentRows:N0} = {r.Accepted:N0} | {r.RestartSeconds:F1} s | {(r.Clean ? "yes" : "**no**: " + r.Problem)} |");
        }

        text.AppendLine();
        text.AppendLine(Invariant, $"{clean} of {trials} clean (goal: {trials} of {trials}).");
        return (text.ToString(),
        [
            new CityFigure("crash-trials", "crash trials: clean", clean, "trials", trials, Inv($"{trials} of {trials}"), clean == trials,
                Inv($"{results.Count(r => r.Interrupted == "cut off")} deliveries cut off by the kill, the others had finished")),
        ]);
    }

    private static bool TablesOpen(LakeLayout layout, ref string? problem)
    {
        try
        {
            using var connection = LakeDuckDb.OpenInMemory();
            foreach (var path in Directory.EnumerateDirectories(Path.Combine(layout.Root, "src")).Where(DeltaTable.Exists))
            {
                var snapshot = DeltaTable.Open(path).Snapshot();
                LakeDuckDb.Scalar(connection, $"SELECT count(*) FROM ({snapshot.ToDuckDbQuery()}) t");
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problem ??= "a table does not open: " + ex.Message;
            return false;
        }
    }

    private static List<string> CurrentIds(string table)
    {
        using var connection = LakeDuckDb.OpenInMemory();
        var snapshot = DeltaTable.Open(table).Snapshot();
        return LakeDuckDb.Strings(connection, $"SELECT id_number FROM ({snapshot.ToDuckDbQuery()}) t WHERE record_status = '{BaseTable.CurrentRecord}'").OfType<string>().ToList();
    }

    /// <summary>A full snapshot of the register that differs from every other variant, and from the soak's (which leave out
    /// the first rows): the <paramref name="n"/>-th row from the end left out.</summary>
    private static string Variant(string work, string[] lines, int n)
    {
        var file = Path.Combine(work, Inv($"household-crash-{n}.csv"));
        File.WriteAllLines(file, lines.Where((_, i) => i != lines.Length - 1 - n), new UTF8Encoding(false));
        return file;
    }

    private static async Task<(string Status, JsonElement Report)> DeliverAsync(HttpClient http, string key, string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(Inv($"/api/datasets/{QueryApiBenchmark.PersonsDataset}/deliveries?fileName={Path.GetFileName(file)}"), UriKind.Relative))
        { Content = new StreamContent(stream) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (Inv($"HTTP {(int)response.StatusCode}"), default);
        }

        using var document = JsonDocument.Parse(body);
        var report = document.RootElement.Clone();
        return (report.TryGetProperty("status", out var status) ? status.ToString() : "unknown", report);
    }

    private sealed class Ready(HttpClient client) : IDisposable
    {
        public HttpClient Client { get; } = client;

        public void Dispose() => Client.Dispose();
    }

    /// <summary>A client for the server once it answers lookups.</summary>
    private static async Task<Ready> ReadyAsync(ServeProcess serve, string consumerKey, string id, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = serve.Address, Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Add("X-End-User", Uri.EscapeDataString("基准测试"));
        http.DefaultRequestHeaders.Add("X-Purpose", "benchmark");
        var started = Stopwatch.StartNew();
        while (true)
        {
            serve.ThrowIfExited();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/lookup/person", UriKind.Relative)) { Content = JsonContent.Create(new { idNumber = id }) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", consumerKey);
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return new Ready(http);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (started.Elapsed > TimeSpan.FromHours(1))
            {
                http.Dispose();
                throw new InvalidOperationException("govshare serve answered no lookup within an hour.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static string Inv(FormattableString text) => text.ToString(Invariant);
}
