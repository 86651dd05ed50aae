using System.CommandLine;
using System.Globalization;

namespace GovShare.Lake.Bench.City;

/// <summary>The <c>city</c> command, which <c>./govshare bench</c> runs: exit 0 when every goal is met, 1 when a goal
/// is missed or a figure could not be measured, 2 when the command line is wrong.</summary>
internal static class CityCommand
{
    public const int AllMet = 0;
    public const int Missed = 1;
    public const int Usage = 2;

    public static Command Create()
    {
        var persons = new Option<long>("--persons") { Description = "Persons in the synthetic city.", HelpName = "N", DefaultValueFactory = _ => CityBenchmark.CityPersons };
        var entities = new Option<long?>("--entities") { Description = "Market entities (default 3 M, scaled with --persons: persons × 3 / 13).", HelpName = "N" };
        var licences = new Option<long?>("--licences") { Description = "Licences (default 5 M, scaled with --persons: persons × 5 / 13).", HelpName = "N" };
        var only = new Option<string?>("--only")
        {
            Description = "Measure only these figures, comma-separated: " + string.Join(", ", CityBenchmark.Figures) + " (default: all).",
            HelpName = "NAME,...",
        };
        var json = new Option<string?>("--json") { Description = "Write the figures as JSON to this file.", HelpName = "FILE" };
        var markdown = new Option<string?>("--markdown")
        {
            Description = "Write the Markdown section into this file (replacing an earlier section of the same title), e.g. docs/benchmarks.md.",
            HelpName = "FILE",
        };
        var clients = new Option<int>("--clients") { Description = "Concurrent HTTP clients (and DuckDB threads) for the lookups.", HelpName = "N", DefaultValueFactory = _ => 32 };
        var seconds = new Option<int>("--seconds") { Description = "Measured seconds of each lookup phase (after a warm-up of a fifth of it, at least 2 s).", HelpName = "N", DefaultValueFactory = _ => 20 };
        var soak = new Option<int?>("--soak")
        {
            Description = "Then soak for this many minutes: clients mixing lookups, queries and exports against serve while the household register is re-delivered every minute " +
                "(errors, latency percentiles and resident memory minute by minute). Alone, without --only, it measures no other figure.",
            HelpName = "MINUTES",
        };
        var crashTrials = new Option<int?>("--crash-trials")
        {
            Description = "Then kill serve with SIGKILL at random moments during deliveries this many times, restart it and check the lake each time " +
                "(tables at a committed version, the interrupted file committed exactly once, row counts). Alone, without --only, it measures no other figure.",
            HelpName = "N",
        };
        var queries = new Option<string?>("--queries")
        {
            Description = "Time only these analyst queries, comma-separated: " + string.Join(", ", AnalystQueries.For(DateOnly.MinValue).Select(q => q.Id)) + " (default: all).",
            HelpName = "ID,...",
        };
        var reuse = new Option<bool>("--reuse")
        {
            Description = "Measure on the city and lake an earlier run left in --work (same sizes, every delivery ingested) instead of generating and ingesting again; " +
                "the ingestion figure is then not measured.",
        };
        var work = new Option<string?>("--work") { Description = "Folder for the city, the lake and the baselines' files (default: a temporary folder, deleted afterwards).", HelpName = "DIR" };
        var command = new Command("city",
            "City scale: generates the synthetic city (streamed), ingests it into a fresh lake, starts `govshare serve` on it and measures ingestion, merge, " +
            "lookups, analyst queries, theme export, the consistency check, cold start and bytes on disk, each next to DuckDB doing the same work on the same " +
            "data in the same run. Exit 0: every goal met; 1: a goal missed or a figure failed; 2: usage.")
        {
            persons, entities, licences, only, queries, json, markdown, clients, seconds, soak, crashTrials, work, reuse,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // The invocation's writers (the console unless a caller, such as the smoke tests, gives others).
            var (output, error) = (parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
            var personCount = parseResult.GetValue(persons);
            var entityCount = parseResult.GetValue(entities) ?? Math.Max(1, personCount * 3 / 13);
            var licenceCount = parseResult.GetValue(licences) ?? Math.Max(0, personCount * 5 / 13);
            var (clientCount, lookupSeconds) = (parseResult.GetValue(clients), parseResult.GetValue(seconds));
            var (soakMinutes, trials) = (parseResult.GetValue(soak), parseResult.GetValue(crashTrials));
            if (personCount < 1_000 || entityCount < 1 || licenceCount < 0 || clientCount is < 1 or > 1024 || lookupSeconds < 1 || soakMinutes is < 1 || trials is < 1)
            {
                await error.WriteLineAsync("--persons must be at least 1000, --entities at least 1, --licences not negative, --clients between 1 and 1024, --seconds, --soak and --crash-trials at least 1.");
                return Usage;
            }

            var selected = (soakMinutes is not null || trials is not null) && parseResult.GetValue(only) is null ? new HashSet<string>(StringComparer.Ordinal) as IReadOnlySet<string> : ParseOnly(parseResult.GetValue(only));
            if (selected is null)
            {
                var unknown = (parseResult.GetValue(only) ?? string.Empty).Split(',', StringSplitOptions.TrimEntries).Where(n => !CityBenchmark.Figures.Contains(n));
                await error.WriteLineAsync("--only: unknown figure " + string.Join(", ", unknown.Select(n => "'" + n + "'")) +
                    "; the figures are: " + string.Join(", ", CityBenchmark.Figures) + " (comma-separated).");
                return Usage;
            }

            var known = AnalystQueries.For(DateOnly.MinValue).Select(q => q.Id).ToList();
            var queryIds = parseResult.GetValue(queries)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            if (queryIds is not null && (queryIds.Count == 0 || !queryIds.All(known.Contains)))
            {
                await error.WriteLineAsync("--queries: unknown query " + string.Join(", ", queryIds.Where(q => !known.Contains(q)).Select(q => "'" + q + "'")) +
                    "; the queries are: " + string.Join(", ", known) + " (comma-separated).");
                return Usage;
            }

            var given = parseResult.GetValue(work);
            if (parseResult.GetValue(reuse) && given is null)
            {
                await error.WriteLineAsync("--reuse needs --work: the folder an earlier run left its city and lake in.");
                return Usage;
            }

            var directory = Path.GetFullPath(given ?? Path.Combine(Path.GetTempPath(), "govshare-bench-city-" + Guid.NewGuid().ToString("N")));
            Directory.CreateDirectory(directory);
            try
            {
                var options = new CityOptions(personCount, entityCount, licenceCount, selected, clientCount, lookupSeconds, directory, soakMinutes ?? 0, trials ?? 0)
                {
                    Reuse = parseResult.GetValue(reuse), Queries = queryIds,
                };
                if (options.Reuse)
                {
                    try
                    {
                        _ = CityBenchmark.Reused(options);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Text.Json.JsonException)
                    {
                        await error.WriteLineAsync(ex.Message);
                        return Usage;
                    }
                }

                var run = await CityBenchmark.RunAsync(options, error, cancellationToken);
                var measuredAt = DateTimeOffset.UtcNow;
                var sections = new List<(string Title, string Text)>();
                if (selected.Count > 0)
                {
                    sections.Add((CityBenchmark.Title, CityReport.ToMarkdown(run, measuredAt)));
                }

                if (run.SoakMarkdown is { } soakSection)
                {
                    sections.Add((SoakRun.Title, soakSection));
                }

                if (run.CrashMarkdown is { } crashSection)
                {
                    sections.Add((CrashTrials.Title, crashSection));
                }

                sections.ForEach(s => output.WriteLine(s.Text));
                if (parseResult.GetValue(json) is { } jsonFile)
                {
                    await File.WriteAllTextAsync(jsonFile, CityReport.ToJson(run, measuredAt) + "\n", cancellationToken);
                    await error.WriteLineAsync($"JSON written to {jsonFile}");
                }

                if (parseResult.GetValue(markdown) is { } markdownFile)
                {
                    sections.ForEach(s => BenchReport.WriteSection(markdownFile, s.Title, s.Text));
                    await error.WriteLineAsync($"Markdown written to {markdownFile}");
                }

                var failed = run.Figures.Count(f => f.Pass == false);
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{run.Figures.Count} figures, {run.Figures.Count(f => f.Pass == true)} goals met, {failed} missed or failed, {run.Figures.Count(f => f.Pass is null)} without a goal."));
                return CityReport.AllMet(run) ? AllMet : Missed;
            }
            finally
            {
                if (given is null)
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>The selected figure groups, every one when <c>--only</c> is not given; null when it names none or an unknown one.</summary>
    internal static IReadOnlySet<string>? ParseOnly(string? only)
    {
        if (only is null)
        {
            return CityBenchmark.Figures.ToHashSet(StringComparer.Ordinal);
        }

        var names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return names.Count > 0 && names.All(CityBenchmark.Figures.Contains) ? names : null;
    }
}
