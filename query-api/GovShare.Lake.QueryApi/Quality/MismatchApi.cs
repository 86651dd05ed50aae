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

/// <summary>A withdrawal's reason, a comment, or a reviewer's note on a confirmation.</summary>
/// <param name="Note">The text.</param>
public sealed record MismatchNoteBody(string? Note);

/// <summary><c>POST /api/mismatches/{id}/dismissal</c> body.</summary>
/// <param name="Reason">Required: why the difference is benign (kept as a label for the classifier).</param>
public sealed record DismissalBody(string? Reason);

/// <summary><c>POST /api/mismatches/{id}/reroute</c> body.</summary>
/// <param name="EntryId">The entry to send the report to: the attribute's authoritative one, feeding the same base table.</param>
/// <param name="Note">Why.</param>
public sealed record RerouteBody(string? EntryId, string? Note);

/// <summary>The two values a report compares, raw and (from a check's finding) normalised.</summary>
/// <param name="Doubted">The value doubted, raw.</param>
/// <param name="DoubtedNormalised">As the check normalised it; null for a consumer's report.</param>
/// <param name="Reference">The value compared with: the finding's reference value, else the value proposed.</param>
/// <param name="ReferenceNormalised">As the check normalised it; null for a consumer's report.</param>
/// <param name="ReferenceEntry">The entry the reference value comes from (a check's); null for a consumer's report.</param>
public sealed record MismatchComparison(string? Doubted, string? DoubtedNormalised, string? Reference, string? ReferenceNormalised, string? ReferenceEntry);

/// <summary>What a consistency check found, as the API shows it.</summary>
/// <param name="Class">material_conflict, mis_keyed, minor_variant, equivalent or missing.</param>
/// <param name="Score">The model's probability of the class.</param>
/// <param name="ReferenceEntry">The other provider's entry compared with.</param>
/// <param name="ReferenceValue">Its raw value.</param>
/// <param name="NormalisedDoubted">The doubted value normalised.</param>
/// <param name="NormalisedReference">The reference value normalised.</param>
/// <param name="Reasons">The reasons, strongest first: feature, value, contribution, in Chinese and English.</param>
/// <param name="ExplanationZh">In plain Chinese words.</param>
/// <param name="ExplanationEn">In plain English words.</param>
/// <param name="ModelVersion">The classifier's version.</param>
/// <param name="SuggestedKey">For mis_keyed: the most likely right key.</param>
public sealed record MismatchFindingView(string Class, double Score, string ReferenceEntry, string? ReferenceValue, string? NormalisedDoubted,
    string? NormalisedReference, IReadOnlyList<FindingReason> Reasons, string ExplanationZh, string ExplanationEn, string ModelVersion, string? SuggestedKey);

/// <summary>A page of reports.</summary>
/// <param name="Items">The reports on this page.</param>
/// <param name="Total">How many the filters select (of those the agency may see).</param>
/// <param name="Offset">Reports before this page.</param>
/// <param name="Limit">The most a page holds.</param>
/// <param name="NextOffset">The offset of the next page; null on the last.</param>
public sealed record MismatchListView(IReadOnlyList<MismatchView> Items, int Total, int Offset, int Limit, int? NextOffset);

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
/// <param name="Comparison">Both values, raw and normalised.</param>
/// <param name="Finding">A check's finding: class, score, reasons, explanation; null for a consumer's report.</param>
public sealed record MismatchView(string Id, string EntryId, string BaseTable, string Key, string Attribute, string? DoubtedValue, string? ProposedValue,
    DateOnly? ReferenceDate, string? ReporterReference, string? Note, string Reporter, IReadOnlyList<string> AlsoReportedBy, string Source, string Provider,
    MismatchStatus Status, bool IsOpen, DateTimeOffset ReportedAt, DateTimeOffset? Due, bool Overdue, bool Escalated, DateTimeOffset? EscalatedAt,
    DateTimeOffset? ResolvedAt, long? CorrectingVersion, string? Reasons, IReadOnlyList<string> RoutedFrom, IReadOnlyList<MismatchEvent> History,
    MismatchComparison Comparison, MismatchFindingView? Finding);

/// <summary>Mismatch reports (ZZ 21, GZ 22, XY 12, XY 19): a consumer reports a value it doubts, the provider verifies it
/// within 3 working days; a consistency check's report waits for the operator's data-quality reviewers, who confirm,
/// dismiss or reroute it. Reports hold keys and personal values, so every endpoint is a data endpoint (<c>X-End-User</c>
/// and <c>X-Purpose</c>); every call is audited with the entries touched and the keys as keyed hashes.</summary>
public static class MismatchApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    private static readonly string[] BaseDatabases = GovShare.Lake.BaseDatabases.BaseDatabaseCatalog.All.Select(t => t.Database).Distinct(StringComparer.Ordinal).ToArray();

    private static readonly Dictionary<string, MismatchOrder> Sorts = new(StringComparer.Ordinal)
    {
        ["due"] = MismatchOrder.Due, ["reported"] = MismatchOrder.Reported, ["-reported"] = MismatchOrder.ReportedDescending, ["-score"] = MismatchOrder.Score,
    };

    /// <summary>Maps <c>/api/mismatches</c>.</summary>
    public static IEndpointRouteBuilder MapMismatchApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/mismatches").WithTags("Quality").RequireParty();
        group.MapPost("/", Report).WithName("ReportMismatch")
            .WithSummary("Report a shared value as wrong: sent to the entry's provider, due in 3 working days; the same difference while open answers 200 with the existing report");
        group.MapGet("/", List).WithName("ListMismatches")
            .WithSummary("Reports sent to this agency, filed by it or that it took part in, or (the operator) all; filters status (repeatable or comma list), " +
                "provider, entry, baseDatabase, class, minScore, source (consumer|check), escalated, open; limit, offset; sort due (default), reported, -reported, -score");
        group.MapGet("/{id}", Get).WithName("GetMismatch").WithSummary("One report with its history");
        group.MapPost("/{id}/resolution", Resolve).WithName("ResolveMismatch")
            .WithSummary("The provider's answer: corrected (correctingVersion), rejected (reasons), insufficient_information, or wrong_provider (authoritativeEntryId: rerouted)");
        group.MapPost("/{id}/withdrawal", Withdraw).WithName("WithdrawMismatch").WithSummary("The reporter withdraws its open report");
        group.MapPost("/{id}/comments", Comment).WithName("CommentMismatch").WithSummary("A comment by the reporter, the provider or the operator");
        group.MapPost("/{id}/confirmation", Confirm).WithName("ConfirmMismatch")
            .WithSummary("A data-quality reviewer (the operator) confirms a check's report awaiting review: sent to the provider, due in 3 working days");
        group.MapPost("/{id}/dismissal", Dismiss).WithName("DismissMismatch")
            .WithSummary("A data-quality reviewer (the operator) dismisses a check's report awaiting review as benign, with a reason");
        group.MapPost("/{id}/reroute", Reroute).WithName("RerouteMismatch")
            .WithSummary("A data-quality reviewer (the operator) sends a report awaiting review or in verification to another entry's provider (entryId)");
        return endpoints;
    }

    internal static Results<Created<MismatchView>, Ok<MismatchView>, ProblemHttpResult> Report(MismatchBody? body, HttpContext context, MismatchWorkflow workflow,
        IOptions<LakeOptions> lake, OpenMismatches open)
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
            open.Changed();
            var view = Served(context, lake, workflow, filing.Report);
            return filing.IsNew ? TypedResults.Created($"/api/mismatches/{filing.Report.Id}", view) : TypedResults.Ok(view);
        }
        catch (LakeException ex)
        {
            return Problems.From(ex);
        }
    }

    internal static Results<Ok<MismatchListView>, ProblemHttpResult> List(HttpContext context, MismatchWorkflow workflow, IPlatformStore store, IOptions<LakeOptions> lake,
        [FromQuery] string[]? status, [FromQuery] string? provider, [FromQuery] string? entry, [FromQuery] bool? escalated, [FromQuery] bool? open,
        [FromQuery] string? baseDatabase, [FromQuery(Name = "class")] string? findingClass, [FromQuery] double? minScore, [FromQuery] string? source,
        [FromQuery] int? limit, [FromQuery] int? offset, [FromQuery] string? sort)
    {
        var statuses = new List<MismatchStatus>();
        foreach (var name in (status ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!TryParseStatus(name, out var parsed))
            {
                return Invalid("status", $"status: '{name}' is not a status; use {string.Join(", ", Enum.GetValues<MismatchStatus>().Select(Name))}.");
            }

            statuses.Add(parsed);
        }

        if (baseDatabase is { Length: > 0 } && !BaseDatabases.Contains(baseDatabase, StringComparer.Ordinal))
        {
            return Invalid("baseDatabase", $"baseDatabase: '{baseDatabase}' is not a base database; use {string.Join(", ", BaseDatabases)}.");
        }

        if (findingClass is { Length: > 0 } && !MismatchFinding.Classes.Contains(findingClass, StringComparer.Ordinal))
        {
            return Invalid("class", $"class: '{findingClass}' is not a class; use {string.Join(", ", MismatchFinding.Classes)}.");
        }

        if (minScore is { } score && (!double.IsFinite(score) || score is < 0 or > 1))
        {
            return Invalid("minScore", "minScore must be between 0 and 1.");
        }

        if (source is { Length: > 0 } && source is not (MismatchWorkflow.ConsumerSource or "check"))
        {
            return Invalid("source", $"source: '{source}' is not a source; use consumer or check.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Invalid("limit", $"limit must be 1 to {MaxLimit}.");
        }

        if (offset is < 0)
        {
            return Invalid("offset", "offset must not be negative.");
        }

        var order = MismatchOrder.Due;
        if (sort is { Length: > 0 } && !Sorts.TryGetValue(sort, out order))
        {
            return Invalid("sort", $"sort: '{sort}' is not an order; use {string.Join(", ", Sorts.Keys)}.");
        }

        if (Caller(context, store) is not { } agency)
        {
            return Unknown(context);
        }

        var filter = new MismatchFilter(null, provider, entry, escalated, open ?? false)
        {
            Statuses = statuses,
            BaseDatabase = baseDatabase is { Length: > 0 } ? baseDatabase : null,
            Class = findingClass is { Length: > 0 } ? findingClass : null,
            MinScore = minScore,
            SourceKind = source is { Length: > 0 } ? source : null,

            // The operator's reviewers see all; others what reached them, what they filed, what they took part in.
            VisibleTo = agency.Kind == AgencyKind.Operator ? null : agency.Code,
        };
        var (take, skip) = (limit ?? DefaultLimit, offset ?? 0);
        var page = store.ListMismatchReports(filter, order, take, skip);
        var audit = context.Audit();
        audit.Rows = page.Reports.Count;
        var items = page.Reports.Select(r => Served(context, lake, workflow, r)).ToList();
        return TypedResults.Ok(new MismatchListView(items, page.Total, skip, take, skip + items.Count < page.Total ? skip + items.Count : null));
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
        IOptions<LakeOptions> lake, OpenMismatches open)
    {
        if (!TryParseStatus(body?.Outcome, out var outcome) || outcome is MismatchStatus.Reported or MismatchStatus.InVerification or MismatchStatus.Withdrawn)
        {
            return TypedResults.Problem($"outcome: '{body?.Outcome}' is not an answer; use corrected, rejected, insufficient_information or wrong_provider.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", extensions: new Dictionary<string, object?> { ["field"] = "outcome" });
        }

        return Step(context, workflow, store, lake, open, id, agency =>
            workflow.Resolve(id, agency, new MismatchResolution(outcome, body!.Reasons, body.CorrectingVersion, body.AuthoritativeEntryId)));
    }

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Withdraw(string id, MismatchNoteBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake, OpenMismatches open) =>
        Step(context, workflow, store, lake, open, id, agency => workflow.Withdraw(id, agency, body?.Note));

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Comment(string id, MismatchNoteBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake, OpenMismatches open) =>
        Step(context, workflow, store, lake, open, id, agency => workflow.Comment(id, agency, body?.Note));

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Confirm(string id, MismatchNoteBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake, OpenMismatches open) =>
        Step(context, workflow, store, lake, open, id, agency => workflow.Confirm(id, agency, body?.Note));

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Dismiss(string id, DismissalBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake, OpenMismatches open) =>
        string.IsNullOrWhiteSpace(body?.Reason)
            ? Refused(context, store, lake, id,
                Invalid("reason", "reason is required: why the difference is benign (send {\"reason\": \"...\"}; it is kept as a label for the classifier)."))
            : Step(context, workflow, store, lake, open, id, agency => workflow.Dismiss(id, agency, body.Reason));

    internal static Results<Ok<MismatchView>, ProblemHttpResult> Reroute(string id, RerouteBody? body, HttpContext context, MismatchWorkflow workflow, IPlatformStore store,
        IOptions<LakeOptions> lake, OpenMismatches open) =>
        Step(context, workflow, store, lake, open, id, agency => workflow.Reroute(id, agency, body?.EntryId, body?.Note));

    // One step of a report's life by the calling agency; the lake's refusals become problems. A step done changes what
    // the lookups mark and the quality schema shows: both are read again at once.
    private static Results<Ok<MismatchView>, ProblemHttpResult> Step(HttpContext context, MismatchWorkflow workflow, IPlatformStore store, IOptions<LakeOptions> lake,
        OpenMismatches open, string id, Func<Agency, MismatchReport> step)
    {
        if (Caller(context, store) is not { } agency)
        {
            return Unknown(context);
        }

        AuditReport(context, store, lake, id);

        try
        {
            var done = step(agency);
            open.Changed();
            return TypedResults.Ok(Served(context, lake, workflow, done));
        }
        catch (LakeException ex)
        {
            return Problems.From(ex);
        }
    }

    // A step refused before it reached the workflow, audited like one refused by it.
    private static ProblemHttpResult Refused(HttpContext context, IPlatformStore store, IOptions<LakeOptions> lake, string id, ProblemHttpResult problem)
    {
        AuditReport(context, store, lake, id);
        return problem;
    }

    // The entry and the key are audited for refused steps too: someone tried to act on this record.
    private static void AuditReport(HttpContext context, IPlatformStore store, IOptions<LakeOptions> lake, string id)
    {
        if (store.FindMismatchReport(id) is { } before)
        {
            context.Audit().Touch([before.EntryId, "mismatch:" + before.Id]);
            context.Audit().Subject(lake.Value.FullPath, before.Key);
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
            report.EscalatedAt, report.ResolvedAt, report.CorrectingVersion, report.Reasons, report.RoutedFrom, report.History,
            new MismatchComparison(report.DoubtedValue, report.Finding?.NormalisedDoubted, report.Finding?.ReferenceValue ?? report.ProposedValue,
                report.Finding?.NormalisedReference, report.Finding?.ReferenceEntry),
            report.Finding is { } f
                ? new MismatchFindingView(f.Class, f.Score, f.ReferenceEntry, f.ReferenceValue, f.NormalisedDoubted, f.NormalisedReference, f.Reasons, f.ExplanationZh,
                    f.ExplanationEn, f.ModelVersion, f.SuggestedKey)
                : null);
    }

    private static Agency? Caller(HttpContext context, IPlatformStore store) => store.FindAgency(context.Party().Agency);

    private static ProblemHttpResult Invalid(string field, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid input", extensions: new Dictionary<string, object?> { ["field"] = field });

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
