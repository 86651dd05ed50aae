using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.Quality;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Quality;

/// <summary>A provider feed anomaly as the API shows it.</summary>
/// <param name="Id">The anomaly's id.</param>
/// <param name="EntryId">The catalogue entry.</param>
/// <param name="Agency">Its providing agency.</param>
/// <param name="BatchId">The delivery.</param>
/// <param name="Metric"><c>rows_read</c>, <c>rows_accepted</c>, <c>quarantine_rate</c> or <c>mismatch_rate</c>.</param>
/// <param name="Value">The delivery's figure: rows, a share (quarantine) or reports per 1 000 rows (mismatches).</param>
/// <param name="Median">The entry's usual figure: the median over its earlier deliveries of the same mode.</param>
/// <param name="Mad">The median absolute deviation from it.</param>
/// <param name="Score">How far out, in robust standard deviations (volumes on the log scale); negative below the usual.</param>
/// <param name="Direction"><c>drop</c> or <c>surge</c>.</param>
/// <param name="DeliveredAt">When the delivery was committed.</param>
/// <param name="DetectedAt">When the check found it.</param>
/// <param name="ReasonZh">In plain Chinese words.</param>
/// <param name="ReasonEn">In plain English words.</param>
/// <param name="Notified">True once the provider and the operator were told.</param>
public sealed record FeedAnomalyView(string Id, string EntryId, string Agency, string BatchId, string Metric, double Value, double Median, double Mad,
    double Score, string Direction, DateTimeOffset DeliveredAt, DateTimeOffset DetectedAt, string ReasonZh, string ReasonEn, bool Notified);

/// <summary>Provider feed anomalies (issue 8): deliveries far outside their entry's own history in volume, quarantine rate or
/// mismatch rate, as the <c>anomalies</c> job recorded them. The operator sees every agency's; a provider its own; other
/// agencies none. A data endpoint (<c>X-End-User</c>, <c>X-Purpose</c>), audited with the entries served.</summary>
public static class FeedAnomaliesApi
{
    private const int DefaultLimit = 1000;
    private const int MaxLimit = 10_000;

    /// <summary>Maps <c>/api/quality/anomalies</c>.</summary>
    public static IEndpointRouteBuilder MapFeedAnomaliesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/quality").WithTags("Quality").RequireParty();
        group.MapGet("/anomalies", List).WithName("ListFeedAnomalies")
            .WithSummary("Deliveries far outside their entry's own history (volume, quarantine rate, mismatch rate), newest first: a provider's own, " +
                "or (the operator) every agency's; filters agency, entry, since (yyyy-MM-dd, China time, or an ISO 8601 instant), limit");
        return endpoints;
    }

    internal static Results<Ok<IReadOnlyList<FeedAnomalyView>>, ProblemHttpResult> List(HttpContext context, IPlatformStore store,
        [FromQuery] string? agency, [FromQuery] string? entry, [FromQuery] string? since, [FromQuery] int? limit)
    {
        var audit = context.Audit();
        audit.Touch(["quality.anomalies"]);
        DateTimeOffset? from = null;
        if (since is { Length: > 0 })
        {
            if (!ChinaTime.TryParseInstant(since, out var parsed))
            {
                return Invalid("since", $"since: '{since}' is not a date (yyyy-MM-dd) or an ISO 8601 instant.");
            }

            from = parsed;
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Invalid("limit", $"limit must be 1 to {MaxLimit}.");
        }

        var caller = store.FindAgency(context.Party().Agency);
        if (caller is null || caller.Kind == AgencyKind.Consumer)
        {
            return Forbidden($"{context.Party().Agency} provides no data: feed anomalies are shown to their provider and the operator.");
        }

        if (caller.Kind != AgencyKind.Operator && agency is { Length: > 0 } && agency != caller.Code)
        {
            return Forbidden($"only the operator may read another agency's feed anomalies ({agency}).");
        }

        var whose = caller.Kind == AgencyKind.Operator ? (agency is { Length: > 0 } ? agency : null) : caller.Code;
        var anomalies = store.ListFeedAnomalies(new FeedAnomalyFilter(whose, entry is { Length: > 0 } ? entry : null, from, Limit: limit ?? DefaultLimit));
        audit.Touch(anomalies.Select(a => a.EntryId).Distinct(StringComparer.Ordinal));
        audit.Rows = anomalies.Count;
        return TypedResults.Ok<IReadOnlyList<FeedAnomalyView>>(anomalies.Select(a => new FeedAnomalyView(a.Id, a.EntryId, a.Agency, a.BatchId, a.Metric, a.Value,
            a.Median, a.Mad, a.Score, a.Direction, a.DeliveredAt, a.DetectedAt, a.ReasonZh, a.ReasonEn, a.Notified)).ToList());
    }

    private static ProblemHttpResult Invalid(string field, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", extensions: new Dictionary<string, object?> { ["field"] = field });

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
}
