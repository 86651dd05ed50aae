using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GovShare.Lake.Ingestion.Sample;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare sample generate</c>: writes a deterministic synthetic city (agencies' deliveries,
/// their catalogue entries and the labels of what is deliberately wrong in them), streaming to disk.</summary>
internal static class SampleCommand
{
    public static Command Create(CliConsole console)
    {
        var sample = new Command("sample", "Generate sample data for demonstrations, tests and benchmarks.");
        sample.Subcommands.Add(CreateGenerate(console));
        return sample;
    }

    private static Command CreateGenerate(CliConsole console)
    {
        var output = new Option<string>("--out")
        {
            Description = "The folder to write to (created when missing; files of an earlier run are overwritten).",
            HelpName = "DIR",
            Required = true,
        };
        var persons = SizeOption("--persons", "Number of persons.", minimum: 1, defaultValue: 50_000);
        var entities = SizeOption("--entities", "Number of market entities (default: persons × 3 / 13).", minimum: 1, defaultValue: null);
        var licences = SizeOption("--licences", "Number of licences, split among three issuers (default: persons × 5 / 13).", minimum: 0, defaultValue: null);
        var places = SizeOption("--places", "Number of places (default: persons × 2 / 13).", minimum: 0, defaultValue: null);
        var seed = new Option<long>("--seed")
        {
            Description = "The seed: the same seed and sizes give byte-identical files. Read as yyyyMMdd, it is also the city's reference date.",
            HelpName = "S",
            DefaultValueFactory = _ => SyntheticCityOptions.DefaultSeed,
        };

        var generate = new Command("generate",
            "Write a synthetic Zhengzhou-like city: ten datasets of seven agencies (CSV in UTF-8, UTF-8 with BOM and GBK, " +
            "JSON Lines, Parquet, xlsx) under deliveries/, their catalogue entries under catalogue/, the ground truth of " +
            "deliberate errors and disagreements under labels/, and manifest.json. Exit code 0 when written, 1 when the " +
            "folder cannot be written, 2 on usage errors.")
        {
            output,
            persons,
            entities,
            licences,
            places,
            seed,
        };
        generate.SetAction((parseResult, cancellationToken) =>
        {
            var options = new SyntheticCityOptions
            {
                OutputDirectory = parseResult.GetValue(output)!,
                Persons = parseResult.GetValue(persons) ?? 50_000,
                Entities = parseResult.GetValue(entities),
                Licences = parseResult.GetValue(licences),
                Places = parseResult.GetValue(places),
                Seed = parseResult.GetValue(seed),
            };
            var stopwatch = Stopwatch.StartNew();
            var progress = console.ErrorIsTerminal ? new TerminalProgress(console.Error) : null;
            SyntheticCityResult result;
            try
            {
                result = SyntheticCity.Generate(options, progress, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                progress?.Clear();
                console.Error.WriteLine($"govshare sample generate: cannot write the city to {Path.GetFullPath(options.OutputDirectory)}: {ex.Message}");
                return Task.FromResult(ExitCodes.Failure);
            }

            progress?.Clear();

            console.Out.WriteLine("dataset\tformat\tencoding\trows\tinvalid_rows\tfile");
            foreach (var dataset in result.Datasets)
            {
                console.Out.WriteLine(string.Join('\t',
                    dataset.Id, dataset.Format, dataset.Encoding ?? "-",
                    dataset.Rows.ToString(CultureInfo.InvariantCulture), dataset.InvalidRows.ToString(CultureInfo.InvariantCulture), dataset.File));
            }

            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sample generate: {result.Datasets.Count} datasets, {result.Datasets.Sum(d => d.Rows):N0} rows, as of {result.GeneratedAt:yyyy-MM-dd}, in {result.OutputDirectory} ({stopwatch.Elapsed.TotalSeconds:F1} s)"));
            return Task.FromResult(ExitCodes.Success);
        });
        return generate;
    }

    private static Option<long?> SizeOption(string name, string description, long minimum, long? defaultValue)
    {
        var option = new Option<long?>(name)
        {
            Description = description,
            HelpName = "N",
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var size))
                {
                    result.AddError($"{name}: '{token}' is not a whole number.");
                    return null;
                }

                if (size < minimum)
                {
                    result.AddError($"{name} must be at least {minimum}.");
                    return null;
                }

                return size;
            },
        };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>Draws one progress line on a terminal, at most every 200 ms, from whichever writer reports.</summary>
    private sealed class TerminalProgress(TextWriter error) : IProgress<SyntheticCityProgress>
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, SyntheticCityProgress> _datasets = new(StringComparer.Ordinal);
        private long _lastDrawn;

        public void Report(SyntheticCityProgress value)
        {
            lock (_lock)
            {
                _datasets[value.Dataset] = value;
                var now = Environment.TickCount64;
                if (now - _lastDrawn < 200 && value.Done < value.Total)
                {
                    return;
                }

                _lastDrawn = now;
                var done = _datasets.Values.Sum(d => d.Done);
                var total = Math.Max(1, _datasets.Values.Sum(d => d.Total));
                error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\rgenerating… {100.0 * done / total,5:F1} % ({value.Dataset}: {value.Done:N0} / {value.Total:N0})        "));
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                error.Write("\r" + new string(' ', 100) + "\r");
            }
        }
    }
}
