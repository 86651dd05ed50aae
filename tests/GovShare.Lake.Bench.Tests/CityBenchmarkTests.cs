using System.CommandLine;
using System.Text.Json;
using GovShare.Lake.Bench.City;
using Xunit.Abstractions;

namespace GovShare.Lake.Bench.Tests;

/// <summary>The city-scale harness (<c>./govshare bench</c>) at a small scale: a smoke test of the harness only — the shape
/// of what it writes, never its timings (timing goals live in docs/benchmarks.md).</summary>
public sealed class CityBenchmarkTests : IDisposable
{
    /// <summary>The scale issue 10 names for CI's smoke test.</summary>
    private const int SmokePersons = 200_000;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-bench-tests-" + Guid.NewGuid().ToString("N"));

    private readonly StringWriter _log = new(System.Globalization.CultureInfo.InvariantCulture);

    private readonly ITestOutputHelper _output;

    public CityBenchmarkTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_folder);
    }

    public void Dispose()
    {
        _log.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Bench_Should_WriteEveryFigureWithBaselineRatioAndGoal_AndTheMarkdown_When_RunAtSmallScale()
    {
        var json = Path.Combine(_folder, "bench.json");
        var markdown = Path.Combine(_folder, "benchmarks.md");
        File.WriteAllText(markdown, "# Benchmarks\n\n## An earlier section\n\nKept.\n");

        var exitCode = await RunAsync(
            "--persons", SmokePersons.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seconds", "1", "--clients", "4",
            "--work", Path.Combine(_folder, "work"), "--json", json, "--markdown", markdown);

        // 0 when every goal is met, 1 when one is missed: at this scale and on a shared machine either may happen.
        Assert.True(exitCode is CityCommand.AllMet or CityCommand.Missed, $"exit code {exitCode}");
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(SmokePersons, root.GetProperty("scale").GetProperty("persons").GetInt64());
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("versions").GetProperty("DuckDB").GetString()));
        var figures = root.GetProperty("figures").EnumerateArray().ToList();
        Assert.Equal(CityBenchmark.Figures.Order(), figures.Select(f => f.GetProperty("figure").GetString()!).Distinct().Order());
        Assert.Equal(12, figures.Count(f => f.GetProperty("figure").GetString() == "queries"));
        foreach (var figure in figures)
        {
            var name = figure.GetProperty("name").GetString();
            Assert.True(figure.GetProperty("error").ValueKind == JsonValueKind.Null, $"{name}: {figure.GetProperty("error")}");
            Assert.Equal(JsonValueKind.Number, figure.GetProperty("value").ValueKind);
            Assert.Equal(JsonValueKind.Number, figure.GetProperty("baseline").ValueKind);
            Assert.Equal(JsonValueKind.Number, figure.GetProperty("ratio").ValueKind);
            Assert.False(string.IsNullOrEmpty(figure.GetProperty("unit").GetString()), name);
            Assert.False(string.IsNullOrEmpty(figure.GetProperty("goal").GetString()), name);
            Assert.Contains(figure.GetProperty("pass").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False, JsonValueKind.Null });
            if (figure.GetProperty("pass").ValueKind == JsonValueKind.False)
            {
                Assert.False(string.IsNullOrEmpty(figure.GetProperty("missedBy").GetString()), name + " misses its goal without saying by how much");
            }
        }

        var text = File.ReadAllText(markdown);
        Assert.Contains("## An earlier section", text, StringComparison.Ordinal);
        Assert.Contains("## " + CityBenchmark.Title, text, StringComparison.Ordinal);
        Assert.Contains("200,000 persons", text, StringComparison.Ordinal);
        Assert.Contains("cores", text, StringComparison.Ordinal);
        Assert.Contains("DuckDB v", text, StringComparison.Ordinal);
        foreach (var figure in figures)
        {
            Assert.Contains("| " + figure.GetProperty("name").GetString()!.Replace("|", "\\|", StringComparison.Ordinal) + " |", text, StringComparison.Ordinal);
        }

        // A second run on the city and lake the first one left, timing one query only.
        var again = Path.Combine(_folder, "again.json");
        exitCode = await RunAsync(
            "--persons", SmokePersons.ToString(System.Globalization.CultureInfo.InvariantCulture), "--reuse", "--only", "queries", "--queries", "places-by-division-use",
            "--work", Path.Combine(_folder, "work"), "--json", again);

        Assert.True(exitCode is CityCommand.AllMet or CityCommand.Missed, $"exit code {exitCode}");
        using var second = JsonDocument.Parse(File.ReadAllText(again));
        var only = Assert.Single(second.RootElement.GetProperty("figures").EnumerateArray());
        Assert.Contains("places-by-division-use", only.GetProperty("notes").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, only.GetProperty("value").ValueKind);
        Assert.Contains("reusing the city and lake", _log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ingesting every delivery", _log.ToString()[_log.ToString().LastIndexOf("reusing", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_Should_ReportTheSoakAndTheCrashTrials_When_Asked_WithoutOtherFigures()
    {
        var json = Path.Combine(_folder, "soak.json");
        var markdown = Path.Combine(_folder, "benchmarks.md");

        var exitCode = await RunAsync(
            "--persons", "5000", "--soak", "1", "--crash-trials", "2", "--clients", "4", "--work", Path.Combine(_folder, "work"), "--json", json, "--markdown", markdown);

        Assert.True(exitCode is CityCommand.AllMet or CityCommand.Missed, $"exit code {exitCode}");
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var figures = document.RootElement.GetProperty("figures").EnumerateArray().ToList();
        Assert.Equal(["crash-trials", "soak", "soak"], figures.Select(f => f.GetProperty("figure").GetString()!).Order());
        Assert.All(figures, f => Assert.Equal(JsonValueKind.Number, f.GetProperty("value").ValueKind));
        var text = File.ReadAllText(markdown);
        Assert.Contains("## " + SoakRun.Title, text, StringComparison.Ordinal);
        Assert.Contains("## " + CrashTrials.Title, text, StringComparison.Ordinal);
        Assert.DoesNotContain("## " + CityBenchmark.Title, text, StringComparison.Ordinal);
    }

    // Each case names a small city, so that a case the harness wrongly accepted would not generate the default 13 M persons.
    [Theory]
    [InlineData("--only", "lookups,nope", "--persons", "1000")]
    [InlineData("--only", "", "--persons", "1000")]
    [InlineData("--only", " , ", "--persons", "1000")]
    [InlineData("--persons", "10", "--seconds", "1")]
    [InlineData("--soak", "0", "--persons", "1000")]
    [InlineData("--queries", "age-pyramid,nope", "--persons", "1000")]
    [InlineData("--reuse", "true", "--persons", "1000")] // the work folder holds no ingested city
    public async Task Bench_Should_ExitWithUsage_When_TheCommandLineIsWrong(string option, string value, string sizeOption, string size)
    {
        var exitCode = await RunAsync(option, value, sizeOption, size, "--work", Path.Combine(_folder, "never"));

        Assert.Equal(CityCommand.Usage, exitCode);
        Assert.False(Directory.Exists(Path.Combine(_folder, "never", "city")));
    }

    [Fact]
    public void Only_Should_SelectTheNamedFigures_And_RefuseUnknownNames()
    {
        Assert.Equal(["export", "merge"], CityCommand.ParseOnly(" merge, export ")!.Order());
        Assert.Equal(CityBenchmark.Figures.Count, CityCommand.ParseOnly(null)!.Count);
        Assert.Null(CityCommand.ParseOnly("merge,lookup"));
        Assert.Null(CityCommand.ParseOnly(""));
    }

    /// <summary>Runs the command as <c>./govshare bench</c> does (the launcher runs <c>GovShare.Lake.Bench city</c>), its
    /// progress and report kept in <see cref="_log"/> rather than printed: the report's own lines ("0 errors in …") are
    /// not the test run's, and land in the test's output only when a test fails.</summary>
    private async Task<int> RunAsync(params string[] arguments)
    {
        var root = new RootCommand { CityCommand.Create() };
        var parsed = root.Parse(["city", .. arguments]);
        if (parsed.Errors.Count > 0)
        {
            return CityCommand.Usage;
        }

        var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { Output = _log, Error = _log });
        _output.WriteLine(_log.ToString());
        return exitCode;
    }
}
