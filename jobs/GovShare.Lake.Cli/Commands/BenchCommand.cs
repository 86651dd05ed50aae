using System.CommandLine;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare bench</c>, listed here so that <c>govshare --help</c> shows it. The harness is the benchmark project
/// (bench/GovShare.Lake.Bench), which references this CLI and so cannot be referenced by it: the <c>./govshare</c> launcher
/// builds and runs it instead of this assembly, and this command only says so when the CLI is started directly.</summary>
internal static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var bench = new Command("bench",
            "City-scale benchmark harness against DuckDB: [--persons N] [--entities N] [--licences N] [--only NAME,...] [--json FILE] " +
            "[--markdown FILE] [--soak MINUTES] [--crash-trials N]. Run through the launcher: './govshare bench --help' lists its options.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        bench.SetAction(async (_, cancellationToken) =>
        {
            await console.Error.WriteLineAsync(
                "govshare bench: the benchmark harness is bench/GovShare.Lake.Bench; run it through the launcher at the repository root: ./govshare bench --help");
            return ExitCodes.Usage;
        });
        return bench;
    }
}
