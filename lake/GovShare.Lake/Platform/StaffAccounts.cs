using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GovShare.Lake.Platform;

/// <summary>What a member of staff does in the web UI. An account holds one or more roles; which roles an agency's staff may
/// hold follows the agency's kind (<see cref="StaffRoles.AllowedFor"/>).</summary>
public enum StaffRole
{
    /// <summary>Reads shared data: catalogue, SQL console, lookups, exports, its agency's access requests.</summary>
    Analyst,

    /// <summary>Administers a providing agency's side: access requests to decide, deliveries, reports against it, its scorecard.</summary>
    ProviderAdmin,

    /// <summary>Data-quality reviewer at the operating unit: the mismatch review queue.</summary>
    Reviewer,

    /// <summary>The operating unit: accounts, escalations, audit, calendar, jobs, evaluation.</summary>
    Operator,
}

/// <summary>Role names as the API and the UI spell them, and which roles fit which agency.</summary>
public static class StaffRoles
{
    /// <summary>The role's name: <c>analyst</c>, <c>provider_admin</c>, <c>reviewer</c>, <c>operator</c>.</summary>
    public static string Name(StaffRole role) => role switch
    {
        StaffRole.Analyst => "analyst",
        StaffRole.ProviderAdmin => "provider_admin",
        StaffRole.Reviewer => "reviewer",
        StaffRole.Operator => "operator",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>Every role, in order.</summary>
    public static IReadOnlyList<StaffRole> All { get; } = Enum.GetValues<StaffRole>();

    /// <summary>Parses a role name; null when unknown.</summary>
    public static StaffRole? Parse(string? name) => All.Cast<StaffRole?>().FirstOrDefault(r => Name(r!.Value) == name?.Trim().ToLowerInvariant());

    /// <summary>The roles an agency's staff may hold: every agency has analysts; providers also provider administrators;
    /// the operating unit reviewers and operators.</summary>
    public static IReadOnlyList<StaffRole> AllowedFor(AgencyKind kind) => kind switch
    {
        AgencyKind.Provider => [StaffRole.Analyst, StaffRole.ProviderAdmin],
        AgencyKind.Operator => [StaffRole.Analyst, StaffRole.Reviewer, StaffRole.Operator],
        _ => [StaffRole.Analyst],
    };
}

/// <summary>A member of staff's account.</summary>
/// <param name="Username">Sign-in name: lower-case letters, digits, <c>.-_</c>, 3–64 characters.</param>
/// <param name="Agency">The agency the person works for; what they may read is what the agency may read.</param>
/// <param name="DisplayName">Name shown in the UI and the audit trail's account column.</param>
/// <param name="Roles">What they do.</param>
/// <param name="PasswordHash">PBKDF2 hash (<see cref="PasswordHashing"/>); never the password.</param>
/// <param name="FailedAttempts">Failed sign-ins since the last success.</param>
/// <param name="LockedUntil">Locked after too many failures, until then.</param>
/// <param name="DisabledAt">Disabled by the operator (cannot sign in), or null.</param>
/// <param name="MustChangePassword">Set by the operator's (re)issue of a temporary password: the next session may only change it.</param>
/// <param name="CreatedAt">When the account was created.</param>
/// <param name="LastSignIn">The last successful sign-in, or null.</param>
public sealed record StaffAccount(
    string Username, string Agency, string DisplayName, IReadOnlyList<StaffRole> Roles, string PasswordHash, int FailedAttempts,
    DateTimeOffset? LockedUntil, DateTimeOffset? DisabledAt, bool MustChangePassword, DateTimeOffset CreatedAt, DateTimeOffset? LastSignIn)
{
    /// <summary>Whether a lock is in force at <paramref name="now"/>.</summary>
    public bool IsLocked(DateTimeOffset now) => LockedUntil is { } until && until > now;
}

/// <summary>A signed-in browser session as stored: the hash of the cookie's secret, never the secret.</summary>
/// <param name="Hash">SHA-256 of the session secret, hex.</param>
/// <param name="Username">Whose session.</param>
/// <param name="CsrfToken">The token every state-changing request of the session must echo in <c>X-CSRF-Token</c>.</param>
/// <param name="CreatedAt">Sign-in time.</param>
/// <param name="ExpiresAt">When it ends whatever happens.</param>
/// <param name="RevokedAt">Signed out, or ended by a password change, a disabled account or the operator.</param>
public sealed record StaffSession(string Hash, string Username, string CsrfToken, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>Password hashes: PBKDF2-HMAC-SHA512 with a 16-byte random salt, stored as
/// <c>pbkdf2-sha512$iterations$salt$hash</c> (base64) so that the work factor can grow without invalidating old hashes.</summary>
public static class PasswordHashing
{
    /// <summary>OWASP's recommendation for PBKDF2-HMAC-SHA512 (2023).</summary>
    public const int DefaultIterations = 210_000;

    private const string Scheme = "pbkdf2-sha512";

    /// <summary>Hashes a password.</summary>
    public static string Hash(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, 32);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether a password matches a stored hash (constant time in the hash comparison). A malformed hash matches nothing.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts is not [Scheme, var count, var salt, var hash] || !int.TryParse(count, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var expected = Convert.FromBase64String(hash);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(expected, actual);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The problems of a proposed password (empty when acceptable): at least 10 characters, three of the four kinds
    /// (upper case, lower case, digits, other), not containing the username.</summary>
    public static IReadOnlyList<string> Problems(string password, string username)
    {
        var problems = new List<string>();
        if (password.Length < 10)
        {
            problems.Add("the password must have at least 10 characters.");
        }

        if (password.Length > 256)
        {
            problems.Add("the password must have at most 256 characters.");
        }

        var kinds = new[] { password.Any(char.IsUpper), password.Any(char.IsLower), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) }.Count(k => k);
        if (kinds < 3)
        {
            problems.Add("the password must mix at least three of: upper-case letters, lower-case letters, digits, other characters.");
        }

        if (username.Length > 0 && password.Contains(username, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("the password must not contain the username.");
        }

        return problems;
    }

    /// <summary>A random temporary password that meets <see cref="Problems"/> (issued by the operator, changed at first sign-in).</summary>
    public static string Temporary()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789", other = "-_.!@#";
        var all = upper + lower + digits + other;
        var chars = new char[14];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = other[RandomNumberGenerator.GetInt32(other.Length)];
        for (var i = 4; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}

/// <summary>How sign-in behaves.</summary>
public sealed class StaffOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Staff";

    /// <summary>Consecutive failed sign-ins that lock an account.</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>How long a lock lasts (the operator can lift it sooner).</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a session lasts from sign-in: a working day.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(9);

    /// <summary>Sign-in attempts one client address may make per minute (each costs a slow hash): more answer 429.</summary>
    public int SignInsPerMinute { get; set; } = 60;

    /// <summary>PBKDF2 iterations for new hashes.</summary>
    public int PasswordIterations { get; set; } = PasswordHashing.DefaultIterations;

    /// <summary>The problems of the settings (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (LockoutThreshold is < 1 or > 100)
        {
            problems.Add("Staff:LockoutThreshold must be between 1 and 100.");
        }

        if (LockoutDuration <= TimeSpan.Zero)
        {
            problems.Add("Staff:LockoutDuration must be positive.");
        }

        if (SessionLifetime < TimeSpan.FromMinutes(5) || SessionLifetime > TimeSpan.FromDays(7))
        {
            problems.Add("Staff:SessionLifetime must be between 5 minutes and 7 days.");
        }

        if (SignInsPerMinute < 1)
        {
            problems.Add("Staff:SignInsPerMinute must be at least 1.");
        }

        if (PasswordIterations < 10_000)
        {
            problems.Add("Staff:PasswordIterations must be at least 10000.");
        }

        return problems;
    }
}

/// <summary>How a sign-in ended.</summary>
public enum SignInOutcome
{
    /// <summary>Signed in: a new session.</summary>
    Success,

    /// <summary>Unknown username or wrong password (the two are not told apart).</summary>
    WrongCredentials,

    /// <summary>Locked after too many failures.</summary>
    Locked,

    /// <summary>Disabled by the operator.</summary>
    Disabled,
}

/// <summary>The result of a sign-in.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Account">The account (success, locked, disabled), or null.</param>
/// <param name="Secret">The new session's secret, for the cookie (success only; never stored).</param>
/// <param name="Session">The new session (success only).</param>
public sealed record SignInResult(SignInOutcome Outcome, StaffAccount? Account, string? Secret, StaffSession? Session);

/// <summary>Staff accounts and their browser sessions: creation and changes by the operator, sign-in with lockout, sessions
/// that end at sign-out, expiry, a password change or a disabled account.</summary>
public sealed class StaffDirectory(IPlatformStore store, StaffOptions options, TimeProvider clock)
{
    // Verifying against this when the username is unknown costs the same time as a real check, so that timing does not
    // tell which usernames exist.
    private static readonly Lazy<string> DecoyHash = new(() => PasswordHashing.Hash(PasswordHashing.Temporary()));

    /// <summary>The settings.</summary>
    public StaffOptions Options => options;

    /// <summary>Creates an account. Without <paramref name="password"/> a temporary one is issued (returned in
    /// <paramref name="temporary"/>) that must be changed at the first sign-in.</summary>
    /// <exception cref="LakeException">Invalid username, unknown agency, a role the agency's staff may not hold, a weak password,
    /// or the username is taken.</exception>
    public StaffAccount Create(string username, string agency, string displayName, IReadOnlyList<StaffRole> roles, string? password, out string? temporary)
    {
        username = (username ?? "").Trim().ToLowerInvariant();
        if (!IsValidUsername(username))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "username: 3–64 characters of a–z, 0–9, '.', '-', '_', starting with a letter or digit.");
        }

        if (store.FindStaffAccount(username) is not null)
        {
            throw new LakeException(LakeErrorKind.Conflict, $"username: the account '{username}' exists already.");
        }

        var owner = store.FindAgency(agency) ?? throw new LakeException(LakeErrorKind.InvalidInput, $"agency: no agency '{agency}' is registered.");
        CheckRoles(owner, roles);
        displayName = CheckDisplayName(displayName);
        temporary = password is null ? PasswordHashing.Temporary() : null;
        CheckPassword(password ?? temporary!, username);
        var account = new StaffAccount(username, owner.Code, displayName, roles.Distinct().Order().ToList(), PasswordHashing.Hash(password ?? temporary!, options.PasswordIterations),
            0, null, null, password is null, clock.GetUtcNow(), null);
        store.SaveStaffAccount(account);
        return account;
    }

    /// <summary>Signs in: a session when the password is right and the account neither locked nor disabled; otherwise the
    /// failure is counted and the account locked at <see cref="StaffOptions.LockoutThreshold"/>. The answers do not tell which
    /// usernames exist: a password is always hashed, unknown names are counted and "locked" like real ones, and a disabled
    /// account says so only to its right password.</summary>
    public SignInResult SignIn(string username, string password)
    {
        var now = clock.GetUtcNow();
        username = (username ?? "").Trim().ToLowerInvariant();
        password ??= "";
        var account = store.FindStaffAccount(username);
        if (account is null)
        {
            PasswordHashing.Verify(password, DecoyHash.Value);
            return new SignInResult(CountUnknown(username, now) ? SignInOutcome.Locked : SignInOutcome.WrongCredentials, null, null, null);
        }

        var right = PasswordHashing.Verify(password, account.PasswordHash);
        if (account.IsLocked(now))
        {
            return new SignInResult(SignInOutcome.Locked, account, null, null);
        }

        if (!right)
        {
            var counted = store.RecordSignInFailure(account.Username, now, options.LockoutThreshold, now + options.LockoutDuration) ?? account;
            return new SignInResult(counted.IsLocked(now) ? SignInOutcome.Locked : SignInOutcome.WrongCredentials, counted, null, null);
        }

        if (account.DisabledAt is not null)
        {
            return new SignInResult(SignInOutcome.Disabled, account, null, null);
        }

        // One statement, on the state the password was checked against: an operator's disable or password reset made while the
        // hash was being computed wins, and no session is made.
        if (!store.RecordSignInSuccess(account.Username, account.PasswordHash, now))
        {
            return new SignInResult(SignInOutcome.WrongCredentials, null, null, null);
        }

        account = account with { FailedAttempts = 0, LockedUntil = null, LastSignIn = now };
        var (secret, session) = NewSession(account.Username, now);
        return new SignInResult(SignInOutcome.Success, account, secret, session);
    }

    // Failed sign-ins of unknown usernames, so that they lock like real accounts (bounded: cleared when large).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Failures, DateTimeOffset? LockedUntil)> _unknown = new(StringComparer.Ordinal);

    private bool CountUnknown(string username, DateTimeOffset now)
    {
        if (_unknown.Count > 10_000)
        {
            _unknown.Clear();
        }

        var state = _unknown.AddOrUpdate(username, _ => (1, null), (_, known) => known.LockedUntil is { } until && until > now
            ? known
            : known.Failures + 1 >= options.LockoutThreshold ? (0, now + options.LockoutDuration) : (known.Failures + 1, null));
        if (state.LockedUntil is null && options.LockoutThreshold <= 1)
        {
            state = _unknown[username] = (0, now + options.LockoutDuration);
        }

        return state.LockedUntil is { } lockedUntil && lockedUntil > now;
    }

    /// <summary>The account and session a cookie's secret belongs to, or null when unknown, expired, revoked, or the account
    /// is disabled.</summary>
    public (StaffAccount Account, StaffSession Session)? Resolve(string secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200 || store.FindStaffSession(SessionHash(secret)) is not { RevokedAt: null } session
            || session.ExpiresAt <= clock.GetUtcNow() || store.FindStaffAccount(session.Username) is not { DisabledAt: null } account)
        {
            return null;
        }

        return (account, session);
    }

    /// <summary>Ends the session of a cookie's secret.</summary>
    public void SignOut(string secret) => store.RevokeStaffSessions(null, SessionHash(secret), clock.GetUtcNow());

    /// <summary>The user changes their own password: the current one must be right; every other session of theirs ends.</summary>
    /// <exception cref="LakeException">The current password is wrong or the new one weak.</exception>
    public StaffAccount ChangePassword(string username, string current, string replacement, string keepSessionHash)
    {
        var account = store.FindStaffAccount(username) ?? throw new LakeException(LakeErrorKind.NotFound, $"no account '{username}'.");
        if (!PasswordHashing.Verify(current ?? "", account.PasswordHash))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "currentPassword: the current password is wrong.");
        }

        if (string.Equals(current, replacement, StringComparison.Ordinal))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "newPassword: the new password must differ from the current one.");
        }

        CheckPassword(replacement, username);
        var hash = PasswordHashing.Hash(replacement, options.PasswordIterations);
        if (!store.ReplaceStaffPassword(username, account.PasswordHash, hash, mustChange: false))
        {
            throw new LakeException(LakeErrorKind.Conflict, "currentPassword: the password was changed meanwhile (by the operator?); sign in again.");
        }

        store.RevokeStaffSessions(username, null, clock.GetUtcNow(), exceptHash: keepSessionHash);
        return account with { PasswordHash = hash, MustChangePassword = false };
    }

    /// <summary>The operator changes an account: display name, roles, disabled or not. Disabling ends its sessions.</summary>
    public StaffAccount Update(string username, string? displayName, IReadOnlyList<StaffRole>? roles, bool? disabled)
    {
        var account = Find(username);
        if (roles is not null)
        {
            CheckRoles(store.FindAgency(account.Agency)!, roles);
            account = account with { Roles = roles.Distinct().Order().ToList() };
        }

        if (displayName is not null)
        {
            account = account with { DisplayName = CheckDisplayName(displayName) };
        }

        var now = clock.GetUtcNow();
        if (disabled is { } off)
        {
            account = account with { DisabledAt = off ? account.DisabledAt ?? now : null };
        }

        store.SaveStaffAccount(account);
        if (account.DisabledAt is not null || roles is not null)
        {
            // A changed role takes effect at the next sign-in; sessions holding the old roles end now.
            store.RevokeStaffSessions(username, null, now);
        }

        return account;
    }

    /// <summary>The operator issues a new temporary password (to be changed at the next sign-in); the account's sessions end
    /// and a lock is lifted.</summary>
    public string ResetPassword(string username)
    {
        var account = Find(username);
        var temporary = PasswordHashing.Temporary();
        store.SaveStaffAccount(account with
        {
            PasswordHash = PasswordHashing.Hash(temporary, options.PasswordIterations), MustChangePassword = true, FailedAttempts = 0, LockedUntil = null,
        });
        store.RevokeStaffSessions(username, null, clock.GetUtcNow());
        return temporary;
    }

    /// <summary>The operator lifts a lock.</summary>
    public StaffAccount Unlock(string username)
    {
        var account = Find(username);
        store.UnlockStaffAccount(account.Username);
        return account with { FailedAttempts = 0, LockedUntil = null };
    }

    /// <summary>Every account, by username.</summary>
    public IReadOnlyList<StaffAccount> List() => store.ListStaffAccounts();

    /// <summary>One account.</summary>
    /// <exception cref="LakeException">No such account.</exception>
    public StaffAccount Find(string username) =>
        store.FindStaffAccount((username ?? "").Trim().ToLowerInvariant()) ?? throw new LakeException(LakeErrorKind.NotFound, $"no account '{username}'.");

    /// <summary>The stored hash of a session secret.</summary>
    public static string SessionHash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private (string Secret, StaffSession Session) NewSession(string username, DateTimeOffset now)
    {
        var secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var session = new StaffSession(SessionHash(secret), username, System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24)),
            now, now + options.SessionLifetime, null);
        store.SaveStaffSession(session);
        return (secret, session);
    }

    /// <summary>Whether a text is a well-formed username (3–64 characters of a–z, 0–9, '.', '-', '_', starting with a letter or digit).</summary>
    public static bool IsValidUsername(string username) =>
        username.Length is >= 3 and <= 64 && char.IsAsciiLetterOrDigit(username[0])
        && username.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_');

    private static string CheckDisplayName(string? displayName)
    {
        displayName = (displayName ?? "").Trim();
        if (displayName.Length is 0 or > 100 || displayName.Any(char.IsControl))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "displayName: 1–100 characters without control characters.");
        }

        return displayName;
    }

    private static void CheckRoles(Agency agency, IReadOnlyList<StaffRole> roles)
    {
        if (roles.Count == 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "roles: at least one role is required.");
        }

        var allowed = StaffRoles.AllowedFor(agency.Kind);
        if (roles.Where(r => !allowed.Contains(r)).Cast<StaffRole?>().FirstOrDefault() is { } wrong)
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"roles: staff of {agency.Code} ({agency.Kind.ToString().ToLowerInvariant()}) may hold {string.Join(", ", allowed.Select(StaffRoles.Name))}, not {StaffRoles.Name(wrong)}.");
        }
    }

    private static void CheckPassword(string password, string username)
    {
        if (PasswordHashing.Problems(password, username) is [_, ..] problems)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "password: " + string.Join(" ", problems));
        }
    }
}
