using System.Security.Claims;
using GovShare.Lake.Platform;

namespace GovShare.Lake.QueryApi.Identity;

/// <summary>Who is asking, for what: the authenticated agency, the person at its end and the purpose they gave
/// (<c>X-End-User</c>, <c>X-Purpose</c>). Data endpoints require all three; the audit records them.</summary>
/// <param name="Agency">The agency code the API key belongs to.</param>
/// <param name="Kind">The agency's kind.</param>
/// <param name="EndUser">The end user named by the calling system.</param>
/// <param name="Purpose">The stated purpose.</param>
public sealed record RequestParty(string Agency, AgencyKind Kind, string EndUser, string Purpose)
{
    /// <summary>The header naming the end user.</summary>
    public const string EndUserHeader = "X-End-User";

    /// <summary>The header stating the purpose.</summary>
    public const string PurposeHeader = "X-Purpose";

    private const int MaxLength = 200;

    /// <summary>The authenticated agency's code and kind, or null for an anonymous request.</summary>
    public static (string Code, AgencyKind Kind)? AgencyOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } code
        && Enum.TryParse<AgencyKind>(user.FindFirstValue(ApiKeyAuthenticationHandler.AgencyKindClaim), ignoreCase: true, out var kind)
            ? (code, kind)
            : null;

    /// <summary>Reads the party of a request; the problem when a header is missing or unusable. Header values may be
    /// percent-encoded UTF-8, so that Chinese names survive HTTP's Latin-1 headers.</summary>
    public static RequestParty? From(HttpContext context, out string? problem)
    {
        problem = null;
        if (AgencyOf(context.User) is not var (code, kind))
        {
            problem = "the request is not authenticated.";
            return null;
        }

        // A signed-in member of staff is the end user: the account, whatever a header says.
        var endUser = GovShare.Lake.QueryApi.Staff.StaffPrincipal.Account(context.User) ?? Header(context, EndUserHeader, ref problem);
        var purpose = Header(context, PurposeHeader, ref problem);
        return problem is null ? new RequestParty(code, kind, endUser!, purpose!) : null;
    }

    /// <summary>A header as the audit records it: percent-decoded, or null when absent (no checks: the endpoints that
    /// call this do not require the header).</summary>
    public static string? Optional(HttpContext context, string name) => Decoded(context, name) is { Length: > 0 } value ? value : null;

    private static string Decoded(HttpContext context, string name)
    {
        var raw = context.Request.Headers[name].ToString().Trim();
        try
        {
            return Uri.UnescapeDataString(raw).Trim();
        }
        catch (UriFormatException)
        {
            return raw;
        }
    }

    private static string? Header(HttpContext context, string name, ref string? problem)
    {
        var value = Decoded(context, name);

        if (value.Length == 0)
        {
            problem ??= $"the header {name} is required on data requests: {EndUserHeader} names the person the request is made for, " +
                $"{PurposeHeader} states why (both are recorded in the audit trail; percent-encode non-ASCII text).";
            return null;
        }

        if (value.Length > MaxLength || value.Any(char.IsControl))
        {
            problem ??= $"the header {name} must be at most {MaxLength} characters without control characters.";
            return null;
        }

        return value;
    }
}

/// <summary>Requires <see cref="RequestParty"/> on an endpoint: a 400 problem when a header is missing; the party
/// is then available to the handler through <see cref="RequestPartyExtensions.Party"/>.</summary>
internal sealed partial class RequireRequestParty : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var audit = http.RequestServices.GetRequiredService<GovShare.Lake.Audit.AuditLog>();
        var action = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? http.Request.Path.ToString();
        if (RequestParty.From(http, out var problem) is not { } party)
        {
            // Refused requests are audited too, with whatever identity there is.
            var agency = RequestParty.AgencyOf(http.User)?.Code ?? "-";
            audit.Append(new GovShare.Lake.Audit.AuditEvent(agency, null, null, action, [], null, [], null, "denied", StatusCodes.Status400BadRequest));
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "Who and why are required");
        }

        http.Items[typeof(RequestParty)] = party;
        var scope = new AuditScope();
        http.Items[typeof(AuditScope)] = scope;
        http.Response.OnCompleted(() =>
        {
            var status = http.Response.StatusCode;
            audit.Append(new GovShare.Lake.Audit.AuditEvent(party.Agency, party.EndUser, party.Purpose, action, scope.Resources, scope.QueryHash,
                scope.Subjects, scope.Rows, http.RequestAborted.IsCancellationRequested && status < 400 ? "failed" : AuditScope.OutcomeOf(status), status));
            return Task.CompletedTask;
        });

        // Who asked for what, and why, at Debug until the audit trail records every access in the store (a line per
        // lookup at thousands a second would swamp the console); the path never holds an ID number, the body is not logged.
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("GovShare.Lake.QueryApi.Access");
        LogAccess(logger, party.Agency, party.EndUser, party.Purpose, context.HttpContext.Request.Method, context.HttpContext.Request.Path);
        return await next(context);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Data request by {Agency} for {EndUser} ({Purpose}): {Method} {Path}")]
    private static partial void LogAccess(ILogger logger, string agency, string endUser, string purpose, string method, string path);
}

/// <summary>Access to the request's party.</summary>
public static class RequestPartyExtensions
{
    /// <summary>The party checked by the endpoint's filter.</summary>
    public static RequestParty Party(this HttpContext context) =>
        context.Items[typeof(RequestParty)] as RequestParty
        ?? throw new InvalidOperationException("the endpoint does not require X-End-User and X-Purpose (add .RequireParty()).");

    /// <summary>The audit record of the request, for the handler to fill.</summary>
    public static AuditScope Audit(this HttpContext context) =>
        context.Items[typeof(AuditScope)] as AuditScope
        ?? throw new InvalidOperationException("the endpoint does not require X-End-User and X-Purpose (add .RequireParty()).");

    /// <summary>Data endpoints: authenticated, with the end user and purpose headers.</summary>
    public static TBuilder RequireParty<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization();
        builder.AddEndpointFilter(new RequireRequestParty());
        return builder;
    }
}
