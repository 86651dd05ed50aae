using System.CommandLine;
using GovShare.Lake.Bench;
using GovShare.Lake.Bench.City;

var lines = new Option<int>("--lines")
{
    Description = "How many identifiers to generate and check.",
    DefaultValueFactory = _ => 1_000_000,
};
var runs = new Option<int>("--runs")
{
    Description = "Repetitions of each measurement; the median is reported.",
    DefaultValueFactory = _ => 3,
};
var markdown = new Option<string?>("--markdown")
{
    Description = "Also write the results as a Markdown section into this file (replacing an earlier section of the same benchmark).",
    HelpName = "FILE",
};
var work = new Option<string?>("--work")
{
    Description = "Folder for generated data (default: a new temporary folder, deleted afterwards).",
    HelpName = "DIR",
};

var idCheck = new Command("id-check", "Identifier validation: `govshare id check` (process and in-process) vs DuckDB computing the same check characters in SQL.")
{
    lines,
    runs,
    markdown,
    work,
};
idCheck.SetAction((parseResult, cancellationToken) => BenchRunner.RunAsync(parseResult.GetValue(work), parseResult.GetValue(markdown), "Identifier validation (`id check`)",
    async directory => (await IdCheckBenchmark.RunAsync(directory, parseResult.GetValue(lines), parseResult.GetValue(runs), Console.Error, cancellationToken),
        IdCheckBenchmark.Notes(parseResult.GetValue(lines))),
    cancellationToken));

var persons = new Option<int>("--persons")
{
    Description = "Persons in the table that is merged into and read.",
    DefaultValueFactory = _ => 13_000_000,
};
var batch = new Option<int>("--batch")
{
    Description = "Rows of the merged batch: 70 % updates of existing persons, 30 % new ones, spread over the whole key range.",
    DefaultValueFactory = _ => 1_000_000,
};
var mergeRuns = new Option<int>("--runs")
{
    Description = "Repetitions of the merge, each on a fresh copy of the table; the median is reported. Commit latency always takes 30 commits, reads the median of at least 3.",
    DefaultValueFactory = _ => 1,
};
var lake = new Command("lake", "Delta tables: commit latency, merge and read of the latest version, each vs DuckDB doing the same Parquet work without the log.")
{
    persons,
    batch,
    mergeRuns,
    markdown,
    work,
};
lake.SetAction(async (parseResult, cancellationToken) =>
{
    // Checked here rather than in a command validator, which does not see the options' default values.
    var (personCount, batchRows, runCount) = (parseResult.GetValue(persons), parseResult.GetValue(batch), parseResult.GetValue(mergeRuns));
    if (personCount < 1_000 || batchRows < 10 || batchRows > personCount || runCount < 1)
    {
        Console.Error.WriteLine("--persons must be at least 1000, --batch between 10 and --persons, --runs at least 1.");
        return 2;
    }

    // The lake and DuckDB calls block; running them off the parsing thread lets Ctrl+C cancel between phases.
    return await BenchRunner.RunAsync(parseResult.GetValue(work), parseResult.GetValue(markdown), LakeBenchmark.Title,
        directory => Task.Run(() => LakeBenchmark.Run(directory, personCount, batchRows, runCount, Console.Error, cancellationToken), cancellationToken),
        cancellationToken);
});

var ingestPersons = new Option<long>("--persons")
{
    Description = "Persons in the generated household-registration CSV.",
    DefaultValueFactory = _ => 5_000_000,
};
var ingestRuns = new Option<int>("--runs")
{
    Description = "Repetitions (the median is reported).",
    DefaultValueFactory = _ => 1,
};
var ingest = new Command("ingest", "Ingestion of a persons CSV with full validation vs DuckDB's plain COPY of the same file to Parquet.")
{
    ingestPersons,
    ingestRuns,
    markdown,
    work,
};
ingest.SetAction((parseResult, cancellationToken) => BenchRunner.RunAsync(parseResult.GetValue(work), parseResult.GetValue(markdown), IngestBenchmark.Title,
    directory => Task.Run(
        () => IngestBenchmark.Run(directory, parseResult.GetValue(ingestPersons), Math.Max(1, parseResult.GetValue(ingestRuns)), Console.Error, cancellationToken),
        cancellationToken),
    cancellationToken));

var producedPersons = new Option<long>("--persons")
{
    Description = "Persons in the generated city (about a third of them are in the marriage register).",
    DefaultValueFactory = _ => 5_000_000,
};
var producedRuns = new Option<int>("--runs")
{
    Description = "Repetitions of each (the median is reported).",
    DefaultValueFactory = _ => 3,
};
var producedAt = new Command("produced-at", "Ingestion of the marriage register with and without its production-time column (producedAt), vs DuckDB's plain COPY of the same text.")
{
    producedPersons,
    producedRuns,
    markdown,
    work,
};
producedAt.SetAction((parseResult, cancellationToken) => BenchRunner.RunAsync(parseResult.GetValue(work), parseResult.GetValue(markdown), ProducedAtBenchmark.Title,
    directory => Task.Run(
        () => ProducedAtBenchmark.Run(directory, parseResult.GetValue(producedPersons), Math.Max(1, parseResult.GetValue(producedRuns)), Console.Error, cancellationToken),
        cancellationToken),
    cancellationToken));

var apiPersons = new Option<long>("--persons")
{
    Description = "Persons in the demo city seeded into an empty lake (ignored when --lake holds a seeded lake).",
    DefaultValueFactory = _ => 5_000_000,
};
var apiLake = new Option<string?>("--lake")
{
    Description = "Lake folder to measure: seeded with the demo city when empty, reused as it is otherwise, kept afterwards (default: a lake in the work folder).",
    HelpName = "DIR",
};
var apiClients = new Option<int>("--clients")
{
    Description = "Concurrent HTTP clients (and DuckDB threads) for the lookups.",
    DefaultValueFactory = _ => 32,
};
var apiSeconds = new Option<int>("--seconds")
{
    Description = "Measured seconds of each lookup phase (after a warm-up of a fifth of it, at least 2 s).",
    DefaultValueFactory = _ => 20,
};
var queryApi = new Command("query-api", "The HTTP query API on the demo city over real TCP: person lookups, a federated aggregate and a theme export, each vs DuckDB doing the same work.")
{
    apiPersons,
    apiLake,
    apiClients,
    apiSeconds,
    markdown,
    work,
};
queryApi.SetAction(async (parseResult, cancellationToken) =>
{
    var (personCount, clientCount, seconds) = (parseResult.GetValue(apiPersons), parseResult.GetValue(apiClients), parseResult.GetValue(apiSeconds));
    if (personCount < 1_000 || clientCount is < 1 or > 1024 || seconds < 1)
    {
        Console.Error.WriteLine("--persons must be at least 1000, --clients between 1 and 1024, --seconds at least 1.");
        return 2;
    }

    return await BenchRunner.RunAsync(parseResult.GetValue(work), parseResult.GetValue(markdown), QueryApiBenchmark.Title,
        directory => QueryApiBenchmark.RunAsync(directory, parseResult.GetValue(apiLake), personCount, clientCount, seconds, Console.Error, cancellationToken),
        cancellationToken);
});

// A benchmark with one size option, run synchronously in a scratch folder.
Command Sized<T>(string name, string description, Option<T> size, string title, Func<string, T, (IReadOnlyList<BenchResult>, string)> run)
{
    var command = new Command(name, description) { size, markdown, work };
    command.SetAction((parseResult, cancellationToken) => BenchRunner.RunAsync(parseResult.GetValue(work), parseResult.GetValue(markdown), title,
        directory => Task.FromResult(run(directory, parseResult.GetValue(size)!)), cancellationToken));
    return command;
}

var freshness = Sized("freshness", "The freshness check over a large catalogue vs DuckDB computing the simplest state over the same store tables.",
    new Option<int>("--entries") { Description = "Catalogue entries to check.", DefaultValueFactory = _ => 10_000 }, FreshnessBenchmark.Title,
    (directory, entries) => (FreshnessBenchmark.Run(directory, entries, 3, Console.Error), FreshnessBenchmark.Notes(entries, 3)));
var consistency = Sized("consistency", "The nightly consistency check over a synthetic city vs DuckDB running the same provider-pair joins.",
    new Option<long>("--persons") { Description = "Persons in the synthetic city the check runs over.", DefaultValueFactory = _ => 1_000_000 }, ConsistencyBenchmark.Title,
    (directory, persons) => (ConsistencyBenchmark.Run(directory, persons, Console.Error), ConsistencyBenchmark.Notes(persons)));

var root = new RootCommand("GovShare Lake benchmarks: every figure next to its DuckDB baseline, measured in the same run.") { idCheck, lake, ingest, producedAt, queryApi, freshness, consistency, CityCommand.Create() };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    return 2;
}

return await parsed.InvokeAsync();
