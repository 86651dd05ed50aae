namespace GovShare.Lake.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task Help_Should_ListBench()
    {
        var result = await CliRunner.RunInProcessAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.OutLines, line => line.TrimStart().StartsWith("bench ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bench_Should_PointToTheLauncherAndExit2_When_TheCliIsStartedDirectly()
    {
        var result = await CliRunner.RunInProcessAsync(["bench", "--persons", "200000"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("./govshare bench", result.Error, StringComparison.Ordinal);
    }
}
