using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Consistency;
using GovShare.Lake.Jobs.Quality;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare quality check</c>: the nightly consistency check, run by hand.</summary>
internal static class QualityCheckCommand
{
    public static Command Create(CliConsole console)
    {
        var full = new Option<bool>("--full") { Description = "Compare every shared key, not only those changed since the last check." };
        var threshold = new Option<double>("--threshold") { Description = "Raise material conflicts at least this likely (0 to 1).", DefaultValueFactory = _ => new CheckOptions().FlagThreshold };
        threshold.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0 or > 1)
            {
                result.AddError("--threshold must be between 0 and 1.");
            }
        });
        var lake = PlatformContext.LakeOption();
        var command = new Command("check",
            "Compares the values every two providers hold for the same key (XY 12), classifies each difference (equal, equivalent, minor variant, " +
            "material conflict, missing) with the lake's model (trained first when it has none), keeps them in the lake's Delta table " +
            "quality/differences and raises material conflicts as mismatch reports awaiting a reviewer. Exit 0 when it ran.")
        {
            full, threshold, lake,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var run = new ConsistencyJob(context.Layout, context.Store, TimeProvider.System).Check(console.Error,
                new CheckOptions { Full = parseResult.GetValue(full), FlagThreshold = parseResult.GetValue(threshold) }, cancellationToken);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(run.Incremental ? "incremental" : "full")} check with model {run.ModelVersion}: {run.KeysCompared:N0} keys, {run.ValuesCompared:N0} values compared in {run.Elapsed.TotalSeconds:F1} s"));
            foreach (var (@class, count) in run.ByClass.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {@class,-18} {count,10:N0}"));
            }

            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Raised:N0} new reports raised for review"));
            AdminAudit.Record(context.Layout.Root, "quality-check", ["quality.differences"], "allowed", ExitCodes.Success);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
