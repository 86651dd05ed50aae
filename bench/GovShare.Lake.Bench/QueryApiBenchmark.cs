using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Lookups;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GovShare.Lake.Bench;

/// <summary>The HTTP query API on the demo city, served by the real Kestrel host in this process and called over
/// TCP: person lookups under concurrent clients, a federated aggregate through <c>/api/query</c>, and a full theme
/// export, each against DuckDB doing the same raw work in the same run (an indexed native table, the same SQL over
/// the lake core's views, a <c>COPY</c> of the theme's query).</summary>
internal static class QueryApiBenchmark
{
    public const string Title = "Query API: lookups, federated SQL, theme export";

    internal const string Consumer = "urban-ops";
    internal const string PersonsDataset = "psb.household";
    internal const string Theme = "social_security";
    private const int SampleSize = 100_000;
    private const int QueryRuns = 5;
    private const double P99GoalMs = 5;
    private const double RateGoal = 5_000;
    private const double QueryGoal = 1.2;
    private const double ExportGoal = 0.8;

    /// <summary>The default 30 s statement limit would interrupt a full-city export on a slow machine and leave
    /// no figure at all; the benchmark measures throughput, so it lifts the limit and reports the times instead.</summary>
    private static readonly TimeSpan BenchQueryTimeout = TimeSpan.FromMinutes(30);

    private static readonly TimeSpan DefaultQueryTimeout = new EngineOptions().QueryTimeout;

    /// <summary>An analyst's question across three base databases: per household division and age band, the
    /// residents alive, how many hold a valid licence themselves, how many represent an active entity, and the
    /// valid licences of the entities they represent. A fixed reference date keeps both sides' answers equal.</summary>
    internal const string FederatedSql = """
        WITH residents AS (
            SELECT id_number, household_division,
                   CASE WHEN age < 18 THEN '0-17' WHEN age < 35 THEN '18-34' WHEN age < 60 THEN '35-59' ELSE '60+' END AS age_band
            FROM (SELECT id_number, household_division, date_diff('year', birth_date, DATE '2026-01-01') AS age
                  FROM population.persons WHERE status = 'alive') p
        ),
        valid_licences AS (
            SELECT holder_key, count(*) AS licences FROM licence.licences WHERE status = 'valid' GROUP BY holder_key
        ),
        represented AS (
            SELECT e.legal_rep_id_number, count(*) AS entities, sum(coalesce(v.licences, 0)) AS entity_licences
            FROM legal_entity.entities e
            LEFT JOIN valid_licences v ON v.holder_key = e.uscc
            WHERE e.status = 'active' AND e.legal_rep_id_number IS NOT NULL
            GROUP BY e.legal_rep_id_number
        )
        SELECT r.household_division, r.age_band,
               count(*) AS residents,
               count(v.holder_key) AS with_own_licence,
               count(rp.legal_rep_id_number) AS legal_representatives,
               CAST(coalesce(sum(rp.entity_licences), 0) AS BIGINT) AS licences_of_their_entities
        FROM residents r
        LEFT JOIN valid_licences v ON v.holder_key = r.id_number
        LEFT JOIN represented rp ON rp.legal_rep_id_number = r.id_number
        GROUP BY ALL
        ORDER BY 1, 2
        """;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<(IReadOnlyList<BenchResult> Results, string Notes)> RunAsync(
        string work, string? lakeFolder, long persons, int clients, int seconds, TextWriter progress, CancellationToken cancellationToken)
    {
        var lake = Path.GetFullPath(lakeFolder ?? Path.Combine(work, "lake"));
        var layout = new LakeLayout(lake);
        var seeded = Seed(layout, persons, progress, cancellationToken);
        var key = ConsumerKey(layout);
        var loadAtStart = BenchStats.LoadAverage();

        cancellationToken.ThrowIfCancellationRequested();
        var baseline = MeasureBaselineLookups(layout, clients, seconds, progress, cancellationToken);

        cancellationToken.ThrowIfCancellationRequested();
        progress.WriteLine("starting the query API host (Kestrel, loopback TCP) …");
        var app = QueryApiHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Lake:Directory"] = lake,
                ["Engine:QueryTimeout"] = BenchQueryTimeout.ToString("c", Invariant),
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            });

            // The Markdown section goes to stdout; the host's log lines are progress, like the rest of ours.
            builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await using (app)
        {
            var started = Stopwatch.StartNew();
            await app.StartAsync(cancellationToken);
            var startSeconds = started.Elapsed.TotalSeconds;
            var address = new Uri(app.Urls.First());
            var index = app.Services.GetRequiredService<LookupIndex>();
            progress.WriteLine(Inv($"  listening on {address} after {startSeconds:F1} s; waiting for the lookup index …"));
            using (Heartbeat(progress, "building the lookup index"))
            {
                while (index.Version is null)
                {
                    if (started.Elapsed > TimeSpan.FromHours(1))
                    {
                        throw new InvalidOperationException("the lookup index was not ready after an hour; the host's log above says why.");
                    }

                    await Task.Delay(50, cancellationToken);
                }
            }

            // From the start of the host, whose hosted service begins the build while Kestrel starts.
            var indexSeconds = started.Elapsed.TotalSeconds;
            progress.WriteLine(Inv($"  lookup index ready on lake version {index.Version}, {indexSeconds:F1} s after the host was started"));

            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = clients,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
            };
            using var http = new HttpClient(handler) { BaseAddress = address, Timeout = BenchQueryTimeout + TimeSpan.FromMinutes(1) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            http.DefaultRequestHeaders.Add("X-End-User", Uri.EscapeDataString("基准测试"));
            http.DefaultRequestHeaders.Add("X-Purpose", "benchmark");

            var lookups = await MeasureApiLookups(http, baseline.Ids, clients, seconds, progress, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var query = await MeasureQuery(http, layout, progress, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var export = await MeasureExport(http, layout, work, progress, cancellationToken);
            await app.StopAsync(CancellationToken.None);

            var loadAtEnd = BenchStats.LoadAverage();
            return Report(seeded, baseline, lookups, query, export, clients, seconds, startSeconds, indexSeconds, loadAtStart, loadAtEnd);
        }
    }

    // Seeding ----------------------------------------------------------------------------------------

    private sealed record SeedFigures(string Lake, bool Reused, double Seconds, long PersonRows);

    private static SeedFigures Seed(LakeLayout layout, long persons, TextWriter progress, CancellationToken cancellationToken)
    {
        var store = DuckDbPlatformStore.Open(layout.Root);
        if (!DemoLake.IsEmpty(layout, store))
        {
            progress.WriteLine(Inv($"reusing the lake in {layout.Root} (--persons is ignored: the lake keeps the city it was seeded with)"));

            // A lake seeded before access requests existed: the demo consumer's grants, as a new seeding gives them.
            DemoLake.GrantDemoAccess(store, Consumer, TimeProvider.System);
            return new SeedFigures(layout.Root, true, 0, 0);
        }

        progress.WriteLine(Inv($"seeding a demo city of {persons:N0} persons into {layout.Root} …"));
        var watch = Stopwatch.StartNew();
        using (Heartbeat(progress, "seeding"))
        {
            var ingestor = new DeliveryIngestor(layout, store, IdentifierValidator.Default, TimeProvider.System);
            DemoLake.Seed(layout, store, ingestor, persons, TimeProvider.System, progress, cancellationToken);
            DemoLake.SeedAgencies(layout, store, TimeProvider.System);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        progress.WriteLine(Inv($"  seeded in {QueryLog.Seconds(seconds)}"));
        return new SeedFigures(layout.Root, false, seconds, persons);
    }

    /// <summary>The consumer's key from the credentials file the demo seeding writes; a lake without one (seeded by
    /// an older build) gets a new consumer key.</summary>
    internal static string ConsumerKey(LakeLayout layout)
    {
        var file = Path.Combine(layout.Root, DemoLake.CredentialsFile);
        var line = File.Exists(file)
            ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(Consumer + "\t", StringComparison.Ordinal))
            : null;
        if (line is not null)
        {
            return line.Split('\t')[2];
        }

        var store = DuckDbPlatformStore.Open(layout.Root);
        return ApiKeys.Issue(store, Consumer, new LocalizedName("市城市运行管理中心", "City operations centre"), AgencyKind.Consumer, TimeProvider.System);
    }

    // Lookups ----------------------------------------------------------------------------------------

    internal sealed record LookupFigures(double[] LatenciesMs, long Completed, long Errors, double Seconds, string? FirstError, double SingleClientP50Ms)
    {
        public double Rate => Completed / Seconds;

        /// <summary>Requests sent in every phase (warm-up, one client alone, measured), for the CPU each cost.</summary>
        public long AllRequests { get; init; } = Completed + Errors;
    }

    internal sealed record BaselineLookups(string[] Ids, long PersonRows, LookupFigures Figures);

    /// <summary>DuckDB's own indexed lookup: the household registration's current rows in a native table with an
    /// ART index on the key, queried by as many threads as there are HTTP clients, each on its own connection.</summary>
    internal static BaselineLookups MeasureBaselineLookups(LakeLayout layout, int clients, int seconds, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine("lookups, DuckDB baseline: loading the household registration into an indexed table …");
        var snapshot = DeltaTable.Open(layout.ProviderTable(PersonsDataset)).Snapshot();
        var current = snapshot.Schema.Find("record_status") is null ? "" : $" WHERE record_status = '{BaseTable.CurrentRecord}'";
        using var root = LakeDuckDb.OpenInMemory();
        var watch = Stopwatch.StartNew();
        LakeDuckDb.Execute(root, $"CREATE TABLE persons AS SELECT * FROM ({snapshot.ToDuckDbQuery()}) t{current}");
        LakeDuckDb.Execute(root, "CREATE INDEX persons_id ON persons (id_number)");
        var rows = Convert.ToInt64(LakeDuckDb.Scalar(root, "SELECT count(*) FROM persons"), Invariant);
        var ids = LakeDuckDb.Strings(root, $"SELECT id_number FROM persons USING SAMPLE reservoir({SampleSize} ROWS) REPEATABLE (42)")
            .OfType<string>().ToArray();
        progress.WriteLine(Inv($"  {rows:N0} rows loaded and indexed in {watch.Elapsed.TotalSeconds:F1} s; {ids.Length:N0} sampled IDs; {clients} threads for {WarmupSeconds(seconds)} s warm-up + {seconds} s …"));

        LookupFigures Run(int threads, double runSeconds)
        {
            var latencies = new List<double>[threads];
            var errors = new long[threads];
            var deadline = Stopwatch.GetTimestamp() + (long)(runSeconds * Stopwatch.Frequency);
            var begin = Stopwatch.GetTimestamp();
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var mine = latencies[t] = new List<double>(1 << 16);
                var random = new Random(1000 + t);
                using var connection = root.Duplicate();
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT * FROM persons WHERE id_number = $k";
                var parameter = new DuckDBParameter("k", "");
                command.Parameters.Add(parameter);
                while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
                {
                    parameter.Value = ids[random.Next(ids.Length)];
                    var start = Stopwatch.GetTimestamp();
                    var found = 0;
                    using (var reader = command.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            for (var i = 0; i < reader.FieldCount; i++)
                            {
                                _ = reader.GetValue(i);
                            }

                            found++;
                        }
                    }

                    if (found == 1)
                    {
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    else
                    {
                        errors[t]++;
                    }
                }
            })
            { IsBackground = true, Name = "duckdb-lookup-" + t.ToString(Invariant) }).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            var elapsed = Stopwatch.GetElapsedTime(begin).TotalSeconds;
            var all = latencies.SelectMany(l => l).ToArray();
            return new LookupFigures(all, all.Length, errors.Sum(), elapsed, null, 0);
        }

        Run(clients, WarmupSeconds(seconds));
        var single = Run(1, Math.Min(3, seconds));
        var figures = Run(clients, seconds) with { SingleClientP50Ms = BenchStats.Percentile(single.LatenciesMs, 0.5) };
        progress.WriteLine(Inv($"  p50 {Ms(BenchStats.Percentile(figures.LatenciesMs, 0.5))}, p99 {Ms(BenchStats.Percentile(figures.LatenciesMs, 0.99))}, {figures.Rate:N0} lookups/s, {figures.Errors} misses"));
        return new BaselineLookups(ids, rows, figures);
    }

    /// <summary><c>POST /api/lookup/person</c> from concurrent clients over one connection pool, each request timed
    /// from sending to the last byte of the answer.</summary>
    internal static async Task<LookupFigures> MeasureApiLookups(
        HttpClient http, string[] ids, int clients, int seconds, TextWriter progress, CancellationToken cancellationToken)
    {
        async Task<LookupFigures> Run(int count, double runSeconds)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(runSeconds * Stopwatch.Frequency);
            var begin = Stopwatch.GetTimestamp();
            var tasks = Enumerable.Range(0, count).Select(c => Task.Run(async () =>
            {
                var random = new Random(2000 + c);
                var latencies = new List<double>(1 << 16);
                long errors = 0;
                string? firstError = null;
                while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
                {
                    var body = "{\"idNumber\":\"" + ids[random.Next(ids.Length)] + "\"}";
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        using var content = new StringContent(body, Encoding.UTF8, "application/json");
                        using var response = await http.PostAsync(new Uri("/api/lookup/person", UriKind.Relative), content, cancellationToken);
                        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                        else
                        {
                            errors++;
                            firstError ??= Inv($"{(int)response.StatusCode}: {Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, 300))}");
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        errors++;
                        firstError ??= ex.Message;
                    }
                }

                return (Latencies: latencies, Errors: errors, FirstError: firstError);
            }, cancellationToken)).ToList();
            var results = await Task.WhenAll(tasks);
            var elapsed = Stopwatch.GetElapsedTime(begin).TotalSeconds;
            var all = results.SelectMany(r => r.Latencies).ToArray();
            return new LookupFigures(all, all.Length, results.Sum(r => r.Errors), elapsed, results.Select(r => r.FirstError).FirstOrDefault(e => e is not null), 0);
        }

        progress.WriteLine(Inv($"lookups over HTTP: {clients} clients, {WarmupSeconds(seconds)} s warm-up + {seconds} s …"));
        var warmup = await Run(clients, WarmupSeconds(seconds));
        progress.WriteLine(Inv($"  warm-up: {warmup.Rate:N0} lookups/s, p99 {Ms(BenchStats.Percentile(warmup.LatenciesMs, 0.99))}, errors: {warmup.Errors}"));
        var single = await Run(1, Math.Min(3, seconds));
        var measured = await Run(clients, seconds);
        var figures = measured with
        {
            SingleClientP50Ms = BenchStats.Percentile(single.LatenciesMs, 0.5),
            AllRequests = new[] { warmup, single, measured }.Sum(f => f.Completed + f.Errors),
        };
        progress.WriteLine(Inv($"  p50 {Ms(BenchStats.Percentile(figures.LatenciesMs, 0.5))}, p99 {Ms(BenchStats.Percentile(figures.LatenciesMs, 0.99))}, {figures.Rate:N0} lookups/s, errors: {figures.Errors}; one client alone p50 {Ms(figures.SingleClientP50Ms)}"));
        if (figures.FirstError is not null)
        {
            progress.WriteLine("  first error: " + figures.FirstError);
        }

        return figures;
    }

    internal static double WarmupSeconds(int seconds) => Math.Max(2, seconds / 5.0);

    // Federated query --------------------------------------------------------------------------------

    private sealed record QueryFigures(double[] ApiMs, double[] DuckDbMs, int Rows, double ApiFirstMs, double DuckDbFirstMs);

    private static async Task<QueryFigures> MeasureQuery(HttpClient http, LakeLayout layout, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine(Inv($"federated aggregate: 1 warm-up + {QueryRuns} runs each, alternating API and DuckDB …"));
        using var duck = LakeDuckDb.OpenInMemory();
        RegisterViews(duck, layout);

        async Task<(double Ms, int Rows, long Residents)> Api()
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.PostAsJsonAsync(new Uri("/api/query", UriKind.Relative), new { sql = FederatedSql }, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var ms = watch.Elapsed.TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException(Inv($"POST /api/query answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}"));
            }

            using var answer = JsonDocument.Parse(body);
            var rows = answer.RootElement.GetProperty("rows").EnumerateArray().ToList();
            return (ms, rows.Count, rows.Sum(r => r[2].GetInt64()));
        }

        (double Ms, int Rows, long Residents) Duck()
        {
            var watch = Stopwatch.StartNew();
            using var command = duck.CreateCommand();
            command.CommandText = FederatedSql;
            using var reader = command.ExecuteReader();
            var rows = 0;
            long residents = 0;
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    _ = reader.GetValue(i);
                }

                residents += reader.GetInt64(2);
                rows++;
            }

            return (watch.Elapsed.TotalMilliseconds, rows, residents);
        }

        var apiFirst = await Api();
        var duckFirst = Duck();
        if (apiFirst.Rows != duckFirst.Rows || apiFirst.Residents != duckFirst.Residents)
        {
            throw new InvalidOperationException(Inv(
                $"the API and DuckDB disagree: {apiFirst.Rows} rows and {apiFirst.Residents:N0} residents through the API, {duckFirst.Rows} and {duckFirst.Residents:N0} in DuckDB."));
        }

        var api = new double[QueryRuns];
        var duckMs = new double[QueryRuns];
        for (var run = 0; run < QueryRuns; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            api[run] = (await Api()).Ms;
            duckMs[run] = Duck().Ms;
        }

        progress.WriteLine(Inv($"  {apiFirst.Rows} groups, {apiFirst.Residents:N0} residents; API median {Ms(Median(api))} vs DuckDB {Ms(Median(duckMs))} (first runs {Ms(apiFirst.Ms)} vs {Ms(duckFirst.Ms)})"));
        return new QueryFigures(api, duckMs, apiFirst.Rows, apiFirst.Ms, duckFirst.Ms);
    }

    /// <summary>The consolidated views the lake core builds from each catalogue entry's provider table at its latest
    /// version: what the engine serves, without the engine.</summary>
    internal static void RegisterViews(DuckDBConnection connection, LakeLayout layout)
    {
        var store = DuckDbPlatformStore.Open(layout.Root);
        var sources = new Dictionary<BaseTable, IReadOnlyList<ProviderSource>>();
        foreach (var entry in store.ListCatalogue().Select(r => r.Entry))
        {
            var path = layout.ProviderTable(entry.Id);
            if (!DeltaTable.Exists(path))
            {
                continue;
            }

            var list = sources.TryGetValue(entry.Table, out var existing) ? existing.ToList() : [];
            list.Add(new ProviderSource(entry.Id, entry.Agency.Code, DeltaTable.Open(path).Snapshot(), entry.Authoritative.ToHashSet(StringComparer.Ordinal)));
            sources[entry.Table] = list;
        }

        BaseDatabaseViews.Register(connection, sources);
    }

    // Theme export -----------------------------------------------------------------------------------

    private sealed record Transfer(double Seconds, long Rows, long Bytes, long PeakKiB, long ResidentBeforeKiB)
    {
        public double Rate => Rows / Seconds;
    }

    private sealed record ExportFigures(Transfer DuckDb, Transfer Cold, Transfer Cached, Transfer Arrow);

    private static async Task<ExportFigures> MeasureExport(HttpClient http, LakeLayout layout, string work, TextWriter progress, CancellationToken cancellationToken)
    {
        var store = DuckDbPlatformStore.Open(layout.Root);
        var theme = store.ListThemes().FirstOrDefault(t => t.Id == Theme)
            ?? throw new InvalidOperationException($"the lake has no theme '{Theme}'; seed it with the demo city.");
        var folder = Path.Combine(work, "exports");
        Directory.CreateDirectory(folder);

        progress.WriteLine($"theme export '{Theme}': DuckDB COPY baseline …");
        Transfer duck;
        var duckFile = Path.Combine(folder, "duckdb.parquet");
        using (var connection = LakeDuckDb.OpenInMemory())
        {
            RegisterViews(connection, layout);
            var before = ResetPeak();
            var watch = Stopwatch.StartNew();
            LakeDuckDb.Execute(connection, $"COPY ({BaselineExportQuery(theme)}) TO {LakeDuckDb.Literal(duckFile)} (FORMAT parquet, COMPRESSION zstd)");
            var seconds = watch.Elapsed.TotalSeconds;
            var peak = ProcessMemory.PeakResidentKiB();
            duck = new Transfer(seconds, ParquetRows(duckFile), new FileInfo(duckFile).Length, peak, before);
        }

        progress.WriteLine(Inv($"  {duck.Rows:N0} rows in {QueryLog.Seconds(duck.Seconds)} ({duck.Rate:N0} rows/s), peak RSS {ProcessMemory.Format(duck.PeakKiB)}"));

        // The host keeps finished Parquet exports under tmp/exports, named by lake version; an earlier run on the
        // same lake would otherwise make the first request a cached one.
        var exports = Path.Combine(layout.Root, "tmp", "exports");
        if (Directory.Exists(exports))
        {
            foreach (var stale in Directory.EnumerateFiles(exports, $"theme-{Theme}-*.parquet"))
            {
                File.Delete(stale);
            }
        }

        async Task<Transfer> Download(string format, string file)
        {
            var before = ResetPeak();
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri($"/api/themes/{Theme}/export?format={format}", UriKind.Relative),
                HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException(Inv(
                    $"GET /api/themes/{Theme}/export?format={format} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}"));
            }

            await using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None))
            {
                await response.Content.CopyToAsync(output, cancellationToken);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var peak = ProcessMemory.PeakResidentKiB();
            var rows = format == "arrow" ? await ArrowRows(file, cancellationToken) : ParquetRows(file);
            return new Transfer(seconds, rows, new FileInfo(file).Length, peak, before);
        }

        void Check(Transfer transfer, string what)
        {
            if (transfer.Rows != duck.Rows)
            {
                throw new InvalidOperationException(Inv($"the {what} export has {transfer.Rows:N0} rows; DuckDB's COPY of the theme's SQL has {duck.Rows:N0}."));
            }
        }

        progress.WriteLine("  API, Parquet, first request (writes the export file) …");
        var cold = await Download("parquet", Path.Combine(folder, "api-cold.parquet"));
        Check(cold, "first Parquet");
        progress.WriteLine(Inv($"  {QueryLog.Seconds(cold.Seconds)} ({cold.Rate:N0} rows/s), peak RSS {ProcessMemory.Format(cold.PeakKiB)}"));
        progress.WriteLine("  API, Parquet, second request (served from the export file) …");
        var cached = await Download("parquet", Path.Combine(folder, "api-cached.parquet"));
        Check(cached, "second Parquet");
        progress.WriteLine(Inv($"  {QueryLog.Seconds(cached.Seconds)} ({cached.Rate:N0} rows/s)"));
        progress.WriteLine("  API, Arrow stream …");
        var arrow = await Download("arrow", Path.Combine(folder, "api.arrows"));
        Check(arrow, "Arrow");
        progress.WriteLine(Inv($"  {QueryLog.Seconds(arrow.Seconds)} ({arrow.Rate:N0} rows/s), peak RSS {ProcessMemory.Format(arrow.PeakKiB)}"));
        return new ExportFigures(duck, cold, cached, arrow);
    }

    /// <summary>The theme's SQL ordered by its key, as the API orders an export (so that a version's file is the same
    /// bytes every time it is written): the sort is part of the work both sides do.</summary>
    internal static string BaselineExportQuery(ThemeDefinition theme) =>
        $"SELECT * FROM (\n{theme.Sql}\n) ORDER BY {LakeDuckDb.Identifier(theme.KeyColumn)}";

    internal static long ParquetRows(string file)
    {
        using var connection = LakeDuckDb.OpenInMemory();
        return Convert.ToInt64(LakeDuckDb.Scalar(connection, $"SELECT count(*) FROM read_parquet({LakeDuckDb.Literal(file)})"), Invariant);
    }

    internal static async Task<long> ArrowRows(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        using var reader = new ArrowStreamReader(stream);
        long rows = 0;
        while (await reader.ReadNextRecordBatchAsync(cancellationToken) is { } batch)
        {
            using (batch)
            {
                rows += batch.Length;
            }
        }

        return rows;
    }

    /// <summary>Resets the peak resident set and returns the resident set at that moment.</summary>
    private static long ResetPeak()
    {
        ProcessMemory.ResetPeak();
        return ProcessMemory.PeakResidentKiB();
    }

    // Report -----------------------------------------------------------------------------------------

    private static (IReadOnlyList<BenchResult> Results, string Notes) Report(
        SeedFigures seeded, BaselineLookups baseline, LookupFigures lookups, QueryFigures query, ExportFigures export,
        int clients, int seconds, double startSeconds, double indexSeconds, string loadAtStart, string loadAtEnd)
    {
        var duckLookups = baseline.Figures;
        var p50 = BenchStats.Percentile(lookups.LatenciesMs, 0.5);
        var p99 = BenchStats.Percentile(lookups.LatenciesMs, 0.99);
        var duckP50 = BenchStats.Percentile(duckLookups.LatenciesMs, 0.5);
        var duckP99 = BenchStats.Percentile(duckLookups.LatenciesMs, 0.99);
        var apiMs = Median(query.ApiMs);
        var duckMs = Median(query.DuckDbMs);
        var coldRatio = export.Cold.Rate / export.DuckDb.Rate;
        var errors = Inv($"{lookups.Errors:N0} errors (non-200) in {lookups.Completed + lookups.Errors:N0} requests");
        IReadOnlyList<BenchResult> results =
        [
            new BenchResult(Inv($"person lookup p50, HTTP, {clients} clients"), p50, "ms", duckP50, "none set; ratio reported", null,
                Inv($"{errors}; one client alone: p50 {Ms(lookups.SingleClientP50Ms)} vs DuckDB {Ms(duckLookups.SingleClientP50Ms)}")),
            new BenchResult(Inv($"person lookup p99, HTTP, {clients} clients"), p99, "ms", duckP99, Inv($"≤ {P99GoalMs:0} ms"), p99 <= P99GoalMs,
                Inv($"{seconds} s after {WarmupSeconds(seconds):0.#} s warm-up")),
            new BenchResult(Inv($"person lookups per second, HTTP, {clients} clients"), lookups.Rate, "lookups/s", duckLookups.Rate,
                Inv($"≥ {RateGoal:N0} lookups/s"), lookups.Rate >= RateGoal && lookups.Errors == 0,
                Inv($"lookup index ready {indexSeconds:F1} s after the host was started (`StartAsync` took {startSeconds:F1} s)")),
            new BenchResult("federated aggregate (persons × licences × entities) via `/api/query`", apiMs, "ms", duckMs,
                Inv($"≤ {QueryGoal:0.0}× DuckDB"), apiMs / duckMs <= QueryGoal,
                Inv($"median of {QueryRuns}; {query.Rows} groups; first (warm-up) runs {Ms(query.ApiFirstMs)} vs {Ms(query.DuckDbFirstMs)}")),
            new BenchResult(Inv($"theme export `{Theme}` as Parquet, first request ({export.Cold.Rows:N0} rows)"), export.Cold.Rate, "rows/s", export.DuckDb.Rate,
                Inv($"≥ {ExportGoal:0.0}× DuckDB"), coldRatio >= ExportGoal,
                Inv($"{QueryLog.Seconds(export.Cold.Seconds)} vs {QueryLog.Seconds(export.DuckDb.Seconds)}; {Mb(export.Cold.Bytes)} vs {Mb(export.DuckDb.Bytes)}; ") +
                Inv($"bench process peak RSS {ProcessMemory.Format(export.Cold.PeakKiB)} (from {ProcessMemory.Format(export.Cold.ResidentBeforeKiB)}) vs DuckDB COPY {ProcessMemory.Format(export.DuckDb.PeakKiB)} (from {ProcessMemory.Format(export.DuckDb.ResidentBeforeKiB)})")),
            new BenchResult(Inv($"theme export `{Theme}` as Parquet, again (cached file)"), export.Cached.Rate, "rows/s", export.DuckDb.Rate,
                "none set; served from the file the first request wrote", null,
                Inv($"{QueryLog.Seconds(export.Cached.Seconds)}; peak RSS {ProcessMemory.Format(export.Cached.PeakKiB)}")),
            new BenchResult(Inv($"theme export `{Theme}` as Arrow stream"), export.Arrow.Rate, "rows/s", export.DuckDb.Rate,
                "none set; extra figure (baseline: DuckDB's Parquet COPY)", null,
                Inv($"{QueryLog.Seconds(export.Arrow.Seconds)}, {Mb(export.Arrow.Bytes)}; peak RSS {ProcessMemory.Format(export.Arrow.PeakKiB)} (from {ProcessMemory.Format(export.Arrow.ResidentBeforeKiB)})")),
        ];

        var notes = new StringBuilder();
        notes.AppendLine(Inv(
            $"Data: the demo city (`DemoLake.Seed`{(seeded.Reused ? ", an existing lake reused with `--lake`" : Inv($", {seeded.PersonRows:N0} persons, seeded in {QueryLog.Seconds(seeded.Seconds)}"))}); ") +
            Inv($"`{PersonsDataset}` holds {baseline.PersonRows:N0} current rows. Host: `QueryApiHost.Build` with the real Kestrel server on loopback TCP, in the bench process, ") +
            Inv($"called with `HttpClient` (`SocketsHttpHandler`, {clients} connections) as the consumer agency `{Consumer}` with `X-End-User` and `X-Purpose`. ") +
            Inv($"Engine settings are the defaults except `Engine:QueryTimeout`, raised to {BenchQueryTimeout.TotalMinutes:0} min so that a long export is measured rather than cut off ") +
            Inv($"(the default is {DefaultQueryTimeout.TotalSeconds:0} s: {TimeoutVerdict(apiMs, export)}). ") +
            Inv($"The clients, the server and the DuckDB baselines share the machine's {Environment.ProcessorCount} cores and one process (workstation, non-concurrent GC, as `govshare serve` runs); ") +
            Inv($"load average {loadAtStart} at the start, {loadAtEnd} at the end."));
        notes.AppendLine();
        notes.AppendLine(Inv(
            $"**Lookups.** Ours: `POST /api/lookup/person {{idNumber}}` with IDs drawn at random from {baseline.Ids.Length:N0} sampled from the current rows; each answer is the ") +
            Inv($"consolidated person with their licences and the entities they represent (three searches of the lookup index: every provider's row of the person, ") +
            Inv($"licences by holder, entities by legal representative; the JSON payloads parsed and consolidated in C#, the answer serialised). ") +
            Inv($"Timed from sending to the last byte. DuckDB: `SELECT * FROM persons WHERE id_number = ?` on a native table ") +
            Inv($"of the same rows with an ART index, {clients} threads each with its own connection, every value read. Both run {WarmupSeconds(seconds):0.#} s of warm-up, then {seconds} s measured. ") +
            Inv($"A single client alone (3 s) shows the unloaded latency: {Ms(lookups.SingleClientP50Ms)} over HTTP vs {Ms(duckLookups.SingleClientP50Ms)} in DuckDB. ") +
            Inv($"The clients send their next request as soon as an answer arrives, so the mean latency is {clients} / rate: the p99 goal of {P99GoalMs:0} ms ") +
            Inv($"alone needs more than {clients * 1000 / P99GoalMs:N0} lookups/s."));
        var lookupP99 = BenchStats.Percentile(lookups.LatenciesMs, 0.99);
        if (lookupP99 > P99GoalMs)
        {
            notes.AppendLine();
            notes.AppendLine(Inv(
                $"**The p99 goal is missed** by {Ms(lookupP99 - P99GoalMs)} ({Ms(lookupP99)} against {P99GoalMs:0} ms). The server's own work per lookup is small ") +
                Inv($"(one client alone: {Ms(lookups.SingleClientP50Ms)} end to end, HTTP included); the tail comes from {clients} clients and the server taking turns on ") +
                Inv($"{Environment.ProcessorCount} cores in one process, with the garbage collector's pauses shared by both (the load generator allocates as much as the server). ") +
                "What would bring it down: the load generator in another process or machine (the city-scale harness, issue 10), fewer allocations per answer " +
                "(consolidation without LINQ, writing the answer straight from the stored JSON), and server GC for `serve` on machines with more cores.");
        }

        if (lookups.FirstError is not null)
        {
            notes.AppendLine();
            notes.AppendLine("First lookup error: `" + lookups.FirstError.Replace("`", "'", StringComparison.Ordinal).ReplaceLineEndings(" ") + "`.");
        }

        notes.AppendLine();
        notes.AppendLine(Inv(
            $"**Federated aggregate.** Per household division and age band: residents alive, how many hold a valid licence, how many represent an active entity, ") +
            Inv($"and the valid licences of those entities (`population.persons` ⟕ `licence.licences` ⟕ `legal_entity.entities`, {query.Rows} groups). Ours: `POST /api/query` (JSON answer: ") +
            Inv($"the sandbox check, the version pin, the statement wrapped in the paging `LIMIT`, the JSON writer). DuckDB: the same SQL on a fresh in-memory connection with the ") +
            Inv($"same consolidated views registered by the lake core (`BaseDatabaseViews.Register` over each provider table's latest snapshot). One warm-up run each, then {QueryRuns} ") +
            Inv($"alternating; medians. The answers are checked to agree (groups and total residents)."));
        notes.AppendLine();
        notes.AppendLine(Inv(
            $"**Theme export.** Ours: `GET /api/themes/{Theme}/export?format=parquet` downloaded to a file; the first request runs DuckDB's `COPY` of the theme view into the ") +
            Inv($"export cache and then serves the file, the second serves the cached file (any cached file from an earlier run is deleted first). `format=arrow` streams ") +
            Inv($"the same rows as an Arrow IPC stream built in C#. DuckDB: `COPY (SELECT * FROM (<theme SQL over the same views>) ORDER BY <theme key>) TO 'x.parquet' ") +
            Inv($"(FORMAT parquet, COMPRESSION zstd)`, ordered as the API orders its exports. ") +
            Inv($"Row counts of every download are checked against DuckDB's file. Peak RSS is the whole bench process's (VmHWM, reset before each export), so it includes ") +
            Inv($"the host's resident lookup index and DuckDB buffers; the figure it started from is given next to it."));
        notes.AppendLine();
        notes.Append("Rerun: `dotnet run -c Release --project bench/GovShare.Lake.Bench -- query-api --lake <folder> --markdown docs/benchmarks.md` ")
            .AppendLine("(the first run on an empty folder seeds the city; later runs reuse it).");
        return (results, notes.ToString());
    }

    /// <summary>Which of the API's statements would have hit the default limit (<c>EngineOptions.QueryTimeout</c>).</summary>
    private static string TimeoutVerdict(double queryMs, ExportFigures export)
    {
        var over = new List<string>();
        if (queryMs / 1000 > DefaultQueryTimeout.TotalSeconds)
        {
            over.Add("the federated aggregate");
        }

        if (export.Cold.Seconds > DefaultQueryTimeout.TotalSeconds)
        {
            over.Add("the first Parquet export");
        }

        if (export.Arrow.Seconds > DefaultQueryTimeout.TotalSeconds)
        {
            over.Add("the Arrow export");
        }

        return over.Count == 0
            ? "every statement here finished within it"
            : "**" + string.Join(", ", over) + " took longer here, so with the default limit they would be interrupted (408) instead**";
    }

    // Helpers ----------------------------------------------------------------------------------------

    private static Timer Heartbeat(TextWriter progress, string what)
    {
        var watch = Stopwatch.StartNew();
        return new Timer(_ => progress.WriteLine(Inv($"  … {what}, {watch.Elapsed.TotalSeconds:0} s")), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    private static double Median(double[] values) => BenchStats.Percentile(values, 0.5);

    private static string Ms(double milliseconds) => milliseconds >= 100
        ? milliseconds.ToString("N0", Invariant) + " ms"
        : milliseconds.ToString("0.00", Invariant) + " ms";

    private static string Mb(long bytes) => (bytes / 1e6).ToString("N0", Invariant) + " MB";

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);
}
