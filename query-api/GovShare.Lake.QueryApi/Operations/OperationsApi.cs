using GovShare.Lake.Audit;
using GovShare.Lake.Freshness;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Operations;

/// <summary>A webhook registration.</summary>
/// <param name="Url">The http(s) URL notifications are POSTed to as JSON; null removes it.</param>
public sealed record WebhookBody(string? Url);

/// <summary>What the scheduled jobs found and did, as the platform store records it (the jobs run in the
/// <c>govshare serve</c> process; this API only reads): freshness against update deadlines, notifications, webhooks,
/// job runs.</summary>
public static class OperationsApi
{
    /// <summary>Maps <c>/api/freshness</c>, <c>/api/notifications</c>, <c>/api/agencies/{code}/webhook</c> and <c>/api/jobs/runs</c>.</summary>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api").WithTags("Operations").RequireAuthorization();
        group.MapGet("/freshness", ListFreshness).WithName("ListFreshness")
            .WithSummary("Every catalogue entry against its update deadline at the last check: fresh, due, overdue or delinquent (filter by provider, state)");
        group.MapGet("/notifications", ListNotifications).WithName("ListNotifications")
            .WithSummary("This agency's notifications, newest first (the operator: every agency's, or ?agency=)");
        group.MapPut("/agencies/{code}/webhook", SetWebhook).WithName("SetWebhook")
            .WithSummary("Where the agency's notifications are POSTed as JSON (the agency itself or the operator); {\"url\": null} removes it");
        group.MapGet("/jobs/runs", ListJobRuns).WithName("ListJobRuns").WithSummary("Scheduled job runs, newest first (operator only)")
            .RequireAuthorization(QueryApiHost.OperatorPolicy);
        return endpoints;
    }

    internal static IResult ListFreshness(IPlatformStore store, [FromQuery] string? provider, [FromQuery] string? state)
    {
        if (state is not null && !Enum.TryParse<FreshnessState>(state, ignoreCase: true, out _))
        {
            return TypedResults.Problem($"state '{state}' is not one of fresh, due, overdue, delinquent.", statusCode: StatusCodes.Status400BadRequest, title: "Unknown state");
        }

        return TypedResults.Ok(store.ListFreshness()
            .Where(r => provider is null || r.Status.Provider == provider)
            .Where(r => state is null || string.Equals(r.Status.State.ToString(), state, StringComparison.OrdinalIgnoreCase))
            .ToList());
    }

    internal static IResult ListNotifications(HttpContext context, IPlatformStore store, [FromQuery] string? agency, [FromQuery] int? limit)
    {
        if (RequestParty.AgencyOf(context.User) is not var (code, kind))
        {
            return TypedResults.Unauthorized();
        }

        var whose = kind == AgencyKind.Operator ? agency : code;
        return TypedResults.Ok(store.ListNotifications(whose, Math.Clamp(limit ?? 100, 1, 10_000)));
    }

    internal static IResult SetWebhook(string code, WebhookBody? body, HttpContext context, IPlatformStore store, AuditLog audit, TimeProvider clock)
    {
        var status = StatusCodes.Status200OK;
        try
        {
            if (RequestParty.AgencyOf(context.User) is not var (caller, kind) || (caller != code && kind != AgencyKind.Operator))
            {
                status = StatusCodes.Status403Forbidden;
                return TypedResults.Problem($"only {code} itself or the operator may set its webhook.", statusCode: status, title: "Forbidden");
            }

            if (store.FindAgency(code) is null)
            {
                status = StatusCodes.Status404NotFound;
                return TypedResults.Problem($"there is no agency '{code}'.", statusCode: status, title: "Not found");
            }

            Uri? url = null;
            if (body?.Url is { Length: > 0 } text && (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
            {
                status = StatusCodes.Status400BadRequest;
                return TypedResults.Problem($"url '{text}' is not an absolute http or https URL.", statusCode: status, title: "Invalid url");
            }

            store.SetWebhook(code, url, clock.GetUtcNow());
            return TypedResults.Ok(new { agency = code, url = url?.ToString() });
        }
        finally
        {
            audit.Append(AuditScope.EventOf(context, "SetWebhook", ["agency:" + code], [], null, status));
        }
    }

    internal static IResult ListJobRuns(IPlatformStore store, [FromQuery] string? job, [FromQuery] int? limit) =>
        TypedResults.Ok(store.ListJobRuns(job, Math.Clamp(limit ?? 100, 1, 10_000)));
}
