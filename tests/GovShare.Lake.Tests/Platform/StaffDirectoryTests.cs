using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Tests.Platform;

/// <summary>Staff accounts in a real platform store: password hashes, the password rules, lockout that ends by itself,
/// sessions that end at sign-out, expiry, a password change or a disabled account.</summary>
public sealed class StaffDirectoryTests : IDisposable
{
    private const string Password = "Lake-test-2026";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-staff-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbPlatformStore _store;
    private readonly MovableClock _clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8)));
    private readonly StaffDirectory _staff;

    public StaffDirectoryTests()
    {
        _store = DuckDbPlatformStore.Open(_folder);
        _store.SaveAgency(new Agency("psb", new LocalizedName("市公安局", "Public Security Bureau"), AgencyKind.Provider, _clock.GetUtcNow()));
        _store.SaveAgency(new Agency("operator", new LocalizedName("市大数据管理局", "Big Data Administration"), AgencyKind.Operator, _clock.GetUtcNow()));
        _staff = new StaffDirectory(_store, new StaffOptions { PasswordIterations = 10_000 }, _clock);
    }

    [Fact]
    public void Hash_Should_VerifyTheRightPasswordOnly_And_NeverHoldThePassword()
    {
        var hash = PasswordHashing.Hash(Password, 10_000);

        Assert.StartsWith("pbkdf2-sha512$10000$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, hash, StringComparison.Ordinal);
        Assert.True(PasswordHashing.Verify(Password, hash));
        Assert.False(PasswordHashing.Verify(Password + "x", hash));
        Assert.False(PasswordHashing.Verify(Password, "pbkdf2-sha512$x$y$z"));
        Assert.NotEqual(hash, PasswordHashing.Hash(Password, 10_000)); // salted
    }

    [Theory]
    [InlineData("Short-1", "at least 10 characters")]
    [InlineData("alllowercaseletters", "three of")]
    [InlineData("Psb.admin-2026!", "must not contain the username")]
    public void Problems_Should_NameWhatIsWrong(string password, string expected)
    {
        Assert.Contains(PasswordHashing.Problems(password, "psb.admin"), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Temporary_Should_MeetThePasswordRules()
    {
        for (var i = 0; i < 200; i++)
        {
            Assert.Empty(PasswordHashing.Problems(PasswordHashing.Temporary(), "someone"));
        }
    }

    [Fact]
    public void SignIn_Should_LockAtTheThreshold_And_UnlockByItselfAfterTheDuration()
    {
        _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);

        var outcomes = Enumerable.Range(0, 5).Select(_ => _staff.SignIn("psb.admin", "Wrong-password-1").Outcome).ToList();

        Assert.Equal([.. Enumerable.Repeat(SignInOutcome.WrongCredentials, 4), SignInOutcome.Locked], outcomes);
        Assert.Equal(SignInOutcome.Locked, _staff.SignIn("psb.admin", Password).Outcome);
        _clock.Advance(TimeSpan.FromMinutes(16));
        var after = _staff.SignIn("psb.admin", Password);
        Assert.Equal(SignInOutcome.Success, after.Outcome);
        Assert.Equal(0, after.Account!.FailedAttempts);
    }

    [Fact]
    public void SignIn_Should_NotTellUnknownUsersFromWrongPasswords()
    {
        _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);

        Assert.Equal(SignInOutcome.WrongCredentials, _staff.SignIn("nobody", Password).Outcome);
        Assert.Equal(SignInOutcome.WrongCredentials, _staff.SignIn("psb.admin", "Wrong-password-1").Outcome);
    }

    [Fact]
    public void SignIn_Should_LockUnknownUsernamesLikeRealOnes_So_ThatLocksDoNotTellWhichExist()
    {
        var outcomes = Enumerable.Range(0, 6).Select(_ => _staff.SignIn("nobody", "Wrong-password-1").Outcome).ToList();

        Assert.Equal([.. Enumerable.Repeat(SignInOutcome.WrongCredentials, 4), SignInOutcome.Locked, SignInOutcome.Locked], outcomes);
    }

    [Fact]
    public void SignIn_Should_TellADisabledAccountOnlyToItsRightPassword()
    {
        _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);
        _staff.Update("psb.admin", null, null, disabled: true);

        Assert.Equal(SignInOutcome.WrongCredentials, _staff.SignIn("psb.admin", "Wrong-password-1").Outcome);
        Assert.Equal(SignInOutcome.Disabled, _staff.SignIn("psb.admin", Password).Outcome);
    }

    [Fact]
    public void RecordSignInSuccess_Should_Fail_When_ThePasswordWasResetOrTheAccountDisabledMeanwhile()
    {
        var created = _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);

        _staff.ResetPassword("psb.admin");
        Assert.False(_store.RecordSignInSuccess("psb.admin", created.PasswordHash, _clock.GetUtcNow()));

        var current = _store.FindStaffAccount("psb.admin")!;
        _staff.Update("psb.admin", null, null, disabled: true);
        Assert.False(_store.RecordSignInSuccess("psb.admin", current.PasswordHash, _clock.GetUtcNow()));
        Assert.NotNull(_store.FindStaffAccount("psb.admin")!.DisabledAt);
    }

    [Fact]
    public void Session_Should_Resolve_UntilSignOutOrExpiry()
    {
        _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);
        var first = _staff.SignIn("psb.admin", Password);
        var second = _staff.SignIn("psb.admin", Password);

        Assert.Equal("psb.admin", _staff.Resolve(first.Secret!)?.Account.Username);
        _staff.SignOut(first.Secret!);
        Assert.Null(_staff.Resolve(first.Secret!));
        Assert.NotNull(_staff.Resolve(second.Secret!));
        _clock.Advance(_staff.Options.SessionLifetime + TimeSpan.FromMinutes(1));
        Assert.Null(_staff.Resolve(second.Secret!));
        Assert.Null(_staff.Resolve("not-a-session"));
    }

    [Fact]
    public void ChangePassword_Should_EndTheOtherSessions_And_ClearTheTemporaryFlag()
    {
        _staff.Create("op.admin", "operator", "管理员", [StaffRole.Operator], null, out var temporary);
        Assert.NotNull(temporary);
        var here = _staff.SignIn("op.admin", temporary);
        var elsewhere = _staff.SignIn("op.admin", temporary);
        Assert.True(here.Account!.MustChangePassword);

        var changed = _staff.ChangePassword("op.admin", temporary, "Another-secret-7", here.Session!.Hash);

        Assert.False(changed.MustChangePassword);
        Assert.NotNull(_staff.Resolve(here.Secret!));
        Assert.Null(_staff.Resolve(elsewhere.Secret!));
        Assert.Equal(SignInOutcome.Success, _staff.SignIn("op.admin", "Another-secret-7").Outcome);
        Assert.Throws<LakeException>(() => _staff.ChangePassword("op.admin", "wrong", "Yet-another-secret-8", here.Session.Hash));
    }

    [Fact]
    public void Create_Should_RefuseBadUsernamesDuplicatesAndRolesTheAgencyMayNotHold()
    {
        _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);

        Assert.Contains("username", Assert.Throws<LakeException>(() => _staff.Create("PSB Admin!", "psb", "x", [StaffRole.Analyst], Password, out _)).Message,
            StringComparison.Ordinal);
        Assert.Contains("exists already", Assert.Throws<LakeException>(() => _staff.Create("psb.admin", "psb", "x", [StaffRole.Analyst], Password, out _)).Message,
            StringComparison.Ordinal);
        Assert.Contains("not reviewer", Assert.Throws<LakeException>(() => _staff.Create("psb.rev", "psb", "x", [StaffRole.Reviewer], Password, out _)).Message,
            StringComparison.Ordinal);
        Assert.Contains("no agency", Assert.Throws<LakeException>(() => _staff.Create("x.y", "nowhere", "x", [StaffRole.Analyst], Password, out _)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Disable_Should_EndSessions_And_RefuseSignIn()
    {
        _staff.Create("psb.admin", "psb", "管理员", [StaffRole.ProviderAdmin], Password, out _);
        var session = _staff.SignIn("psb.admin", Password);

        _staff.Update("psb.admin", null, null, disabled: true);

        Assert.Null(_staff.Resolve(session.Secret!));
        Assert.Equal(SignInOutcome.Disabled, _staff.SignIn("psb.admin", Password).Outcome);
        _staff.Update("psb.admin", null, null, disabled: false);
        Assert.Equal(SignInOutcome.Success, _staff.SignIn("psb.admin", Password).Outcome);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private sealed class MovableClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now.ToUniversalTime();

        public void Advance(TimeSpan by) => _now += by;
    }
}
