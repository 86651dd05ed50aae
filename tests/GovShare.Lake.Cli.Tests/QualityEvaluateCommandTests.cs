namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare quality evaluate</c> end to end on small cities: the classifier's table and the record linkage's
/// table written between their markers in a Markdown file (the rest of the file kept), usage errors refused.</summary>
public sealed class QualityEvaluateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("govshare-evaluate-").FullName;

    [Fact]
    public async Task Evaluate_Should_WriteBothTables_BetweenTheirMarkers()
    {
        var doc = Path.Combine(_folder, "quality.md");
        File.WriteAllText(doc, "# Data quality\n\nKept text.\n\n<!-- linkage:begin -->\nold\n<!-- linkage:end -->\n");

        var result = await CliRunner.RunInProcessAsync(
            ["quality", "evaluate", "--persons", "4000", "--linkage-people", "1500", "--linkage-seeds", "1,8", "--linkage-large", "0", "--markdown", doc]);

        Assert.True(result.ExitCode is 0 or 1, result.Error);
        var text = File.ReadAllText(doc);
        Assert.Contains("Kept text.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nold\n", text, StringComparison.Ordinal);
        Assert.Contains("| material_conflict |", text, StringComparison.Ordinal);
        Assert.Contains("naive exact compare", text, StringComparison.Ordinal);
        Assert.Contains("| 1,500 | 1 |", text, StringComparison.Ordinal);
        Assert.DoesNotContain("| 1,500 | 8 |", text, StringComparison.Ordinal); // the tuning seed is never measured
        Assert.Contains("linkage: 1,500 people, seed 1:", result.Out, StringComparison.Ordinal);
        Assert.Equal(1, text.Split("<!-- evaluation:begin -->").Length - 1);
    }

    [Fact]
    public async Task Evaluate_Should_Refuse_TheSameSeedTwice_And_ABadSeedList()
    {
        var same = await CliRunner.RunInProcessAsync(["quality", "evaluate", "--train-seed", "20261122", "--test-seed", "20261122"]);
        var list = await CliRunner.RunInProcessAsync(["quality", "evaluate", "--persons", "1000", "--linkage-seeds", "1,x"]);

        Assert.Equal(1, same.ExitCode);
        Assert.Contains("must differ", same.Error, StringComparison.Ordinal);
        Assert.Equal(1, list.ExitCode);
        Assert.Contains("--linkage-seeds: 'x'", list.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
