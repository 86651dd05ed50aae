using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Staff;

/// <summary>Authenticates a staff member's browser by the session cookie set at sign-in. The principal carries the same
/// agency claims as an API key's (so every endpoint applies the agency's access rules unchanged) plus the account, its roles and
/// the session's CSRF token. Answers are cached for <see cref="CacheLifetime"/>; signing out in this process ends the session at once.</summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, StaffDirectory staff, IPlatformStore store, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name; also the principal's authentication type.</summary>
    public const string SchemeName = "Session";

    /// <summary>The session cookie: HttpOnly, SameSite=Strict, the secret only (its hash is stored).</summary>
    public const string CookieName = "govshare_session";

    /// <summary>The claim naming the account.</summary>
    public const string AccountClaim = "govshare:account";

    /// <summary>A role of the account (one claim per role).</summary>
    public const string RoleClaim = "govshare:role";

    /// <summary>The session's CSRF token.</summary>
    public const string CsrfClaim = "govshare:csrf";

    /// <summary>The hash of the session's secret.</summary>
    public const string SessionClaim = "govshare:session";

    /// <summary>Present while the account must change its temporary password.</summary>
    public const string MustChangePasswordClaim = "govshare:must_change_password";

    /// <summary>How long a resolved session is remembered.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<string, (ClaimsPrincipal? Principal, DateTimeOffset Until)> Known = new(StringComparer.Ordinal);

    /// <summary>Forgets a session (signed out or ended), so that its cookie stops working at once in this process.</summary>
    public static void Forget(string sessionHash) => Known.TryRemove(sessionHash, out _);

    /// <summary>Forgets every cached session (an account changed: its sessions were ended in the store).</summary>
    public static void ForgetAll() => Known.Clear();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(CookieName, out var secret) || string.IsNullOrEmpty(secret))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var hash = StaffDirectory.SessionHash(secret);
        var now = clock.GetUtcNow();
        if (!Known.TryGetValue(hash, out var known) || known.Until < now)
        {
            known = (Principal(staff.Resolve(secret)), now + CacheLifetime);
            if (Known.Count > 10_000)
            {
                Known.Clear();
            }

            Known[hash] = known;
        }

        return Task.FromResult(known.Principal is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("the session has ended (signed out, expired, or the account was changed); sign in again."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The cookie no longer opens a session: the browser forgets it, and the UI shows its sign-in page.
        Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
        await Write(StatusCodes.Status401Unauthorized, "Authentication required",
            (await HandleAuthenticateOnceSafeAsync()).Failure?.Message ?? "sign in (POST /api/session) or send 'Authorization: Bearer <API key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Write(StatusCodes.Status403Forbidden, "Forbidden", "this account's agency may not use this endpoint.");

    private async Task Write(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private ClaimsPrincipal? Principal((StaffAccount Account, StaffSession Session)? resolved)
    {
        if (resolved is not var (account, session) || store.FindAgency(account.Agency) is not { } agency)
        {
            return null;
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, agency.Code),
            new(ClaimTypes.Name, account.DisplayName),
            new(ApiKeyAuthenticationHandler.AgencyKindClaim, agency.Kind.ToString().ToLowerInvariant()),
            new(AccountClaim, account.Username),
            new(CsrfClaim, session.CsrfToken),
            new(SessionClaim, session.Hash),
        };

        // Roles the agency's staff may no longer hold (the agency changed kind) are not granted.
        claims.AddRange(account.Roles.Where(StaffRoles.AllowedFor(agency.Kind).Contains).Select(r => new Claim(RoleClaim, StaffRoles.Name(r))));
        if (account.MustChangePassword)
        {
            claims.Add(new Claim(MustChangePasswordClaim, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }
}

/// <summary>The staff member behind a request signed in through the UI.</summary>
public static class StaffPrincipal
{
    /// <summary>Whether the request came from a signed-in browser session (not an API key).</summary>
    public static bool IsSession(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, AuthenticationType: SessionAuthenticationHandler.SchemeName };

    /// <summary>The account's username, or null for API keys and anonymous requests.</summary>
    public static string? Account(ClaimsPrincipal user) => IsSession(user) ? user.FindFirstValue(SessionAuthenticationHandler.AccountClaim) : null;

    /// <summary>The account's roles (empty for API keys).</summary>
    public static IReadOnlyList<StaffRole> Roles(ClaimsPrincipal user) =>
        IsSession(user) ? user.FindAll(SessionAuthenticationHandler.RoleClaim).Select(c => StaffRoles.Parse(c.Value)).OfType<StaffRole>().ToList() : [];
}
