using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using GovShare.Lake.Consistency;
using GovShare.Lake.Divisions;
using GovShare.Lake.Jobs.Quality;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare quality evaluate</c> and <c>govshare quality train</c>: the difference classifier trained on one
/// synthetic city and measured on another, side by side with the naive exact compare; stored in a lake as a new model
/// version.</summary>
internal static class QualityModelCommands
{
    public static Command Evaluate(CliConsole console)
    {
        var (persons, trainSeed, testSeed) = TrainingOptions();
        var markdown = new Option<string?>("--markdown") { Description = "Write the evaluation into this Markdown file (between its evaluation markers), e.g. docs/quality.md.", HelpName = "FILE" };
        var linkagePeople = new Option<int>("--linkage-people") { Description = "People in each generated file pair the record linkage is measured on (0: skip).", DefaultValueFactory = _ => 4_000 };
        var linkageSeeds = new Option<string>("--linkage-seeds") { Description = "Seeds of those file pairs, comma-separated.", DefaultValueFactory = _ => "1,2,3,4,5,77,20261123" };
        var linkageLarge = new Option<int>("--linkage-large") { Description = "People in one more, larger file pair (seed 20261126; 0: skip).", DefaultValueFactory = _ => 100_000 };
        var command = new Command("evaluate",
            "Generates two synthetic cities, ingests each into a scratch lake, trains the difference classifier on the first city's labelled " +
            "disagreements and reports per-class precision, recall and F1 on the second, next to the naive exact compare. Exit 1 when the " +
            "material-conflict F1 misses the goal (0.95) or a record linkage on generated files with known links misses F1 0.99.")
        {
            persons, trainSeed, testSeed, markdown, linkagePeople, linkageSeeds, linkageLarge,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var options = Read(parseResult, persons, trainSeed, testSeed);
            var seeds = new List<int>();
            foreach (var part in parseResult.GetValue(linkageSeeds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                seeds.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
                    ? seed : throw new LakeException(LakeErrorKind.InvalidInput, $"--linkage-seeds: '{part}' is not a whole number."));
            }

            var outcome = ModelTraining.Run(options, DivisionRegistry.Embedded, console.Error, cancellationToken);
            Print(console.Out, outcome);
            var runs = (parseResult.GetValue(linkagePeople) > 0 ? seeds.Select(s => (parseResult.GetValue(linkagePeople), s)) : [])
                .Concat(parseResult.GetValue(linkageLarge) > 0 ? [(parseResult.GetValue(linkageLarge), 20261126)] : []).ToList();
            var linkage = LinkageEvaluation.Run(runs, console.Out);
            if (parseResult.GetValue(markdown) is { } file)
            {
                QualityReport.Write(file, QualityReport.Markdown(outcome, options,
                    $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}"));
                if (linkage.Count > 0)
                {
                    QualityReport.Write(file, "linkage", "Record linkage evaluation", LinkageEvaluation.Markdown(linkage) +
                        $"\nRerun: `./govshare quality evaluate --linkage-people {parseResult.GetValue(linkagePeople)} --linkage-seeds {parseResult.GetValue(linkageSeeds)} --linkage-large {parseResult.GetValue(linkageLarge)} --markdown docs/quality.md`.\n");
                }

                console.Error.WriteLine($"Evaluation written to {file}.");
            }

            var met = outcome.Model.First(m => m.Class == DifferenceClass.MaterialConflict).F1 >= 0.95 && linkage.All(m => m.F1 >= 0.99);
            return Task.FromResult(met ? ExitCodes.Success : ExitCodes.Failure);
        });
        return command;
    }

    public static Command Train(CliConsole console)
    {
        var (persons, trainSeed, testSeed) = TrainingOptions();
        var promote = new Option<bool>("--promote") { Description = "Use the new model even if it does worse than the current one on the held-out city." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("train",
            "Trains a new difference classifier (synthetic city plus the lake's reviewer verdicts), stores it in the lake's quality/models/ with " +
            "its metrics, and puts it in use when its material-conflict F1 on the held-out city is not below the current model's.")
        {
            persons, trainSeed, testSeed, promote, lake,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var options = Read(parseResult, persons, trainSeed, testSeed);
            var models = new QualityModels(context.Layout, TimeProvider.System);
            var (version, outcome) = models.Train(options, console.Error, parseResult.GetValue(promote) ? true : null, cancellationToken);
            Print(console.Out, outcome);
            console.Out.WriteLine($"version {version}{(models.Store.CurrentVersion == version ? " (in use)" : "")}");
            AdminAudit.Record(context.Layout.Root, "quality-train", ["quality:models"], "allowed", ExitCodes.Success);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static (Option<long> Persons, Option<long> TrainSeed, Option<long> TestSeed) TrainingOptions()
    {
        var defaults = new Jobs.Quality.TrainingOptions();
        var persons = new Option<long>("--persons") { Description = "Persons in each synthetic city.", DefaultValueFactory = _ => defaults.Persons };
        var trainSeed = new Option<long>("--train-seed") { Description = "The training city's seed (yyyyMMdd).", DefaultValueFactory = _ => defaults.TrainSeed };
        var testSeed = new Option<long>("--test-seed") { Description = "The held-out city's seed (yyyyMMdd).", DefaultValueFactory = _ => defaults.TestSeed };
        foreach (var seed in new[] { trainSeed, testSeed })
        {
            seed.Validators.Add(result =>
            {
                if (!DateOnly.TryParseExact(result.GetValueOrDefault<long>().ToString(CultureInfo.InvariantCulture), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    result.AddError($"{result.Option.Name} must be a date as yyyyMMdd (the city's reference date).");
                }
            });
        }

        persons.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() is < 1_000 or > 20_000_000)
            {
                result.AddError("--persons must be between 1000 and 20000000.");
            }
        });
        return (persons, trainSeed, testSeed);
    }

    private static Jobs.Quality.TrainingOptions Read(ParseResult parseResult, Option<long> persons, Option<long> trainSeed, Option<long> testSeed)
    {
        var options = new Jobs.Quality.TrainingOptions
        {
            Persons = parseResult.GetValue(persons),
            TrainSeed = parseResult.GetValue(trainSeed),
            TestSeed = parseResult.GetValue(testSeed),
        };
        if (options.TrainSeed == options.TestSeed)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "--train-seed and --test-seed must differ: the model is evaluated on a city it was not trained on.");
        }

        return options;
    }

    private static void Print(TextWriter output, TrainingOutcome outcome)
    {
        output.WriteLine($"{"class",-18} {"pairs",7}  {"precision",9} {"recall",7} {"F1",6}   naive: {"precision",9} {"recall",7} {"F1",6}");
        foreach (var (m, n) in outcome.Model.Zip(outcome.Naive).Where(p => p.First.Class != DifferenceClass.Equal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Class,-18} {m.Support,7}  {m.Precision,9:F3} {m.Recall,7:F3} {m.F1,6:F3}          {n.Precision,9:F3} {n.Recall,7:F3} {n.F1,6:F3}"));
        }
    }
}
