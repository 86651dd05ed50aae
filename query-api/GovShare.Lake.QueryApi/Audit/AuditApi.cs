using GovShare.Lake.Audit;
using GovShare.Lake.Identifiers;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Audit;

/// <summary>An audit entry as the operator reads it.</summary>
/// <param name="Seq">Its number in the chain.</param>
/// <param name="At">When (China time).</param>
/// <param name="Agency">The agency.</param>
/// <param name="EndUser">The end user it named.</param>
/// <param name="Purpose">The purpose given.</param>
/// <param name="Action">The endpoint or command.</param>
/// <param name="Resources">What was touched.</param>
/// <param name="QueryHash">SHA-256 of the statement, for SQL.</param>
/// <param name="Rows">Rows served.</param>
/// <param name="Outcome">allowed, denied or failed.</param>
/// <param name="Status">The HTTP status.</param>
public sealed record AuditEntryView(long Seq, DateTimeOffset At, string Agency, string? EndUser, string? Purpose, string Action,
    IReadOnlyList<string> Resources, string? QueryHash, long? Rows, string Outcome, int Status);

/// <summary><c>POST /api/audit/subject</c> body: one key.</summary>
/// <param name="IdNumber">A resident identity number.</param>
/// <param name="Uscc">A unified social credit code.</param>
public sealed record AuditSubjectRequest(string? IdNumber, string? Uscc);

/// <summary>The audit trail for the operator: filtered listing, and who accessed a person or company, when and why.</summary>
public static class AuditApi
{
    /// <summary>Maps <c>/api/audit</c> and <c>/api/audit/subject</c>.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(QueryApiHost.OperatorPolicy);
        group.MapGet("/", ListAudit)
            .WithName("ListAudit")
            .WithSummary("Audit entries, newest first, filtered by agency, action, outcome and time (operator only)");
        group.MapPost("/subject", AuditSubject)
            .WithName("AuditSubject")
            .WithSummary("Who accessed this person or company, when and why (operator only); the query itself is audited");
        return endpoints;
    }

    internal static async Task<Ok<List<AuditEntryView>>> ListAudit(LakeEngine engine, AuditLog audit,
        [FromQuery] string? agency, [FromQuery] string? action, [FromQuery] string? outcome,
        [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, [FromQuery] int? limit)
    {
        await audit.FlushAsync();
        var found = Entries(engine)
            .Where(e => agency is null || e.Event.Agency == agency)
            .Where(e => action is null || string.Equals(e.Event.Action, action, StringComparison.OrdinalIgnoreCase))
            .Where(e => outcome is null || e.Event.Outcome == outcome)
            .Where(e => from is null || e.At >= from)
            .Where(e => to is null || e.At <= to)
            .Reverse()
            .Take(Math.Clamp(limit ?? 100, 1, 10_000))
            .Select(View)
            .ToList();
        return TypedResults.Ok(found);
    }

    internal static async Task<Results<Ok<List<AuditEntryView>>, ProblemHttpResult>> AuditSubject(AuditSubjectRequest? request, LakeEngine engine, AuditLog audit, HttpContext context)
    {
        string key;
        if (request?.IdNumber is { Length: > 0 } id && request.Uscc is null)
        {
            var check = IdentifierValidator.Default.CheckCitizen(id);
            if (!check.IsValid)
            {
                return TypedResults.Problem($"idNumber is not valid: {check.Reason}", statusCode: StatusCodes.Status400BadRequest, title: "Invalid key");
            }

            key = check.Normalized ?? check.Input;
        }
        else if (request?.Uscc is { Length: > 0 } uscc && request.IdNumber is null)
        {
            var check = IdentifierValidator.Default.CheckUscc(uscc);
            if (!check.IsValid)
            {
                return TypedResults.Problem($"uscc is not valid: {check.Reason}", statusCode: StatusCodes.Status400BadRequest, title: "Invalid key");
            }

            key = check.Normalized ?? check.Input;
        }
        else
        {
            return TypedResults.Problem("give exactly one of idNumber or uscc.", statusCode: StatusCodes.Status400BadRequest, title: "One key needed");
        }

        await audit.FlushAsync();
        var hash = AuditLog.SubjectHash(engine.Layout.Root, key);
        var found = Entries(engine).Where(e => e.Event.Subjects.Contains(hash, StringComparer.Ordinal)).Reverse().Select(View).ToList();

        // Looking at who looked is itself an access to the subject.
        audit.Append(AuditScope.EventOf(context, "AuditSubject", ["audit"], [hash], found.Count, StatusCodes.Status200OK));
        return TypedResults.Ok(found);
    }

    private static IEnumerable<AuditEntry> Entries(LakeEngine engine) =>
        AuditLog.Read(engine.Layout.Root).Where(e => e.Entry is not null).Select(e => e.Entry!);

    private static AuditEntryView View(AuditEntry entry) =>
        new(entry.Seq, ChinaTime.ToChina(entry.At), entry.Event.Agency, entry.Event.EndUser, entry.Event.Purpose, entry.Event.Action,
            entry.Event.Resources, entry.Event.QueryHash, entry.Event.Rows, entry.Event.Outcome, entry.Event.Status);
}
