using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare account</c>: the first operator account of a lake, made at the console, signs in with the temporary
/// password printed once; locks, resets and disabling from the console.</summary>
public sealed class AccountCommandTests : IDisposable
{
    private readonly string _lake = Path.Combine(Path.GetTempPath(), "govshare-account-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Add_Should_PrintATemporaryPasswordOnce_That_SignsIn()
    {
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["agency", "add", "--code", "operator", "--name-zh", "市大数据管理局", "--kind", "operator", "--lake", _lake])).ExitCode);

        var added = await CliRunner.RunInProcessAsync(["account", "add", "--username", "op.admin", "--agency", "operator", "--name", "平台管理员",
            "--role", "operator", "--role", "reviewer", "--lake", _lake]);

        Assert.Equal(0, added.ExitCode);
        var temporary = added.Out.Trim();
        Assert.Empty(PasswordHashing.Problems(temporary, "op.admin"));
        var staff = new StaffDirectory(DuckDbPlatformStore.Open(_lake), new StaffOptions(), TimeProvider.System);
        var signedIn = staff.SignIn("op.admin", temporary);
        Assert.Equal(SignInOutcome.Success, signedIn.Outcome);
        Assert.True(signedIn.Account!.MustChangePassword);
        Assert.Equal([StaffRole.Reviewer, StaffRole.Operator], signedIn.Account.Roles);

        var list = await CliRunner.RunInProcessAsync(["account", "list", "--lake", _lake]);
        Assert.Contains("op.admin\toperator\treviewer,operator\ttemporary-password", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(temporary, list.Out + list.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_Should_ExitWith1_When_TheRoleDoesNotFitTheAgency()
    {
        await CliRunner.RunInProcessAsync(["agency", "add", "--code", "urban-ops", "--name-zh", "市城市运行管理中心", "--kind", "consumer", "--lake", _lake]);

        var added = await CliRunner.RunInProcessAsync(["account", "add", "--username", "x.op", "--agency", "urban-ops", "--name", "X", "--role", "operator", "--lake", _lake]);

        Assert.Equal(1, added.ExitCode);
        Assert.Contains("may hold analyst, not operator", added.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetPasswordAndDisable_Should_WorkOnAnExistingAccount_And_Exit1OnAnUnknownOne()
    {
        await CliRunner.RunInProcessAsync(["agency", "add", "--code", "urban-ops", "--name-zh", "市城市运行管理中心", "--kind", "consumer", "--lake", _lake]);
        await CliRunner.RunInProcessAsync(["account", "add", "--username", "ana", "--agency", "urban-ops", "--name", "分析员", "--role", "analyst", "--lake", _lake]);

        var reset = await CliRunner.RunInProcessAsync(["account", "reset-password", "ana", "--lake", _lake]);
        var disabled = await CliRunner.RunInProcessAsync(["account", "disable", "ana", "--lake", _lake]);
        var unknown = await CliRunner.RunInProcessAsync(["account", "unlock", "nobody", "--lake", _lake]);

        Assert.Equal(0, reset.ExitCode);
        Assert.Equal(0, disabled.ExitCode);
        var staff = new StaffDirectory(DuckDbPlatformStore.Open(_lake), new StaffOptions(), TimeProvider.System);
        Assert.Equal(SignInOutcome.Disabled, staff.SignIn("ana", reset.Out.Trim()).Outcome);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no account 'nobody'", unknown.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_lake))
        {
            Directory.Delete(_lake, recursive: true);
        }
    }
}
