using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.Quality;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Quality;

/// <summary><c>POST /api/mismatches</c> body.</summary>
/// <param name="EntryId">The catalogue entry the doubted value comes from.</param>
/// <param name="Key">The record's key (ID number, credit code, organisation code, licence number, or the provider's own id).</param>
/// <param name="Attribute">The base attribute (<c>residence_address</c>).</param>
/// <param name="DoubtedValue">The value served that is doubted; leave out when it is missing.</param>
/// <param name="ProposedValue">The value held to be right; leave out when unknown.</param>
/// <param name="ReferenceDate">The date the proposed value holds from, or of the evidence (<c>2031-09-01</c>).</param>
/// <param name="ReporterReference">The reporter's own case number.</param>
/// <param name="Note">Why the value is doubted.</param>
public sealed record MismatchBody(string? EntryId, string? Key, string? Attribute, string? DoubtedValue, string? ProposedValue, DateOnly? ReferenceDate,
    string? ReporterReference, string? Note);

/// <summary><c>POST /api/mismatches/{id}/resolution</c> body.</summary>
/// <param name="Outcome"><c>corrected</c>, <c>rejected</c>, <c>insufficient_information</c> or <c>wrong_provider</c>.</param>
/// <param name="Reasons">Required for <c>rejected</c>; what is missing for <c>insufficient_information</c>.</param>
/// <param name="CorrectingVersion">Required for <c>corrected</c>: the provider table's committed version holding the corrected value.</param>
/// <param name="AuthoritativeEntryId">Required for <c>wrong_provider</c>: the entry of the attribute's authoritative source.</param>
public sealed record ResolutionBody(string? Outcome, string? Reasons, long? CorrectingVersion, string? AuthoritativeEntryId);

/// <summary>A withdrawal's reason or a comment.</summary>
/// <param name="Note">The text.</param>
public sealed record MismatchNoteBody(string? Note);

/// <summary>A mismatch report as the API shows it.</summary>
/// <param name="Id">The report id.</param>
/// <param name="EntryId">The catalogue entry the value comes from (after a reroute: the authoritative one).</param>
/// <param name="BaseTable">The base table.</param>
/// <param name="Key">The record's key (its parties know it: the reporter gave it, the provider holds it).</param>
/// <param name="Attribute">The attribute.</param>
/// <param name="DoubtedValue">The value doubted.</param>
/// <param name="ProposedValue">The value proposed.</param>
/// <param name="ReferenceDate">The reference date.</param>
/// <param name="ReporterReference">The reporter's case number.</param>
/// <param name="Note">The reporter's note.</param>
/// <param name="Reporter">The reporting agency.</param>
/// <param name="AlsoReportedBy">Other agencies that reported the same difference.</param>
/// <param name="Source"><c>consumer</c> or the check that raised it.</param>
/// <param name="Provider">The agency responsible for verifying it now.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="IsOpen">True while reported or in verification.</param>
/// <param name="ReportedAt">When it was filed.</param>
/// <param name="Due">When the current provider's verification is due (3 working days).</param>
/// <param name="Overdue">True when it is still in verification past <paramref name="Due"/> (whether or not the deadline watcher has run).</param>
/// <param name="Escalated">True once the deadline watcher escalated it to the operator.</param>
/// <param name="EscalatedAt">When.</param>
/// <param name="ResolvedAt">When it was corrected, rejected, found insufficient or withdrawn.</param>
/// <param name="CorrectingVersion">The provider table version holding the correction.</param>
/// <param name="Reasons">The provider's reasons.</param>
/// <param name="RoutedFrom">The entries it was rerouted away from.</param>
/// <param name="History">Every step: when, who, what, from and to which status, the note.</param>
public sealed record MismatchView(string Id, string EntryId, string BaseTable, string Key, string Attribute, string? DoubtedValue, string? ProposedValue,
    DateOnly? ReferenceDate, string? ReporterReference, string? Note, string Reporter, IReadOnlyList<string> AlsoReportedBy, string Source, string Provider,
    MismatchStatus Status, bool IsOpen, DateTimeOffset ReportedAt, DateTimeOffset? Due, bool Overdue, bool Escalated, DateTimeOffset? EscalatedAt,
    DateTimeOffset? ResolvedAt, long? CorrectingVersion, string? Reasons, IReadOnlyList<string> RoutedFrom, IReadOnlyList<MismatchEvent> History);

/// <summary>Mismatch reports (ZZ 21, GZ 22, XY 12, XY 19): a consumer reports a value it doubts, the provider verifies it
/// within 3 working days. Reports hold keys and personal values, so every endpoint is a data endpoint (<c>X-End-User</c>
/// and <c>X-Purpose</c>); every call is audited with the entries touched and the keys as keyed hashes.</summary>
public static class MismatchApi
{
    /// <summary>Maps <c>/api/mismatches</c>.</summary>
    public static IEndpointRouteBuilder MapMismatchApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/mismatches").WithTags("Quality").RequireParty();
        group.MapPost("/", Report).WithName("ReportMismatch")
            .WithSummary("Report a shared value as wrong: sent to the entry's provider, due in 3 working days; the same difference while open answers 200 with the existing report");
        group.MapGet("/", List).WithName("ListMismatches")
            .WithSummary("Reports against this agency, filed by it, or (the operator) all; filters status, provider, entry, escalated, open");
        group.MapGet("/{id}", Get).WithName("GetMismatch").WithSummary("One report with its history");
        group.MapPost("/{id}/resolution", Resolve).WithName("ResolveMismatch")
            .WithSummary("The provider's answer: corrected (correctingVersion), rejected (reasons), insufficient_information, or wrong_provider (authoritativeEntryId: rerouted)");
        group.MapPost("/{id}/withdrawal", Withdraw).WithName("WithdrawMismatch").WithSummary("The reporter withdraws its open report");
        group.MapPost("/{id}/comments", Comment).WithName("CommentMismatch").WithSummary("A comment by the reporter, the provider or the operator");
        return endpoints;
    }

    internal static Results<Created<MismatchView>, Ok<MismatchView>, ProblemHttpResult> Report(MismatchBody? body, HttpContext context, MismatchWorkflow workflow,
        IOptions<LakeOptions> lake)
    {
        if (body is null)
        {
            return TypedResults.Problem("send {\"entryId\", \"key\", \"attribute\", \"doubtedValue\", \"proposedValue\", ...} as JSON.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid input");
        }

        if (body.EntryId is { Length: > 0 } entry)
        {
            context.Audit().Touch([entry.Trim()]);
        }

        try
        {
            var filing = workflow.Report(context.Party().Agency, new MismatchClaim(body.EntryId, body.Key, body.Attribute, body.DoubtedValue, body.ProposedValue,
                body.ReferenceDate, body.ReporterReference, body.Note));
            var view = Served(context, lake, workflow, filing.Report);
            return filing.IsNew ? TypedResults.Created($"/api/mismatches/{filing.Report.Id}", view) : TypedResults.Ok(view);
        }
        catch (LakeException ex)
        {
            return Problems.From(ex);
        }
    }

    internal static Results<Ok<List<MismatchView>>, ProblemHttpResult> List(HttpContext context, MismatchWorkflow workflow, IPlatformStore store, IOptions<LakeOptions> lake,
        [FromQuery] string? status, [FromQuery] string? provider, [FromQuery] string? entry, [FromQuery] bool? escalated, [FromQuery] bool? open)
    {
        MismatchStatus? wanted = null;
        if (status is { Length: > 0 })
        {
            if (!TryParseStatus(status, out var parsed))
            {
                return TypedResults.Problem($"status: '{status}' is not a status; use {string.Join(", ", Enum.GetValues<MismatchStatus>().Select(Name))}.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", extensions: new Dictionary<string, object?> { ["field"] = "status" });
            }

            wanted = parsed;
        }

        if (Caller(context, store) is not { } agency)
        {
            return Unknown(context);
        }

        var reports = store.ListMismatchReports(new MismatchFilter(wanted, provider, entry, escalated, open ?? false))
            .Where(r => MismatchWorkflow.MayRead(r, agency)).ToList();
        var audit = context.Audit();
        audit.Rows = reports.Count;
        return TypedResults.Ok(reports.Select(r => Served(context, lake, workflow, r)).ToList());
    }

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Get(string id, HttpContext context, MismatchWorkflow workflow, IPlatformStore store, IOptions<LakeOptions> lake)
    {
        if (Caller(context, store) is not { } agency)
        {
            return Unknown(context);
        }

        return store.FindMismatchReport(id) is { } report && MismatchWorkflow.MayRead(report, agency)
            ? TypedResults.Ok(Served(context, lake, workflow, report))
            : TypedResults.Problem($"there is no mismatch report '{id}' visible to {agency.Code}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
    }

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Resolve(string id, ResolutionBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake)
    {
        if (!TryParseStatus(body?.Outcome, out var outcome) || outcome is MismatchStatus.Reported or MismatchStatus.InVerification or MismatchStatus.Withdrawn)
        {
            return TypedResults.Problem($"outcome: '{body?.Outcome}' is not an answer; use corrected, rejected, insufficient_information or wrong_provider.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", extensions: new Dictionary<string, object?> { ["field"] = "outcome" });
        }

        return Step(context, workflow, store, lake, id, agency =>
            workflow.Resolve(id, agency, new MismatchResolution(outcome, body!.Reasons, body.CorrectingVersion, body.AuthoritativeEntryId)));
    }

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Withdraw(string id, MismatchNoteBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake) =>
        Step(context, workflow, store, lake, id, agency => workflow.Withdraw(id, agency, body?.Note));

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Comment(string id, MismatchNoteBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake) =>
        Step(context, workflow, store, lake, id, agency => workflow.Comment(id, agency, body?.Note));

    // One step of a report's life by the calling agency; the lake's refusals become problems.
    private static Results<Ok<MismatchView>, ProblemHttpResult> Step(HttpContext context, MismatchWorkflow workflow, IPlatformStore store, IOptions<LakeOptions> lake,
        string id, Func<Agency, MismatchReport> step)
    {
        if (Caller(context, store) is not { } agency)
        {
            return Unknown(context);
        }

        if (store.FindMismatchReport(id) is { } before)
        {
            // The entry and the key are audited for refused steps too: someone tried to act on this record.
            context.Audit().Touch([before.EntryId, "mismatch:" + before.Id]);
            context.Audit().Subject(lake.Value.FullPath, before.Key);
        }

        try
        {
            return TypedResults.Ok(Served(context, lake, workflow, step(agency)));
        }
        catch (LakeException ex)
        {
            return Problems.From(ex);
        }
    }

    // A report served: its entry, id and key (as a keyed hash) go into the audit record of the call.
    private static MismatchView Served(HttpContext context, IOptions<LakeOptions> lake, MismatchWorkflow workflow, MismatchReport report)
    {
        var audit = context.Audit();
        audit.Touch([report.EntryId, "mismatch:" + report.Id]);
        audit.Subject(lake.Value.FullPath, report.Key);
        var now = workflow.Clock.GetUtcNow();
        return new MismatchView(report.Id, report.EntryId, report.BaseTable, report.Key, report.Attribute, report.DoubtedValue, report.ProposedValue,
            report.ReferenceDate, report.ReporterReference, report.Note, report.Reporter, report.AlsoReportedBy, report.Source, report.Provider,
            report.Status, report.IsOpen, report.ReportedAt, report.Due, report.Status == MismatchStatus.InVerification && report.Due <= now, report.Escalated,
            report.EscalatedAt, report.ResolvedAt, report.CorrectingVersion, report.Reasons, report.RoutedFrom, report.History);
    }

    private static Agency? Caller(HttpContext context, IPlatformStore store) => store.FindAgency(context.Party().Agency);

    private static ProblemHttpResult Unknown(HttpContext context) =>
        TypedResults.Problem($"the agency {context.Party().Agency} is not registered.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    private static bool TryParseStatus(string? text, out MismatchStatus status)
    {
        var name = text?.Trim().ToLowerInvariant();
        status = Enum.GetValues<MismatchStatus>().FirstOrDefault(s => Name(s) == name);
        return Enum.GetValues<MismatchStatus>().Any(s => Name(s) == name);
    }

    private static string Name(MismatchStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
