using System.Diagnostics;
using System.Globalization;
using GovShare.Lake.Consistency;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;
using GovShare.Lake.Jobs.Quality;

namespace GovShare.Lake.Bench;

/// <summary>The nightly consistency check over a synthetic city (issue 8: 13 M persons × 3 providers in ≤ 10 minutes,
/// extrapolated from a measured run) against DuckDB doing the raw part of the work: the same joins of every provider
/// pair, counting the equal values and reading the differing ones.</summary>
internal static class ConsistencyBenchmark
{
    public const string Title = "Consistency check (`consistency` job)";

    public const long CityPersons = 13_000_000;

    public static string Notes(long persons) =>
        string.Create(CultureInfo.InvariantCulture, $"Data: the synthetic city of {persons:N0} persons (`govshare sample generate`, seed 20261122) ingested into a fresh lake ") +
        "through the real ingestion (population: household register, marriage register, insured persons, births and deaths; legal entities: market " +
        "register and taxpayers; licences: three issuers). Ours: `ConsistencyCheck.Run` in full, as the nightly job's first run does it — every provider " +
        "pair's join, the differing values' features, the LightGBM classifier, the mis-keyed linkage, the classified differences written to " +
        "`quality/differences` — with a model trained beforehand on a 10 000-person city (not timed) and the raised reports only counted (filing them in " +
        "the store is the reviewers' queue, not the check). The incremental row is the next night's run when one provider re-delivered the same " +
        "data (nothing changed: the change feed is read, no key compared). DuckDB: the same two statements per provider pair the check runs (count of " +
        "equal values per attribute; the differing rows with their values' frequencies), read to the end, nothing else. The 13 M row extrapolates " +
        "linearly from the measured run (the work is joins and per-difference features, both linear in the persons). Rerun: " +
        "`dotnet run -c Release --project bench/GovShare.Lake.Bench -- consistency --persons 1000000 --markdown docs/benchmarks.md`.";

    public static IReadOnlyList<BenchResult> Run(string work, long persons, TextWriter progress)
    {
        progress.WriteLine("training a model on a 10 000-person city (not timed) …");
        var training = ModelTraining.Run(new TrainingOptions { Persons = 10_000, WorkFolder = Path.Combine(work, "training") }, DivisionRegistry.Embedded, TextWriter.Null);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generating and ingesting a city of {persons:N0} persons …"));
        var city = GroundTruthCity.Build(Path.Combine(work, "city"), persons, 20261122, progress);
        var providers = CheckedProviders.Load(city.Layout, city.Store);

        // DuckDB: the raw joins, read to the end.
        var baseline = Stopwatch.StartNew();
        long rows = 0;
        using (var connection = LakeDuckDb.OpenInMemory())
        {
            foreach (var (a, b) in PairReader.Pairs(providers))
            {
                rows += PairReader.Read(connection, a, b, null).LongCount();
            }
        }

        baseline.Stop();
        var check = new ConsistencyCheck(city.Layout, city.Store, DivisionRegistry.Embedded);
        var raised = 0;
        var run = check.Run(training.Classifier, "bench", _ => { raised++; return true; }, DateTimeOffset.UtcNow, new CheckOptions { Full = true }, m => progress.WriteLine("  " + m));
        var idle = check.Run(training.Classifier, "bench", _ => true, DateTimeOffset.UtcNow);
        var seconds = run.Elapsed.TotalSeconds;
        var extrapolated = seconds * CityPersons / persons;
        var differences = run.ByClass.Values.Sum();
        return
        [
            new BenchResult(string.Create(CultureInfo.InvariantCulture, $"full check, {persons:N0} persons"), persons / seconds, "persons/s", persons / baseline.Elapsed.TotalSeconds,
                "—", null, string.Create(CultureInfo.InvariantCulture,
                    $"{seconds:F1} s (DuckDB {baseline.Elapsed.TotalSeconds:F1} s); {run.KeysCompared:N0} shared keys over provider pairs ({run.KeysCompared / seconds:N0}/s), {run.ValuesCompared:N0} values, {differences:N0} differences classified ({rows:N0} read by DuckDB), {raised:N0} raised")),
            new BenchResult("13 M persons × their providers, extrapolated", extrapolated, "s", extrapolated * baseline.Elapsed.TotalSeconds / seconds,
                "≤ 600 s", extrapolated <= 600, "linear from the row above"),
            new BenchResult("next night, nothing changed (incremental)", idle.Elapsed.TotalSeconds, "s", null, "—", null,
                string.Create(CultureInfo.InvariantCulture, $"{idle.KeysCompared:N0} keys compared")),
        ];
    }
}
