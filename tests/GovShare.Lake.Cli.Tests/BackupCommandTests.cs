namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare backup</c> and <c>govshare freshness</c> on a small lake made with the CLI itself.</summary>
public sealed class BackupCommandTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-backup-cli-").FullName;
    private readonly string _backup = Path.Combine(Path.GetTempPath(), "govshare-backup-cli-" + Guid.NewGuid().ToString("N"));
    private readonly string _restored = Path.Combine(Path.GetTempPath(), "govshare-restored-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Backup_Should_RunVerifyAndRestore_AndVerifyAFolderWithoutABackupWithExit1()
    {
        var empty = await CliRunner.RunInProcessAsync(["backup", "verify", "--to", _backup]);
        var calendar = await CliRunner.RunInProcessAsync(["calendar", "set", "2031", await Year(), "--lake", _lake]);
        var run = await CliRunner.RunInProcessAsync(["backup", "run", "--to", _backup, "--lake", _lake]);
        var verify = await CliRunner.RunInProcessAsync(["backup", "verify", "--to", _backup]);
        var restore = await CliRunner.RunInProcessAsync(["backup", "restore", "--to", _backup, "--into", _restored]);

        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("holds no backup", empty.Error, StringComparison.Ordinal);
        Assert.Equal(0, calendar.ExitCode);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("Backed up to ", run.Out, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);
        Assert.Equal(0, restore.ExitCode);
        Assert.True(File.Exists(Path.Combine(_restored, "calendar", "2031.csv")));
        Assert.True(File.Exists(Path.Combine(_restored, "platform.duckdb")));
    }

    [Fact]
    public async Task FreshnessCheck_Should_OnlyLook_When_GivenAnInstantWithoutRecord()
    {
        var looked = await CliRunner.RunInProcessAsync(["freshness", "check", "--at", "2031-01-01T00:00:00", "--lake", _lake]);
        var help = await CliRunner.RunInProcessAsync(["backup", "--help"]);

        Assert.Equal(0, looked.ExitCode);
        Assert.Contains("not recorded", looked.Out, StringComparison.Ordinal);
        Assert.Contains("verify", help.Out, StringComparison.Ordinal);
        Assert.Contains("restore", help.Out, StringComparison.Ordinal);
    }

    private async Task<string> Year()
    {
        var file = Path.Combine(_lake, "2031-source.csv");
        await File.WriteAllTextAsync(file, "holiday,2031-01-01,元旦\n");
        return file;
    }

    public void Dispose()
    {
        foreach (var folder in new[] { _lake, _backup, _restored }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
