using System.Text;
using GovShare.Lake.Audit;
using GovShare.Lake.Freshness;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Calendar;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.Scorecards;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Scorecards;

/// <summary>Provider scorecards and usage reports (ZZ 31, GZ 30, XY 27), worked out on request from the delivery log,
/// the freshness rules, mismatch reports and the audit trail. The operator sees every agency; an agency its own
/// scorecard and its own use.</summary>
public static class ScorecardsApi
{
    /// <summary>Maps <c>/api/scorecards</c> and <c>/api/scorecards/report</c>.</summary>
    public static IEndpointRouteBuilder MapScorecardsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/scorecards").WithTags("Scorecards").RequireAuthorization();
        group.MapGet("/", GetScorecards).WithName("GetScorecards")
            .WithSummary("Per providing agency and period (2026, 2026-Q3, 2026-07): deliveries, rows, on-time rate, freshness, quarantine rate, " +
                "mismatch reports, use by others; per agency: its use by purpose. JSON, or CSV (?format=csv&table=providers|datasets|consumers|purposes)");
        group.MapGet("/report", GetReport).WithName("GetEvaluationReport")
            .WithSummary("The evaluation report of a period as one HTML page to publish (?lang=en for English; operator only)")
            .RequireAuthorization(QueryApiHost.OperatorPolicy);
        return endpoints;
    }

    internal static async Task<IResult> GetScorecards(HttpContext context, IPlatformStore store, AuditLog audit, CalendarService calendar,
        FreshnessOptions freshness, IOptions<LakeOptions> lake, TimeProvider clock, [FromQuery] string? period, [FromQuery] string? agency, [FromQuery] string? format,
        [FromQuery] string? table)
    {
        var status = StatusCodes.Status200OK;
        try
        {
            if (RequestParty.AgencyOf(context.User) is not var (caller, kind))
            {
                status = StatusCodes.Status401Unauthorized;
                return TypedResults.Unauthorized();
            }

            var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) ||
                (format is null && context.Request.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true));
            if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            {
                status = StatusCodes.Status400BadRequest;
                return Problem($"format '{format}' is not json or csv.", status, "Unknown format");
            }

            table ??= "providers";
            if (csv && !ScorecardFormats.Tables.Contains(table))
            {
                status = StatusCodes.Status400BadRequest;
                return Problem($"table '{table}' is not one of {string.Join(", ", ScorecardFormats.Tables)}.", status, "Unknown table");
            }

            // An agency reads its own record; which other agencies used its data is part of it (XY 27), their purposes are not.
            if (agency is not null && agency != caller && kind != AgencyKind.Operator)
            {
                status = StatusCodes.Status403Forbidden;
                return Problem($"only the operator may read another agency's scorecard ({agency}).", status, "Forbidden");
            }

            if (await Build(store, audit, calendar, freshness, lake.Value.FullPath, clock, period) is not { } cards)
            {
                status = StatusCodes.Status400BadRequest;
                return Problem(ScorecardPeriod.Parse(period, out var problem) is null ? problem! : "unreadable period", status, "Invalid period");
            }

            var only = kind == AgencyKind.Operator ? agency : caller;
            if (only is not null)
            {
                cards = cards with
                {
                    Providers = cards.Providers.Where(p => p.Agency == only).ToList(),
                    Consumers = cards.Consumers.Where(c => c.Agency == only).ToList(),
                };
            }

            var file = $"scorecards-{cards.Period}{(only is null ? "" : "-" + only)}";
            if (csv)
            {
                context.Response.Headers.ContentDisposition = $"attachment; filename=\"{file}-{table}.csv\"";

                // With a byte-order mark, so that spreadsheet programs on Chinese Windows read UTF-8.
                return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ScorecardFormats.Csv(cards, table))).ToArray(), "text/csv; charset=utf-8");
            }

            return TypedResults.Ok(cards);
        }
        finally
        {
            audit.Append(AuditScope.EventOf(context, "GetScorecards", ["scorecards:" + (period ?? "current") + (agency is null ? "" : ":" + agency)], [], null, status));
        }
    }

    internal static async Task<IResult> GetReport(HttpContext context, IPlatformStore store, AuditLog audit, CalendarService calendar,
        FreshnessOptions freshness, IOptions<LakeOptions> lake, TimeProvider clock, [FromQuery] string? period, [FromQuery] string? lang)
    {
        var status = StatusCodes.Status200OK;
        try
        {
            if (lang is not null and not ("zh" or "zh-CN" or "en"))
            {
                status = StatusCodes.Status400BadRequest;
                return Problem($"lang '{lang}' is not zh-CN or en.", status, "Unknown language");
            }

            if (await Build(store, audit, calendar, freshness, lake.Value.FullPath, clock, period) is not { } cards)
            {
                status = StatusCodes.Status400BadRequest;
                ScorecardPeriod.Parse(period, out var problem);
                return Problem(problem ?? "unreadable period", status, "Invalid period");
            }

            return TypedResults.Content(ScorecardFormats.Html(cards, lang == "en"), "text/html; charset=utf-8");
        }
        finally
        {
            audit.Append(AuditScope.EventOf(context, "GetEvaluationReport", ["scorecards:" + (period ?? "current")], [], null, status));
        }
    }

    // Null when the period cannot be read. The audit trail is flushed first: requests answered a moment ago count.
    private static async Task<GovShare.Lake.Scorecards.Scorecards?> Build(IPlatformStore store, AuditLog audit, CalendarService calendar,
        FreshnessOptions freshness, string lake, TimeProvider clock, string? period)
    {
        var now = clock.GetUtcNow();
        if (ScorecardPeriod.Parse(period ?? ChinaTime.ToChina(now).Year.ToString(System.Globalization.CultureInfo.InvariantCulture), out _) is not { } parsed)
        {
            return null;
        }

        await audit.FlushAsync();
        return new ScorecardBuilder(store, lake, calendar.Calendar, freshness).Build(parsed, ScorecardBuilder.MismatchFacts(store), now);
    }

    private static ProblemHttpResult Problem(string detail, int status, string title) => TypedResults.Problem(detail, statusCode: status, title: title);
}
