using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using GovShare.Lake.Platform;

namespace GovShare.Lake.QueryApi.Staff;

/// <summary>What a signed-in member of staff may call, by endpoint name: the agency's access rules apply as for API keys, and
/// on top the account's roles narrow which endpoints it reaches at all. An endpoint not listed is refused to browser sessions,
/// so that a new endpoint is closed to the UI until someone decides who may use it.</summary>
internal static class StaffAccess
{
    private const StaffRole A = StaffRole.Analyst, P = StaffRole.ProviderAdmin, R = StaffRole.Reviewer, O = StaffRole.Operator;

    /// <summary>The roles that may call each endpoint.</summary>
    public static IReadOnlyDictionary<string, StaffRole[]> Endpoints { get; } = new Dictionary<string, StaffRole[]>(StringComparer.Ordinal)
    {
        // Signing in and out, one's own password.
        ["GetSession"] = [A, P, R, O],
        ["SignOut"] = [A, P, R, O],
        ["ChangePassword"] = [A, P, R, O],

        // Catalogue, versions, calendar, freshness, notifications: every member of staff.
        ["ListCatalogue"] = [A, P, R, O],
        ["GetCatalogueEntry"] = [A, P, R, O],
        ["GetCatalogueJsonLd"] = [A, P, R, O],
        ["ListLakeVersions"] = [A, P, R, O],
        ["GetCalendarYear"] = [A, P, R, O],
        ["GetDeadline"] = [A, P, R, O],
        ["ListFreshness"] = [A, P, R, O],
        ["ListNotifications"] = [A, P, R, O],
        ["GetMyAccess"] = [A, P, R, O],
        ["ListAgencies"] = [A, P, R, O],

        // Reading data: analysts; reviewers check values; the operator.
        ["RunQuery"] = [A, R, O],
        ["LookupPerson"] = [A, R, O],
        ["LookupEntity"] = [A, R, O],
        ["LookupLicence"] = [A, R, O],
        ["GetPlaces"] = [A, R, O],
        ["ListThemes"] = [A, O],
        ["ExportTheme"] = [A, O],
        ["GetEvidence"] = [A, R, O],

        // Access requests: analysts ask; provider administrators decide; the operator decides escalations.
        ["SubmitAccessRequest"] = [A],
        ["ListAccessRequests"] = [A, P, O],
        ["GetAccessRequest"] = [A, P, O],
        ["EscalateAccessRequest"] = [A],
        ["WithdrawAccessRequest"] = [A],
        ["DecideAccessRequest"] = [P, O],
        ["RevokeAccessRequest"] = [P, O],
        ["GetAgreement"] = [A],
        ["AcceptAgreement"] = [A],
        ["ProposeSharingChange"] = [P, O],
        ["ListSharingChanges"] = [P, O],
        ["DecideSharingChange"] = [O],

        // Mismatch reports: anyone reading data reports; providers answer; reviewers review.
        ["ReportMismatch"] = [A, P, O],
        ["ListMismatches"] = [A, P, R, O],
        ["GetMismatch"] = [A, P, R, O],
        ["CommentMismatch"] = [A, P, R, O],
        ["WithdrawMismatch"] = [A],
        ["ResolveMismatch"] = [P, O],
        ["ConfirmMismatch"] = [R, O],
        ["DismissMismatch"] = [R, O],
        ["RerouteMismatch"] = [R, O],
        ["ListFeedAnomalies"] = [P, R, O],

        // A provider's own operations.
        ["DeliverDataset"] = [P, O],
        ["SetWebhook"] = [P, O],
        ["GetScorecards"] = [P, R, O],

        // The operating unit.
        ["GetEvaluationReport"] = [O],
        ["PutCalendarYear"] = [O],
        ["ListJobRuns"] = [O],
        ["ListAudit"] = [O],
        ["AuditSubject"] = [O],
        ["ListAccounts"] = [O],
        ["CreateAccount"] = [O],
        ["UpdateAccount"] = [O],
        ["ResetAccountPassword"] = [O],
        ["UnlockAccount"] = [O],
    };

    /// <summary>What a session may still do while its temporary password is unchanged.</summary>
    public static IReadOnlySet<string> BeforePasswordChange { get; } = new HashSet<string>(StringComparer.Ordinal) { "GetSession", "SignOut", "ChangePassword" };
}

/// <summary>Checks every request of a browser session before authorization: a state-changing request must come from this
/// origin and echo the session's CSRF token in <c>X-CSRF-Token</c>; a temporary password must be changed first; and the
/// account's roles must allow the endpoint (<see cref="StaffAccess"/>). API keys pass untouched.</summary>
internal sealed class StaffGate(RequestDelegate next)
{
    /// <summary>The header carrying the CSRF token.</summary>
    public const string CsrfHeader = "X-CSRF-Token";

    public async Task InvokeAsync(HttpContext context, GovShare.Lake.Audit.AuditLog audit)
    {
        if (!StaffPrincipal.IsSession(context.User))
        {
            await next(context);
            return;
        }

        var user = context.User;
        var endpoint = context.GetEndpoint();
        var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var refusal = CrossSite(context, user)
            ?? (user.HasClaim(c => c.Type == SessionAuthenticationHandler.MustChangePasswordClaim) && (name is null || !StaffAccess.BeforePasswordChange.Contains(name))
                && (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || context.Request.Path.StartsWithSegments("/hangfire", StringComparison.Ordinal))
                ? "change your temporary password first (POST /api/session/password)."
                : null)
            ?? RoleRefusal(context, user, name);
        if (refusal is null)
        {
            await next(context);
            return;
        }

        audit.Append(new GovShare.Lake.Audit.AuditEvent(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "-", StaffPrincipal.Account(user), null,
            name ?? context.Request.Path.ToString(), [], null, [], null, "denied", StatusCodes.Status403Forbidden));
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = refusal },
        });
    }

    private static string? CrossSite(HttpContext context, ClaimsPrincipal user)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
        {
            return null;
        }

        // A browser names the page's origin on every state-changing request; it must be this host.
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(context, origin))
        {
            return $"a request from another site ({origin}) may not act for a signed-in session.";
        }

        // The Hangfire dashboard sends its own forms without the token: the origin check and SameSite=Strict cookies cover it.
        if (context.Request.Path.StartsWithSegments("/hangfire", StringComparison.Ordinal))
        {
            return origin.Length > 0 || SameOrigin(context, context.Request.Headers.Referer.ToString()) ? null : "the dashboard's forms must come from this site.";
        }

        var expected = user.FindFirstValue(SessionAuthenticationHandler.CsrfClaim) ?? "";
        var presented = context.Request.Headers[CsrfHeader].ToString();
        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented))
            ? null
            : $"the {CsrfHeader} header is missing or wrong: a state-changing request of a signed-in session must echo the token GET /api/session gives.";
    }

    private static bool SameOrigin(HttpContext context, string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, context.Request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static string? RoleRefusal(HttpContext context, ClaimsPrincipal user, string? name)
    {
        var roles = StaffPrincipal.Roles(user);
        if (context.Request.Path.StartsWithSegments("/hangfire", StringComparison.Ordinal))
        {
            return roles.Contains(StaffRole.Operator) ? null : "the jobs dashboard is the operator's.";
        }

        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
        {
            return null;
        }

        if (name is null || !StaffAccess.Endpoints.TryGetValue(name, out var allowed))
        {
            return $"{context.Request.Path} is not open to signed-in staff; machines use it with an API key.";
        }

        return roles.Any(allowed.Contains)
            ? null
            : $"{name} needs the role {string.Join(" or ", allowed.Select(StaffRoles.Name))}; this account holds {string.Join(", ", roles.Select(StaffRoles.Name))}.";
    }
}
