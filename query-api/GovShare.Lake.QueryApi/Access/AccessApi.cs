using GovShare.Lake.Access;
using GovShare.Lake.Audit;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Access;

/// <summary><c>POST /api/access-requests</c> body.</summary>
/// <param name="EntryId">The catalogue entry id or <c>themes.&lt;id&gt;</c>; leave out for data outside the catalogue.</param>
/// <param name="Purpose">The duty the data serves.</param>
/// <param name="PurposeCategory">The purpose's category (matched against the entry's preset conditions).</param>
/// <param name="Fields">The attributes wanted; all when left out.</param>
/// <param name="Until">When access should end (ISO 8601).</param>
/// <param name="Description">For data outside the catalogue: what is wanted.</param>
public sealed record AccessRequestBody(string? EntryId, string? Purpose, string? PurposeCategory, IReadOnlyList<string>? Fields, DateTimeOffset? Until, string? Description);

/// <summary>A decision: <c>{"approve": false, "reasons": "..."}</c> or <c>{"approve": true, "mask": ["id_number"]}</c>.</summary>
/// <param name="Approve">Approve or refuse.</param>
/// <param name="Reasons">Written reasons (required for a refusal).</param>
/// <param name="Fields">Narrow the attributes granted.</param>
/// <param name="Mask">Attributes to mask; the entry's default when left out.</param>
/// <param name="Until">Shorten the grant.</param>
/// <param name="LegalBasis">Required when the operator grants a not-shared resource.</param>
/// <param name="Provider">For data outside the catalogue: the agency that must supply it within 5 working days.</param>
public sealed record DecisionBody(bool Approve, string? Reasons, IReadOnlyList<string>? Fields, IReadOnlyList<string>? Mask, DateTimeOffset? Until,
    string? LegalBasis, string? Provider);

/// <summary>Reasons for an escalation or a revocation.</summary>
/// <param name="Reasons">The reasons.</param>
public sealed record ReasonsBody(string? Reasons);

/// <summary>Accepting an agreement: the version read.</summary>
/// <param name="Version">The agreement version.</param>
public sealed record AgreementBody(string? Version);

/// <summary>The data-use agreement for a resource and whether the agency has accepted it.</summary>
/// <param name="Resource">The resource.</param>
/// <param name="Version">The version in force.</param>
/// <param name="TextZh">The terms in Chinese.</param>
/// <param name="TextEn">The terms in English.</param>
/// <param name="AcceptedAt">When this agency accepted this version, or null.</param>
public sealed record AgreementView(string Resource, string Version, string TextZh, string TextEn, DateTimeOffset? AcceptedAt);

/// <summary>What the agency may read now.</summary>
/// <param name="Agency">The agency.</param>
/// <param name="Datasets">Readable datasets: id → fields (null: all) and masked fields.</param>
/// <param name="Themes">Readable themes.</param>
/// <param name="Denied">The rest: why, and how to request.</param>
public sealed record AccessView(string Agency, IReadOnlyDictionary<string, ResourceAccessView> Datasets, IReadOnlyDictionary<string, ResourceAccessView> Themes,
    IReadOnlyList<AccessDenialView> Denied);

/// <summary>Access to one resource.</summary>
/// <param name="Fields">The attributes readable; null: all.</param>
/// <param name="Masked">The attributes masked.</param>
public sealed record ResourceAccessView(IReadOnlyList<string>? Fields, IReadOnlyList<string> Masked);

/// <summary>A resource not readable.</summary>
/// <param name="Resource">The resource.</param>
/// <param name="SharingClass">Its class.</param>
/// <param name="Reason">Why.</param>
/// <param name="HowToRequest">How to obtain it.</param>
public sealed record AccessDenialView(string Resource, string SharingClass, string Reason, string HowToRequest);

/// <summary><c>POST /api/catalogue/{id}/sharing-changes</c> body.</summary>
/// <param name="Class">unconditional, conditional or not_shared.</param>
/// <param name="LegalBasis">Required for conditional and not_shared.</param>
/// <param name="Conditions">The conditions, in words.</param>
/// <param name="Mask">Fields masked by default.</param>
/// <param name="AutoApprove">Preset conditions.</param>
/// <param name="Reason">Why the change.</param>
public sealed record SharingChangeBody(string? Class, string? LegalBasis, string? Conditions, IReadOnlyList<string>? Mask, AccessPreset? AutoApprove, string? Reason);

/// <summary>The operator's decision on a sharing change.</summary>
/// <param name="Approve">Approve or refuse.</param>
/// <param name="Reasons">Reasons (required for a refusal).</param>
public sealed record SharingDecisionBody(bool Approve, string? Reasons);

/// <summary>Access requests, data-use agreements, an agency's own access, and sharing-class changes (DOMAIN.md, "Sharing
/// classes and access"). Every call is audited, refused ones too.</summary>
public static class AccessApi
{
    /// <summary>Maps <c>/api/access-requests</c>, <c>/api/access</c> and the sharing-change endpoints.</summary>
    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder endpoints)
    {
        var requests = endpoints.MapGroup("/api/access-requests").WithTags("Access").RequireAuthorization();
        requests.MapPost("/", Submit).WithName("SubmitAccessRequest")
            .WithSummary("Request a conditional or not-shared resource (or data outside the catalogue); approved at once when the entry's preset conditions are met");
        requests.MapGet("/", List).WithName("ListAccessRequests")
            .WithSummary("role=mine (default): this agency's requests; role=inbox: requests it decides (the operator: not-shared, uncatalogued and escalated ones)");
        requests.MapGet("/{id}", Get).WithName("GetAccessRequest").WithSummary("One request with its history");
        requests.MapPost("/{id}/decision", Decide).WithName("DecideAccessRequest")
            .WithSummary("Approve or refuse (a refusal needs written reasons); the provider, or the operator for escalated and not-shared requests");
        requests.MapPost("/{id}/escalate", Escalate).WithName("EscalateAccessRequest").WithSummary("Contest a refusal: the operator decides");
        requests.MapPost("/{id}/withdraw", Withdraw).WithName("WithdrawAccessRequest").WithSummary("Withdraw a request or give up a grant");
        requests.MapPost("/{id}/revoke", Revoke).WithName("RevokeAccessRequest").WithSummary("Take back an approval (provider or operator), with reasons");

        var access = endpoints.MapGroup("/api/access").WithTags("Access").RequireAuthorization();
        access.MapGet("/me", Me).WithName("GetMyAccess").WithSummary("What this agency may read now, and how to request the rest");
        access.MapGet("/agreements/{resource}", GetAgreement).WithName("GetAgreement").WithSummary("The data-use agreement for a resource (XY 24)");
        access.MapPost("/agreements/{resource}", AcceptAgreement).WithName("AcceptAgreement")
            .WithSummary("Accept the data-use agreement before first access; X-End-User names who accepted it").RequireParty();

        var changes = endpoints.MapGroup("/api").WithTags("Access").RequireAuthorization();
        changes.MapPost("/catalogue/{id}/sharing-changes", ProposeChange).WithName("ProposeSharingChange")
            .WithSummary("The provider proposes a new sharing class (a legal basis is required for conditional and not_shared); the operator approves");
        changes.MapGet("/sharing-changes", ListChanges).WithName("ListSharingChanges").WithSummary("Proposed sharing-class changes");
        changes.MapPost("/sharing-changes/{id}/decision", DecideChange).WithName("DecideSharingChange")
            .WithSummary("The operator approves (a new catalogue revision) or refuses a sharing-class change");
        return endpoints;
    }

    internal static IResult Submit(AccessRequestBody? body, HttpContext context, AccessPolicy policy, LakeEngine engine, IPlatformStore store, AuditLog audit) =>
        Audited(context, audit, "SubmitAccessRequest", body?.EntryId, store, agency =>
        {
            if (body is null)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, "send {\"entryId\": ..., \"purpose\": ...}.");
            }

            var request = policy.Workflow.Submit(agency, new AccessApplication(body.EntryId, body.Purpose ?? "", body.PurposeCategory, body.Fields, body.Until, body.Description),
                engine.Catalogue.Select(r => r.Entry).ToList(), engine.Themes);
            policy.Changed();
            return TypedResults.Created($"/api/access-requests/{request.Id}", request);
        });

    internal static IResult List(HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit, [FromQuery] string? role, [FromQuery] string? status) =>
        Audited(context, audit, "ListAccessRequests", null, store, agency => ListFor(agency, policy, store, role, status));

    private static IResult ListFor(Agency agency, AccessPolicy policy, IPlatformStore store, string? role, string? status)
    {

        policy.Sweep();
        var all = store.ListAccessRequests();
        IEnumerable<AccessRequest> found = (role ?? "mine") switch
        {
            "mine" => all.Where(r => r.Requester == agency.Code),
            "inbox" => all.Where(r => r.Decider == agency.Code || (r.Provider == agency.Code && r.Status == AccessRequestStatus.Approved)
                || (agency.Kind == AgencyKind.Operator && (r.Decider == AccessWorkflow.Operator || r.Status == AccessRequestStatus.Escalated))),
            "all" when agency.Kind == AgencyKind.Operator => all,
            _ => throw new LakeException(LakeErrorKind.InvalidInput, "role must be mine, inbox or all (operator)."),
        };
        if (status is not null)
        {
            found = found.Where(r => string.Equals(r.Status.ToString(), status, StringComparison.OrdinalIgnoreCase));
        }

        return TypedResults.Ok(found.OrderByDescending(r => r.CreatedAt).ToList());
    }

    internal static IResult Get(string id, HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit) =>
        Audited(context, audit, "GetAccessRequest", ResourceOf(store, id), store, agency =>
        {
            policy.Sweep();
            return store.FindAccessRequest(id) is { } request
                && (request.Requester == agency.Code || request.Decider == agency.Code || request.Provider == agency.Code || agency.Kind == AgencyKind.Operator)
                ? TypedResults.Ok(request)
                : TypedResults.Problem($"there is no access request '{id}' visible to this agency.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        });

    internal static IResult Decide(string id, DecisionBody? body, HttpContext context, AccessPolicy policy, LakeEngine engine, IPlatformStore store, AuditLog audit) =>
        Step(context, policy, store, audit, "DecideAccessRequest", id, agency =>
        {
            policy.Sweep();
            return policy.Workflow.Decide(id, agency,
                new AccessDecision(body?.Approve ?? false, body?.Reasons, body?.Fields, body?.Mask, body?.Until, body?.LegalBasis, body?.Provider),
                engine.Catalogue.Select(r => r.Entry).ToList(), engine.Themes);
        });

    internal static IResult Escalate(string id, ReasonsBody? body, HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit) =>
        Step(context, policy, store, audit, "EscalateAccessRequest", id, agency => policy.Workflow.Escalate(id, agency, body?.Reasons));

    internal static IResult Withdraw(string id, HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit) =>
        Step(context, policy, store, audit, "WithdrawAccessRequest", id, agency => policy.Workflow.Withdraw(id, agency));

    internal static IResult Revoke(string id, ReasonsBody? body, HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit) =>
        Step(context, policy, store, audit, "RevokeAccessRequest", id, agency => policy.Workflow.Revoke(id, agency, body?.Reasons));

    // One step of a request's life by the calling agency: audited, and the access profiles worked out again after it.
    private static IResult Step(HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit, string action, string id, Func<Agency, AccessRequest> step) =>
        Audited(context, audit, action, ResourceOf(store, id), store, agency =>
        {
            var request = step(agency);
            policy.Changed();
            return TypedResults.Ok(request);
        });

    internal static IResult Me(HttpContext context, AccessPolicy policy)
    {
        if (RequestParty.AgencyOf(context.User) is not var (code, _))
        {
            return TypedResults.Unauthorized();
        }

        var profile = policy.For(code);
        static ResourceAccessView View(ResourceAccess a) => new(a.Fields?.Order(StringComparer.Ordinal).ToList(), a.Masked.Order(StringComparer.Ordinal).ToList());
        return TypedResults.Ok(new AccessView(code,
            profile.Datasets.OrderBy(d => d.Key, StringComparer.Ordinal).ToDictionary(d => d.Key, d => View(d.Value), StringComparer.Ordinal),
            profile.Themes.OrderBy(d => d.Key, StringComparer.Ordinal).ToDictionary(d => d.Key, d => View(d.Value), StringComparer.Ordinal),
            profile.Denied.Values.OrderBy(d => d.Resource, StringComparer.Ordinal)
                .Select(d => new AccessDenialView(d.Resource, Catalogue.CatalogueApi.Snake(d.Class), d.Reason, d.HowToRequest)).ToList()));
    }

    internal static IResult GetAgreement(string resource, HttpContext context, IPlatformStore store)
    {
        var code = RequestParty.AgencyOf(context.User)?.Code;
        var accepted = store.ListAgreements().FirstOrDefault(a => a.Agency == code && a.Resource == resource && a.Version == DataUseAgreement.Version);
        return TypedResults.Ok(new AgreementView(resource, DataUseAgreement.Version, DataUseAgreement.TextZh, DataUseAgreement.TextEn, accepted?.AcceptedAt));
    }

    internal static IResult AcceptAgreement(string resource, AgreementBody? body, HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit) =>
        Audited(context, audit, "AcceptAgreement", resource, store, agency =>
        {
            var acceptance = policy.Workflow.AcceptAgreement(agency, resource, body?.Version, context.Party().EndUser);
            policy.Changed();
            return TypedResults.Ok(new AgreementView(resource, acceptance.Version, DataUseAgreement.TextZh, DataUseAgreement.TextEn, acceptance.AcceptedAt));
        });

    internal static IResult ProposeChange(string id, SharingChangeBody? body, HttpContext context, AccessPolicy policy, IPlatformStore store, AuditLog audit) =>
        Audited(context, audit, "ProposeSharingChange", id, store, agency =>
        {
            var entry = store.FindCatalogueEntry(id)?.Entry ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no catalogue entry '{id}'.");
            var sharingClass = body?.Class switch
            {
                "unconditional" => SharingClass.Unconditional,
                "conditional" => SharingClass.Conditional,
                "not_shared" => SharingClass.NotShared,
                _ => throw new LakeException(LakeErrorKind.InvalidInput, $"class '{body?.Class}' is not a sharing class: unconditional, conditional or not_shared."),
            };
            var sharing = new SharingSpec
            {
                Class = sharingClass,
                LegalBasis = body!.LegalBasis,
                Conditions = body.Conditions,
                Mask = body.Mask ?? [],
                AutoApprove = body.AutoApprove,
            };
            var change = policy.Workflow.ProposeSharingChange(agency, entry, sharing, body.Reason);
            return TypedResults.Created($"/api/sharing-changes/{change.Id}", change);
        });

    internal static IResult ListChanges(HttpContext context, IPlatformStore store)
    {
        if (Caller(context, store) is not { } agency)
        {
            return TypedResults.Unauthorized();
        }

        var catalogue = store.ListCatalogue().ToDictionary(r => r.Entry.Id, r => r.Entry.Agency.Code, StringComparer.Ordinal);
        return TypedResults.Ok(store.ListSharingChanges()
            .Where(c => agency.Kind == AgencyKind.Operator || c.ProposedBy == agency.Code || catalogue.GetValueOrDefault(c.EntryId) == agency.Code)
            .OrderByDescending(c => c.ProposedAt).ToList());
    }

    internal static IResult DecideChange(string id, SharingDecisionBody? body, HttpContext context, AccessPolicy policy, LakeEngine engine, IPlatformStore store, AuditLog audit) =>
        Audited(context, audit, "DecideSharingChange", store.ListSharingChanges().FirstOrDefault(c => c.Id == id)?.EntryId, store, agency =>
        {
            var change = policy.Workflow.DecideSharingChange(id, agency, body?.Approve ?? false, body?.Reasons);
            engine.Refresh();
            policy.Changed();
            return TypedResults.Ok(change);
        });

    private static string? ResourceOf(IPlatformStore store, string id) => store.FindAccessRequest(id)?.Resource;

    private static Agency? Caller(HttpContext context, IPlatformStore store) =>
        RequestParty.AgencyOf(context.User) is var (code, _) ? store.FindAgency(code) : null;

    // Runs an administrative action as the calling agency; the lake's errors become problems, and the outcome is audited.
    private static IResult Audited(HttpContext context, AuditLog audit, string action, string? resource, IPlatformStore store, Func<Agency, IResult> act)
    {
        var status = StatusCodes.Status200OK;
        try
        {
            if (Caller(context, store) is not { } agency)
            {
                status = StatusCodes.Status401Unauthorized;
                return TypedResults.Unauthorized();
            }

            var result = act(agency);
            status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
            return result;
        }
        catch (LakeException ex)
        {
            status = Problems.StatusOf(ex.Kind);
            return Problems.From(ex);
        }
        finally
        {
            audit.Append(AuditScope.EventOf(context, action, resource is null ? [] : [resource], [], null, status));
        }
    }
}
