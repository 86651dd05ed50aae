using System.Diagnostics;
using System.Globalization;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Bench;

/// <summary>What reading each record's production time (<c>producedAt</c>) costs an ingestion: the synthetic city's
/// marriage register ingested with its entry as catalogued and with <c>producedAt</c> removed, alternately, next to
/// DuckDB's plain <c>COPY</c> of the same file.</summary>
internal static class ProducedAtBenchmark
{
    public const string Title = "Ingestion: production times (`producedAt`)";

    private const string Dataset = "mca.marriage";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static (IReadOnlyList<BenchResult> Results, string Notes) Run(string work, long persons, int runs, TextWriter progress, CancellationToken cancellationToken)
    {
        var loadBefore = BenchStats.LoadAverage();
        progress.WriteLine(Inv($"generating a city of {persons:N0} persons ..."));
        var city = SyntheticCity.Generate(new SyntheticCityOptions
        {
            OutputDirectory = Path.Combine(work, "city"), Persons = persons, Entities = 1, Licences = 0, Places = 0,
        }, null, cancellationToken);
        var dataset = city.Datasets.Single(d => d.Id == Dataset);
        var file = Path.Combine(city.OutputDirectory, dataset.File);
        var bytes = new FileInfo(file).Length;
        var entry = CatalogueYaml.LoadFile(Path.Combine(city.OutputDirectory, "catalogue", Dataset + ".yaml"));
        progress.WriteLine(Inv($"  {dataset.Rows:N0} rows, {bytes / 1048576.0:F0} MB"));
        // DuckDB reads no GBK without an extension (a download): its baseline reads the same text as UTF-8.
        var utf8 = Path.Combine(work, "marriage-utf8.csv");
        File.WriteAllText(utf8, File.ReadAllText(file, GovShare.Lake.Text.TextEncodings.Gb18030), new System.Text.UTF8Encoding(false));
        // As for every delivery after the first: the dataset's earlier deliveries carried production times up to 36 hours
        // before the export, so each row is judged new or not, and the new ones late or not.
        var earlier = new DateTimeOffset(city.GeneratedAt.UtcDateTime.AddHours(-36), TimeSpan.Zero);

        var with = new List<double>();
        var without = new List<double>();
        var duckdb = new List<double>();
        BatchReport? report = null;
        // Run -1 warms up (JIT, file cache) and is not counted.
        for (var run = -1; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copy = Baseline(utf8, Path.Combine(work, Inv($"baseline-{run}.parquet")));
            // Alternating which goes first, so that neither always meets a warmer cache.
            foreach (var produced in run % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var lake = Path.Combine(work, Inv($"lake-{run}-{produced}"));
                var store = DuckDbPlatformStore.Open(lake);
                store.SaveCatalogueEntry(produced ? entry : entry with { ProducedAt = null }, DateTimeOffset.UtcNow);
                store.RecordBatch(new BatchRecord($"{Dataset}-earlier", Dataset, 1, "earlier.csv", "committed", 0, 0, 0, 0, 0, earlier, earlier, "{}")
                {
                    ProducedNewest = earlier,
                });
                // Delivered an hour after the export, whatever the machine's date: the production times are then in the past.
                var ingestor = new DeliveryIngestor(new LakeLayout(lake), store, IdentifierValidator.Default, new FixedClock(city.GeneratedAt.AddHours(1)));
                var watch = Stopwatch.StartNew();
                var outcome = ingestor.Ingest(file, Dataset, null, cancellationToken);
                if (run >= 0)
                {
                    (produced ? with : without).Add(watch.Elapsed.TotalSeconds);
                }

                report = produced ? outcome : report;
                progress.WriteLine(Inv($"  {(run < 0 ? "warm-up: " : "")}ingest {(produced ? "with" : "without")} producedAt: {watch.Elapsed.TotalSeconds:F2} s ({BatchReport.StatusName(outcome.Status)}; ") +
                    string.Join(", ", outcome.Stages.Select(stage => Inv($"{stage.Key} {stage.Value:F2} s"))) + ")");
                Directory.Delete(lake, recursive: true);
            }

            if (run >= 0)
            {
                duckdb.Add(copy);
            }

            progress.WriteLine(Inv($"  DuckDB COPY: {copy:F2} s"));
        }

        // The per-row work alone, on one thread (no pipeline, no DuckDB): read and check every row, alternately with and without.
        var checkWith = new List<double>();
        var checkWithout = new List<double>();
        var judge = new ProductionJudge(earlier, city.GeneratedAt.AddHours(1), GovShare.Lake.Calendar.WorkingCalendar.Load());
        for (var run = 0; run < runs; run++)
        {
            foreach (var produced in run % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var seconds = ReadAndCheck(file, produced ? entry : entry with { ProducedAt = null }, produced ? judge : null, city.GeneratedAt.AddHours(1));
                (produced ? checkWith : checkWithout).Add(seconds);
                progress.WriteLine(Inv($"  read and check on one thread {(produced ? "with" : "without")} producedAt: {seconds:F2} s"));
            }
        }

        var parse = ParseAlone(file, entry, judge);
        progress.WriteLine(Inv($"  reading and judging one production time alone: {parse:F0} ns"));

        var rows = report!.Read;
        var (withSeconds, withoutSeconds, duckSeconds) = (Median(with), Median(without), Median(duckdb));
        // Each run's pair measured back to back: the load of a shared machine drifts between runs, much less within one.
        var overhead = Median(with.Zip(without, (a, b) => a / b).ToList()) - 1;
        var checkOverhead = Median(checkWith.Zip(checkWithout, (a, b) => a - b).ToList());
        IReadOnlyList<BenchResult> results =
        [
            new BenchResult(Inv($"ingest {rows:N0} marriage records with `producedAt`"), rows / withSeconds, "rows/s", rows / duckSeconds,
                "no noticeable cost (within the runs' spread)", null, Inv($"{withSeconds:F2} s; {overhead:+0.0%;-0.0%} against the same entry without it (median of the runs' pairs; runs {string.Join(", ", with.Select(s => s.ToString("F2", Invariant)))} s)")),
            new BenchResult(Inv($"ingest {rows:N0} marriage records without `producedAt`"), rows / withoutSeconds, "rows/s", rows / duckSeconds,
                "none set; the reference", null, Inv($"{withoutSeconds:F2} s; runs {string.Join(", ", without.Select(s => s.ToString("F2", Invariant)))} s")),
            new BenchResult("a production time read and judged (`RowChecker.Production`), per row", parse, "ns", null,
                "none set; against the per-row check", null,
                Inv($"{parse / (Median(checkWithout) / rows * 1e9):0.0%} of the {Median(checkWithout) / rows * 1e9:F0} ns a row's reading and checking take on one thread; ") +
                Inv($"inside that loop, with minus without: {checkOverhead / rows * 1e9:F0} ns (median of the pairs)")),
        ];
        var notes =
            Inv($"Data: the synthetic city's `{Dataset}` delivery (`govshare sample generate --persons {persons}`), a GBK CSV of {rows:N0} rows ({bytes / 1048576.0:F0} MB) ") +
            Inv($"whose `登记时间` column is each record's registration time (`yyyy-MM-dd HH:mm:ss`), {report.Warnings.Where(w => w.Code == IngestionWarnings.ProductionTimeUnreadable).Sum(w => w.Count):N0} of them unreadable. ") +
            "Ours: `DeliveryIngestor.Ingest` into a fresh lake, once with the entry as catalogued (`producedAt: 登记时间`: every accepted row's production time parsed, " +
            "judged late or not, and tallied; the duplicate pass takes the quarantined copies out of the tally) and once with `producedAt` removed (the column is then split from the line but not parsed); " +
            "as for a delivery after others, the store already holds one whose newest production time is 36 hours before the export, so every row is " +
            Inv($"judged new or not and the new ones late or not ({report.LateRows:N0} late). ") +
            Inv($"A first pair of runs warms up and is not counted. DuckDB: `COPY (SELECT * FROM read_csv(file)) TO 'x.parquet' (FORMAT parquet)` ") +
            "of the same text re-encoded as UTF-8 (DuckDB reads GBK only through an extension). " +
            Inv($"The per-row work alone — reading and checking every row on one thread, without the pipeline or DuckDB — takes {Median(checkWith):F2} s with and ") +
            Inv($"{Median(checkWithout):F2} s without (medians; runs with {string.Join(", ", checkWith.Select(v => v.ToString("F2", Invariant)))}, without ") +
            Inv($"{string.Join(", ", checkWithout.Select(v => v.ToString("F2", Invariant)))} s): {checkOverhead / rows * 1e9:F0} ns more per row (median of the pairs); ") +
            Inv($"reading and judging one production time alone (`RowChecker.Production` over the column's values held in memory, fastest of 5 passes) takes {parse:F0} ns. ") +
            Inv($"Median of {runs} run(s) each; load average (1 min) {loadBefore} at the start and {BenchStats.LoadAverage()} at the end (this run alone accounts for up to 2). ") +
            Inv($"Rerun: `dotnet run -c Release --project bench/GovShare.Lake.Bench -- produced-at --persons {persons} --runs {runs} --markdown docs/benchmarks.md`.");
        return (results, notes);
    }

    /// <summary>Nanoseconds per value of <c>RowChecker.Production</c> alone, over the column's values held in memory.</summary>
    private static double ParseAlone(string file, GovShare.Lake.Catalogue.CatalogueEntry entry, ProductionJudge judge)
    {
        var texts = new List<string?>();
        using (var source = GovShare.Lake.Ingestion.Formats.RecordSources.Open(file, entry))
        {
            var column = source.Columns.ToList().IndexOf(entry.ProducedAt!);
            foreach (var record in source.Records())
            {
                texts.Add(record.Values[column]);
            }
        }

        var checker = new RowChecker(entry, [entry.ProducedAt!], IdentifierValidator.Default, DateOnly.FromDateTime(ChinaTime.ToChina(judge.DeliveredAt).DateTime), null, judge);
        var values = new string?[1];
        var warnings = new List<RowWarning>();
        var best = double.MaxValue;
        for (var pass = 0; pass < 5; pass++)
        {
            var watch = Stopwatch.StartNew();
            foreach (var text in texts)
            {
                values[0] = text;
                checker.Production(values, false, warnings, out _);
                warnings.Clear();
            }

            best = Math.Min(best, watch.Elapsed.TotalSeconds * 1e9 / texts.Count);
        }

        return best;
    }

    private static double ReadAndCheck(string file, GovShare.Lake.Catalogue.CatalogueEntry entry, ProductionJudge? judge, DateTimeOffset now)
    {
        var watch = Stopwatch.StartNew();
        using var source = GovShare.Lake.Ingestion.Formats.RecordSources.Open(file, entry);
        var checker = new RowChecker(entry, source.Columns, IdentifierValidator.Default, DateOnly.FromDateTime(ChinaTime.ToChina(now).DateTime), null, judge);
        var batch = new List<GovShare.Lake.Ingestion.Formats.SourceRecord>(512);
        foreach (var record in source.Records())
        {
            batch.Add(record);
            if (batch.Count == 512)
            {
                CheckedBatch.Check(batch, checker);
                batch.Clear();
            }
        }

        CheckedBatch.Check(batch, checker);
        return watch.Elapsed.TotalSeconds;
    }

    private static double Baseline(string file, string output)
    {
        var watch = Stopwatch.StartNew();
        using var connection = LakeDuckDb.OpenInMemory();
        LakeDuckDb.Execute(connection, $"COPY (SELECT * FROM read_csv({LakeDuckDb.Literal(file)})) TO {LakeDuckDb.Literal(output)} (FORMAT parquet)");
        var seconds = watch.Elapsed.TotalSeconds;
        File.Delete(output);
        return seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Inv(FormattableString text) => text.ToString(Invariant);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
