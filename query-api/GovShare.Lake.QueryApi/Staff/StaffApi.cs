using System.Security.Claims;
using GovShare.Lake.Audit;
using GovShare.Lake.Platform;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GovShare.Lake.QueryApi.Staff;

/// <summary>Sign-in details.</summary>
/// <param name="Username">The account's username.</param>
/// <param name="Password">Its password.</param>
public sealed record SignInRequest(string? Username, string? Password);

/// <summary>A password change by the account's holder.</summary>
/// <param name="CurrentPassword">The password now (or the temporary one).</param>
/// <param name="NewPassword">The new one: 10+ characters mixing three kinds, not containing the username.</param>
public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

/// <summary>A new account, by the operator.</summary>
/// <param name="Username">3–64 characters of a–z, 0–9, <c>.-_</c>.</param>
/// <param name="Agency">The agency's code.</param>
/// <param name="DisplayName">The person's name.</param>
/// <param name="Roles">Role names (<c>analyst</c>, <c>provider_admin</c>, <c>reviewer</c>, <c>operator</c>).</param>
/// <param name="Password">An initial password; without one a temporary password is issued, to be changed at first sign-in.</param>
public sealed record NewAccount(string? Username, string? Agency, string? DisplayName, IReadOnlyList<string>? Roles, string? Password);

/// <summary>Changes to an account, by the operator; absent fields stay as they are.</summary>
/// <param name="DisplayName">A new display name.</param>
/// <param name="Roles">The new roles (ends the account's sessions).</param>
/// <param name="Disabled">Disable (ends its sessions) or enable the account.</param>
public sealed record AccountChange(string? DisplayName, IReadOnlyList<string>? Roles, bool? Disabled);

/// <summary>An agency as the UI shows it.</summary>
/// <param name="Code">Its code.</param>
/// <param name="NameZh">Chinese name.</param>
/// <param name="NameEn">English name.</param>
/// <param name="Kind">provider, consumer or operator.</param>
public sealed record AgencyView(string Code, string NameZh, string NameEn, string Kind);

/// <summary>An account as the operator sees it (never the password hash).</summary>
/// <param name="Username">Sign-in name.</param>
/// <param name="Agency">Its agency.</param>
/// <param name="DisplayName">The person's name.</param>
/// <param name="Roles">Role names.</param>
/// <param name="Disabled">Disabled by the operator.</param>
/// <param name="LockedUntil">Locked after failed sign-ins until then, or null.</param>
/// <param name="FailedAttempts">Failed sign-ins since the last success (or lock).</param>
/// <param name="MustChangePassword">Holds a temporary password.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="LastSignIn">Last successful sign-in.</param>
public sealed record AccountView(
    string Username, AgencyView Agency, string DisplayName, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset? LockedUntil, int FailedAttempts,
    bool MustChangePassword, DateTimeOffset CreatedAt, DateTimeOffset? LastSignIn);

/// <summary>The signed-in session as the UI needs it.</summary>
/// <param name="Account">Who.</param>
/// <param name="CsrfToken">To echo in <c>X-CSRF-Token</c> on every state-changing request.</param>
/// <param name="ExpiresAt">When the session ends.</param>
public sealed record SessionView(AccountView Account, string CsrfToken, DateTimeOffset? ExpiresAt);

/// <summary>A temporary password, shown once.</summary>
/// <param name="Account">The account.</param>
/// <param name="TemporaryPassword">To hand to the person; they must change it at the first sign-in.</param>
public sealed record IssuedAccount(AccountView Account, string? TemporaryPassword);

/// <summary>Staff sign-in (<c>/api/session</c>) and the operator's account management (<c>/api/accounts</c>).</summary>
internal static class StaffApi
{
    /// <summary>The rate-limiting policy of sign-in: <see cref="StaffOptions.SignInsPerMinute"/> attempts per client address.</summary>
    public const string SignInLimiter = "sign-in";

    /// <summary>Registers the sign-in rate limiter: a password check is deliberately slow, so a flood of attempts from one
    /// address would take the host's cores; the lockout protects each account, this the host.</summary>
    public static IServiceCollection AddSignInLimiter(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignInLimiter, context => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "-",
                _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<StaffOptions>().SignInsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many sign-in attempts",
                        Detail = "too many sign-in attempts from this address in the last minute; wait a minute and try again.",
                    },
                });
            };
        });

    public static void MapStaffApi(this IEndpointRouteBuilder endpoints)
    {
        var session = endpoints.MapGroup("/api/session").WithTags("Staff");
        session.MapPost("/", SignIn).WithName("SignIn").AllowAnonymous().RequireRateLimiting(SignInLimiter)
            .WithSummary("Sign in with username and password: sets the session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token");
        session.MapGet("/", GetSession).WithName("GetSession").RequireAuthorization().WithSummary("The signed-in account and its CSRF token");
        session.MapDelete("/", SignOut).WithName("SignOut").RequireAuthorization().WithSummary("Sign out: the session ends at once");
        session.MapPost("/password", ChangePassword).WithName("ChangePassword").RequireAuthorization()
            .WithSummary("Change one's own password (ends the account's other sessions)");

        endpoints.MapGet("/api/agencies", ListAgencies).WithName("ListAgencies").WithTags("Staff").RequireAuthorization()
            .WithSummary("The agencies known to the platform: code, names, kind (never keys)");

        var accounts = endpoints.MapGroup("/api/accounts").WithTags("Staff").RequireAuthorization(QueryApiHost.OperatorPolicy);
        accounts.MapGet("/", ListAccounts).WithName("ListAccounts").WithSummary("Every staff account (operator)");
        accounts.MapPost("/", CreateAccount).WithName("CreateAccount").WithSummary("Create an account; a temporary password is returned once when none is given");
        accounts.MapPatch("/{username}", UpdateAccount).WithName("UpdateAccount").WithSummary("Change display name, roles, or disable/enable");
        accounts.MapPost("/{username}/password-reset", ResetPassword).WithName("ResetAccountPassword").WithSummary("Issue a temporary password");
        accounts.MapPost("/{username}/unlock", Unlock).WithName("UnlockAccount").WithSummary("Lift a lock after failed sign-ins");
    }

    private static Results<Ok<SessionView>, ProblemHttpResult> SignIn(SignInRequest request, HttpContext context, StaffDirectory staff, IPlatformStore store, AuditLog audit)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.Problem("username and password are both required.", statusCode: StatusCodes.Status400BadRequest, title: "Sign-in incomplete");
        }

        var result = staff.SignIn(request.Username, request.Password);
        var (status, title, detail) = result.Outcome switch
        {
            SignInOutcome.Success => (StatusCodes.Status200OK, "", ""),
            SignInOutcome.Locked => (StatusCodes.Status423Locked, "Account locked",
                $"too many failed sign-ins: the account is locked until {result.Account!.LockedUntil:yyyy-MM-dd HH:mm} UTC; the operator can unlock it sooner."),
            SignInOutcome.Disabled => (StatusCodes.Status403Forbidden, "Account disabled", "the account is disabled; ask the operator."),
            _ => (StatusCodes.Status401Unauthorized, "Sign-in failed", "the username or the password is wrong."),
        };

        // Every attempt is audited under the name given (a username is not personal data of a citizen).
        audit.Append(new AuditEvent(result.Account?.Agency ?? "-", result.Account?.Username ?? Clip(request.Username), null, "SignIn", [], null, [], null,
            result.Outcome == SignInOutcome.Success ? "allowed" : "denied", status));
        if (result.Outcome != SignInOutcome.Success)
        {
            var problem = TypedResults.Problem(detail, statusCode: status, title: title,
                extensions: result.Outcome == SignInOutcome.Locked ? new Dictionary<string, object?> { ["lockedUntil"] = result.Account!.LockedUntil } : null);
            return problem;
        }

        context.Response.Cookies.Append(SessionAuthenticationHandler.CookieName, result.Secret!, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = result.Session!.ExpiresAt,
            IsEssential = true,
        });
        return TypedResults.Ok(new SessionView(View(result.Account!, store), result.Session.CsrfToken, result.Session.ExpiresAt));
    }

    private static Results<Ok<SessionView>, ProblemHttpResult> GetSession(ClaimsPrincipal user, StaffDirectory staff, IPlatformStore store)
    {
        if (StaffPrincipal.Account(user) is not { } username)
        {
            return TypedResults.Problem("this request is authenticated by an API key, not a signed-in session.", statusCode: StatusCodes.Status400BadRequest,
                title: "Not a session");
        }

        return TypedResults.Ok(new SessionView(View(staff.Find(username), store), user.FindFirstValue(SessionAuthenticationHandler.CsrfClaim)!,
            store.FindStaffSession(user.FindFirstValue(SessionAuthenticationHandler.SessionClaim)!)?.ExpiresAt));
    }

    private static NoContent SignOut(HttpContext context, StaffDirectory staff)
    {
        if (context.Request.Cookies.TryGetValue(SessionAuthenticationHandler.CookieName, out var secret) && !string.IsNullOrEmpty(secret))
        {
            staff.SignOut(secret);
            SessionAuthenticationHandler.Forget(StaffDirectory.SessionHash(secret));
        }

        context.Response.Cookies.Delete(SessionAuthenticationHandler.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
        return TypedResults.NoContent();
    }

    private static Results<NoContent, ProblemHttpResult> ChangePassword(PasswordChange change, ClaimsPrincipal user, StaffDirectory staff, AuditLog audit)
    {
        if (StaffPrincipal.Account(user) is not { } username)
        {
            return TypedResults.Problem("API keys have no password; sign in to change yours.", statusCode: StatusCodes.Status400BadRequest, title: "Not a session");
        }

        staff.ChangePassword(username, change.CurrentPassword ?? "", change.NewPassword ?? "", user.FindFirstValue(SessionAuthenticationHandler.SessionClaim)!);
        SessionAuthenticationHandler.ForgetAll();
        audit.Append(new AuditEvent(user.FindFirstValue(ClaimTypes.NameIdentifier)!, username, null, "ChangePassword", [], null, [], null, "allowed", 204));
        return TypedResults.NoContent();
    }

    private static Ok<AgencyView[]> ListAgencies(IPlatformStore store) =>
        TypedResults.Ok(store.ListAgencies().Select(a => new AgencyView(a.Code, a.Name.Zh, a.Name.En, a.Kind.ToString().ToLowerInvariant())).ToArray());

    private static Ok<AccountView[]> ListAccounts(StaffDirectory staff, IPlatformStore store) =>
        TypedResults.Ok(staff.List().Select(a => View(a, store)).ToArray());

    private static Created<IssuedAccount> CreateAccount(NewAccount account, ClaimsPrincipal user, StaffDirectory staff, IPlatformStore store, AuditLog audit)
    {
        var created = staff.Create(account.Username ?? "", account.Agency ?? "", account.DisplayName ?? "", ParseRoles(account.Roles), account.Password, out var temporary);
        Audit(audit, user, "CreateAccount", created.Username);
        return TypedResults.Created($"/api/accounts/{created.Username}", new IssuedAccount(View(created, store), temporary));
    }

    private static Ok<AccountView> UpdateAccount(string username, AccountChange change, ClaimsPrincipal user, StaffDirectory staff, IPlatformStore store, AuditLog audit)
    {
        if (change.Disabled == true && string.Equals(StaffPrincipal.Account(user), username, StringComparison.Ordinal))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "disabled: an operator cannot disable their own account.");
        }

        var roles = change.Roles is null ? null : ParseRoles(change.Roles);
        if (roles is not null && !roles.Contains(StaffRole.Operator) && string.Equals(StaffPrincipal.Account(user), username, StringComparison.Ordinal))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "roles: an operator cannot take the operator role from their own account.");
        }

        var updated = staff.Update(username, change.DisplayName, roles, change.Disabled);
        SessionAuthenticationHandler.ForgetAll();
        Audit(audit, user, "UpdateAccount", updated.Username);
        return TypedResults.Ok(View(updated, store));
    }

    private static Ok<IssuedAccount> ResetPassword(string username, ClaimsPrincipal user, StaffDirectory staff, IPlatformStore store, AuditLog audit)
    {
        var temporary = staff.ResetPassword(username);
        SessionAuthenticationHandler.ForgetAll();
        Audit(audit, user, "ResetAccountPassword", username);
        return TypedResults.Ok(new IssuedAccount(View(staff.Find(username), store), temporary));
    }

    private static Ok<AccountView> Unlock(string username, ClaimsPrincipal user, StaffDirectory staff, IPlatformStore store, AuditLog audit)
    {
        var account = staff.Unlock(username);
        Audit(audit, user, "UnlockAccount", username);
        return TypedResults.Ok(View(account, store));
    }

    /// <summary>An account as the API shows it.</summary>
    public static AccountView View(StaffAccount account, IPlatformStore store)
    {
        var agency = store.FindAgency(account.Agency);
        return new AccountView(account.Username,
            new AgencyView(account.Agency, agency?.Name.Zh ?? account.Agency, agency?.Name.En ?? account.Agency, agency?.Kind.ToString().ToLowerInvariant() ?? "consumer"),
            account.DisplayName, account.Roles.Select(StaffRoles.Name).ToList(), account.DisabledAt is not null, account.LockedUntil, account.FailedAttempts,
            account.MustChangePassword, account.CreatedAt, account.LastSignIn);
    }

    private static List<StaffRole> ParseRoles(IReadOnlyList<string>? names) =>
        (names ?? []).Select(n => StaffRoles.Parse(n)
            ?? throw new LakeException(LakeErrorKind.InvalidInput, $"roles: '{n}' is not a role; use {string.Join(", ", StaffRoles.All.Select(StaffRoles.Name))}.")).ToList();

    private static void Audit(AuditLog audit, ClaimsPrincipal user, string action, string account) =>
        audit.Append(new AuditEvent(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "-", StaffPrincipal.Account(user), null, action, ["account:" + account], null, [],
            null, "allowed", 200));

    // What was typed as a username is recorded only when it is one: people type passwords and ID numbers into that field too.
    private static string Clip(string? text) => text?.Trim().ToLowerInvariant() is { } name && StaffDirectory.IsValidUsername(name) ? name : "-";
}
