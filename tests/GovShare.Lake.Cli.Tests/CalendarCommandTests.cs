namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare calendar</c> against a temp lake folder.</summary>
public sealed class CalendarCommandTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-calendar-cli-").FullName;

    [Fact]
    public async Task Deadline_Should_PrintTheEndOfTheLastWorkingDay_InChinaTime()
    {
        var result = await CliRunner.RunInProcessAsync(["calendar", "deadline", "--from", "2026-09-18T15:30:00+08:00", "--days", "10", "--lake", _lake]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("2026-10-10T00:00:00+08:00", result.Out.Trim());
    }

    [Fact]
    public async Task Set_Should_SaveAValidYear_And_RefuseAnInvalidOneWithTheLine()
    {
        var good = Path.Combine(_lake, "2031.csv");
        var bad = Path.Combine(_lake, "2031-bad.csv");
        await File.WriteAllTextAsync(good, "holiday,2031-01-01,元旦\nworkday,2031-01-04,元旦调休\n");
        await File.WriteAllTextAsync(bad, "holiday,2031-01-01,元旦\nworkday,2031-01-06,not a weekend\n");

        var saved = await CliRunner.RunInProcessAsync(["calendar", "set", "2031", good, "--lake", _lake]);
        var refused = await CliRunner.RunInProcessAsync(["calendar", "set", "2031", bad, "--lake", _lake]);
        var shown = await CliRunner.RunInProcessAsync(["calendar", "show", "2031", "--lake", _lake]);
        var missing = await CliRunner.RunInProcessAsync(["calendar", "deadline", "--from", "2035-01-01", "--days", "3", "--lake", _lake]);

        Assert.Equal(0, saved.ExitCode);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{bad}:2: date: 2031-01-06 is a Monday", refused.Error, StringComparison.Ordinal);
        Assert.Equal(["# 2031 (operator)", "holiday,2031-01-01,元旦", "workday,2031-01-04,元旦调休"], shown.OutLines);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no calendar data for 2035", missing.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
