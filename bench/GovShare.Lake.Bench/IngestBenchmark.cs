using System.Diagnostics;
using System.Globalization;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Formats;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Bench;

/// <summary>Ingesting the synthetic city's household-registration CSV with full validation, against DuckDB's
/// plain <c>COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)</c> of the same file in the same run.</summary>
internal static class IngestBenchmark
{
    public const string Title = "Ingestion: persons CSV with full validation";

    private const string Dataset = "psb.household";
    private const double Goal = 0.5;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static (IReadOnlyList<BenchResult> Results, string Notes) Run(string work, long persons, int runs, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine($"generating a city of {persons:N0} persons ...");
        var generate = Stopwatch.StartNew();
        var city = SyntheticCity.Generate(new SyntheticCityOptions
        {
            OutputDirectory = Path.Combine(work, "city"), Persons = persons, Entities = 1, Licences = 0, Places = 0,
        }, null, cancellationToken);
        var dataset = city.Datasets.Single(d => d.Id == Dataset);
        var file = Path.Combine(city.OutputDirectory, dataset.File);
        var bytes = new FileInfo(file).Length;
        progress.WriteLine($"  {dataset.Rows:N0} rows, {bytes / 1048576.0:F0} MB in {generate.Elapsed.TotalSeconds:F0} s");
        var entry = CatalogueYaml.LoadFile(Path.Combine(city.OutputDirectory, "catalogue", Dataset + ".yaml"));

        var duckdb = new List<double>();
        var ours = new List<double>();
        var oursPeak = 0L;
        BatchReport? report = null;
        for (var run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            duckdb.Add(Baseline(file, Path.Combine(work, $"baseline-{run}.parquet")));
            progress.WriteLine($"  DuckDB COPY: {duckdb[^1]:F2} s");

            var lake = Path.Combine(work, $"lake-{run}");
            var store = DuckDbPlatformStore.Open(lake);
            store.SaveCatalogueEntry(entry, DateTimeOffset.UtcNow);
            var ingestor = new DeliveryIngestor(new LakeLayout(lake), store, IdentifierValidator.Default, TimeProvider.System);
            ProcessMemory.ResetPeak();
            var watch = Stopwatch.StartNew();
            report = ingestor.Ingest(file, Dataset, null, cancellationToken);
            ours.Add(watch.Elapsed.TotalSeconds);
            oursPeak = Math.Max(oursPeak, ProcessMemory.PeakResidentKiB());
            progress.WriteLine($"  ingest: {ours[^1]:F2} s ({BatchReport.StatusName(report.Status)}, {report.Accepted:N0} accepted, {report.Quarantined:N0} quarantined)");
            Directory.Delete(lake, recursive: true);
        }

        var (readSeconds, checkSeconds, pipelineSeconds) = Profile(file, entry);
        var oursSeconds = Median(ours);
        var duckSeconds = Median(duckdb);
        var rows = report!.Read;
        var oursRate = rows / oursSeconds;
        var duckRate = rows / duckSeconds;
        var ratio = oursRate / duckRate;
        IReadOnlyList<BenchResult> results =
        [
            new BenchResult(Inv($"ingest {rows:N0} persons (CSV, {bytes / 1048576.0:F0} MB)"), oursRate, "rows/s", duckRate,
                Inv($"≥ {Goal:0.0}× DuckDB"), ratio >= Goal,
                Inv($"{oursSeconds:F2} s vs {duckSeconds:F2} s; peak RSS {ProcessMemory.Format(oursPeak)}")),
        ];
        var stages = string.Join(", ", report.Stages.Select(s => Inv($"{s.Key} {s.Value:F2} s")));
        var notes =
            Inv($"Data: the synthetic city's `{Dataset}` delivery (`govshare sample generate --persons {persons}`), UTF-8 CSV with Chinese headers, ") +
            Inv($"{dataset.InvalidRows:N0} deliberately invalid rows. Ours: `DeliveryIngestor.Ingest` into a fresh lake — every row's citizen ID (GB 11643 check, region ") +
            Inv($"valid in the birth year), sex code map, birth date (format and sanity), division code and required fields checked, cross-field warnings, ") +
            Inv($"duplicate keys quarantined, quarantine and provider Delta commits (zstd Parquet with statistics). DuckDB: ") +
            Inv($"`COPY (SELECT * FROM read_csv(file)) TO 'x.parquet' (FORMAT parquet)`: sniffing and parsing only, no checks, no log. Median of {runs} run(s).\n\n") +
            Inv($"Where the time goes (last run): {stages}. Reading and splitting the file alone takes {readSeconds:F2} s; reading and checking every row on one ") +
            Inv($"thread {checkSeconds:F2} s; the two-thread pipeline (reader thread, one checker thread writing the typed staging text) alone {pipelineSeconds:F2} s. ") +
            Inv($"Ingestion itself checks on two workers beside the reader; on two cores that gains little over one checker, because the reader, ") +
            Inv($"the checkers and the (blocking, single-threaded) garbage collector share the same two cores.\n\n") +
            Inv($"What limits it: DuckDB parses the CSV in C++ on both cores and writes once. Ours splits the file in C# on one thread, checks every ") +
            Inv($"field on another (identifier and date checks cost about as much as the parsing), then pays three more passes in DuckDB: loading ") +
            Inv($"the checked rows from the typed staging text, the exact duplicate check for keys whose hash repeated, and the commit (zstd Parquet plus ") +
            Inv($"statistics, and the full-snapshot anti-joins against the current table). The way to the goal is to remove passes, not to tune ") +
            Inv($"them: split the file by byte ranges so that parsing, not only checking, runs on both cores, allocate less per row (a string per field, ") +
            Inv($"a record and a boxed value per typed field today), and ") +
            Inv($"write the provider table's Parquet straight from the checked rows instead of staging them in DuckDB first. The runs share one ") +
            Inv($"process, so only the first pays JIT warm-up, as every command-line ingestion does: {ours[0]:F1} s here. The CLI and this bench run with blocking GC (`ConcurrentGarbageCollection=false`), which ") +
            Inv($"measured about 1.7× faster for the two-thread staging than background GC. ") +
            Inv($"Rerun: `dotnet run -c Release --project bench/GovShare.Lake.Bench -- ingest --markdown docs/benchmarks.md`.");
        return (results, notes);
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

    /// <summary>Reading alone, then reading and checking on one thread (no staging, no commit).</summary>
    private static (double ReadSeconds, double CheckSeconds, double PipelineSeconds) Profile(string file, GovShare.Lake.Catalogue.CatalogueEntry entry)
    {
        var watch = Stopwatch.StartNew();
        using (var source = RecordSources.Open(file, entry))
        {
            foreach (var _ in source.Records())
            {
            }
        }

        var read = watch.Elapsed.TotalSeconds;
        watch.Restart();
        using (var source = RecordSources.Open(file, entry))
        {
            var checker = new RowChecker(entry, source.Columns, IdentifierValidator.Default, DateOnly.FromDateTime(DateTime.Today));
            var typed = new object?[checker.Fields.Count];
            var problems = new List<FieldProblem>();
            var warnings = new List<RowWarning>();
            foreach (var record in source.Records())
            {
                checker.Check(record.Values, typed, false, problems, warnings);
            }
        }

        var check = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var staging = Path.Combine(Path.GetDirectoryName(file)!, "profile.tsv");
        using (var source = RecordSources.Open(file, entry))
        using (var writer = new StreamWriter(staging, false, new System.Text.UTF8Encoding(false), 1 << 20))
        {
            var checker = new RowChecker(entry, source.Columns, IdentifierValidator.Default, DateOnly.FromDateTime(DateTime.Today));
            var typed = new object?[checker.Fields.Count];
            var problems = new List<FieldProblem>();
            var warnings = new List<RowWarning>();
            foreach (var batch in RecordBatches.ReadAhead(source, CancellationToken.None))
            {
                foreach (var record in batch)
                {
                    checker.Check(record.Values, typed, false, problems, warnings);
                    foreach (var value in typed)
                    {
                        TypedText.Write(writer, value);
                        writer.Write('\t');
                    }

                    writer.Write(record.Row);
                    writer.Write("\tfalse\n");
                }
            }
        }

        var pipeline = watch.Elapsed.TotalSeconds;
        File.Delete(staging);
        return (read, check, pipeline);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Inv(FormattableString text) => text.ToString(Invariant);
}
