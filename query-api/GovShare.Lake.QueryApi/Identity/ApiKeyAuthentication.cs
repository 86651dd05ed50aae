using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using GovShare.Lake.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Identity;

/// <summary>Authenticates <c>Authorization: Bearer &lt;API key&gt;</c> against the keys in the platform store.
/// Answers are cached for <see cref="CacheLifetime"/> so that a lookup does not open the store: a key rotated
/// by another process stops working within that time.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IPlatformStore store, TimeProvider clock, IProblemDetailsService problems, GovShare.Lake.Audit.AuditLog audit)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The claim carrying the agency's kind (provider, consumer, operator).</summary>
    public const string AgencyKindClaim = "govshare:agency_kind";

    /// <summary>How long a verified (or refused) key is remembered.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, (Agency? Agency, DateTimeOffset Until)> Verified = new(StringComparer.Ordinal);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header must be 'Bearer <API key>'."));
        }

        var key = header["Bearer ".Length..].Trim();
        var hash = ApiKeys.Hash(key);
        var now = clock.GetUtcNow();
        if (!Verified.TryGetValue(hash, out var known) || known.Until < now)
        {
            known = (ApiKeys.Authenticate(store, key), now + CacheLifetime);
            if (Verified.Count > 10_000)
            {
                Verified.Clear();
            }

            Verified[hash] = known;
        }

        if (known.Agency is not { } agency)
        {
            return Task.FromResult(AuthenticateResult.Fail("the API key is not valid (unknown, malformed or revoked)."));
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, agency.Code),
                new Claim(ClaimTypes.Name, agency.Name.Zh),
                new Claim(AgencyKindClaim, agency.Kind.ToString().ToLowerInvariant()),
            ],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        audit.Append(new GovShare.Lake.Audit.AuditEvent("-", null, null, "authenticate", [Request.Path.ToString()], null, [], null, "denied",
            StatusCodes.Status401Unauthorized));
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Authentication required",
                Detail = failure ?? "send 'Authorization: Bearer <API key>'; the operator issues keys with 'govshare agency add' or 'rotate-key'.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        audit.Append(new GovShare.Lake.Audit.AuditEvent(RequestParty.AgencyOf(Context.User)?.Code ?? "-", null, null, "authorize", [Request.Path.ToString()], null, [], null,
            "denied", StatusCodes.Status403Forbidden));
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Forbidden",
                Detail = "this agency may not use this endpoint.",
            },
        });
    }
}
