using System.Globalization;
using System.Security.Cryptography;
using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Access;

/// <summary>A decision on an access request.</summary>
/// <param name="Approve">Approve or refuse.</param>
/// <param name="Reasons">Written reasons (required for a refusal).</param>
/// <param name="Fields">Narrow the attributes granted (a subset of those asked for); null keeps the request's.</param>
/// <param name="Mask">Attributes to serve masked; null: the entry's <c>sharing.mask</c>.</param>
/// <param name="Until">Shorten the grant; null keeps the request's.</param>
/// <param name="LegalBasis">The legal basis (required when the operator grants a not-shared resource).</param>
/// <param name="Provider">For data outside the catalogue: the agency that must supply it within 5 working days.</param>
public sealed record AccessDecision(bool Approve, string? Reasons = null, IReadOnlyList<string>? Fields = null, IReadOnlyList<string>? Mask = null,
    DateTimeOffset? Until = null, string? LegalBasis = null, string? Provider = null);

/// <summary>A new access request as the consumer sends it.</summary>
/// <param name="EntryId">The catalogue entry or <c>themes.&lt;id&gt;</c>; null for data outside the catalogue.</param>
/// <param name="Purpose">The duty the data serves.</param>
/// <param name="PurposeCategory">The purpose's category, for the entry's preset conditions.</param>
/// <param name="Fields">The attributes wanted; null: all.</param>
/// <param name="Until">When access should end.</param>
/// <param name="Description">What is wanted, for data outside the catalogue.</param>
public sealed record AccessApplication(string? EntryId, string Purpose, string? PurposeCategory = null, IReadOnlyList<string>? Fields = null,
    DateTimeOffset? Until = null, string? Description = null);

/// <summary>The access-request workflow (PX 16, XY 14, XY 24, GZ 19): submission with auto-approval against the entry's
/// preset conditions, the provider's answer due in 10 working days, escalation to the operator when unanswered or when
/// the consumer contests a refusal, withdrawal, revocation, expiry, agreement acceptance and the operator-approved change
/// of an entry's sharing class. Every step is kept in the request's own history; the caller audits it.</summary>
public sealed class AccessWorkflow(IPlatformStore store, Func<WorkingCalendar> calendar, TimeProvider clock)
{
    /// <summary>The decider of requests for not-shared resources, data outside the catalogue, and escalations.</summary>
    public const string Operator = "operator";

    /// <summary>The actor of the platform's own steps.</summary>
    public const string Platform = "platform";

    /// <summary>Working days a provider has to answer (PX 16).</summary>
    public const int AnswerDays = 10;

    /// <summary>Working days a provider has to supply data the operator decided to share (GZ 19).</summary>
    public const int SupplyDays = 5;

    /// <summary>Files a request.</summary>
    /// <exception cref="LakeException">An unknown resource, a resource already open to the agency, bad fields or dates.</exception>
    public AccessRequest Submit(Agency requester, AccessApplication application, IReadOnlyList<CatalogueEntry> catalogue, IReadOnlyList<ThemeDefinition> themes)
    {
        var now = clock.GetUtcNow();
        if (string.IsNullOrWhiteSpace(application.Purpose))
        {
            throw Invalid("purpose is required: the duty the data serves (PX 16).");
        }

        if (application.Until is { } until && until <= now)
        {
            throw Invalid($"until ({until:O}) is not in the future.");
        }

        var fields = application.Fields is { Count: > 0 } f ? f.Distinct(StringComparer.Ordinal).ToList() : null;
        string decider;
        SharingSpec sharing;
        if (application.EntryId is not { Length: > 0 } resource)
        {
            if (string.IsNullOrWhiteSpace(application.Description))
            {
                throw Invalid("a request without entryId is for data outside the catalogue: describe it in description (GZ 19).");
            }

            decider = Operator;
            sharing = new SharingSpec { Class = SharingClass.NotShared };
        }
        else if (resource.StartsWith(AccessRules.ThemePrefix, StringComparison.Ordinal))
        {
            var theme = themes.FirstOrDefault(t => AccessRules.ThemePrefix + t.Id == resource)
                ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no theme '{resource[AccessRules.ThemePrefix.Length..]}'; GET /api/themes lists them.");

            // A theme draws on other agencies' data: the operator decides, and the masks its sources' providers set
            // apply to the theme's columns of the same name unless the operator decides otherwise.
            sharing = theme.Sharing with
            {
                Mask = catalogue.Where(e => theme.Sources.Contains(e.Target, StringComparer.Ordinal) && e.Sharing.Class != SharingClass.Unconditional)
                    .SelectMany(e => e.Sharing.Mask).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            };
            decider = Operator;
        }
        else
        {
            var entry = catalogue.FirstOrDefault(e => e.Id == resource)
                ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no catalogue entry '{resource}'; for data outside the catalogue, leave entryId out and describe it.");
            if (entry.Agency.Code == requester.Code || entry.Sharing.Class == SharingClass.Unconditional)
            {
                throw new LakeException(LakeErrorKind.Conflict, $"{resource} is already open to {requester.Code} ({(entry.Agency.Code == requester.Code ? "its own data" : "unconditional")}): no request is needed.");
            }

            var delivered = entry.Fields.Select(x => x.Target).ToHashSet(StringComparer.Ordinal);
            if (fields?.FirstOrDefault(x => !delivered.Contains(x)) is { } unknown)
            {
                throw Invalid($"fields: '{unknown}' is not an attribute of {resource}; it has {string.Join(", ", delivered.Order(StringComparer.Ordinal))}.");
            }

            sharing = entry.Sharing;
            decider = sharing.Class == SharingClass.NotShared ? Operator : entry.Agency.Code;
        }

        var request = new AccessRequest
        {
            Id = NewId("ar", now),
            Requester = requester.Code,
            Resource = application.EntryId is { Length: > 0 } ? application.EntryId : null,
            Description = application.Description?.Trim(),
            Decider = decider,
            Purpose = application.Purpose.Trim(),
            PurposeCategory = application.PurposeCategory?.Trim(),
            Fields = fields,
            Masked = sharing.Mask,
            Until = application.Until,
            CreatedAt = now,
            DueAt = calendar().AddWorkingDays(now, AnswerDays),
            History = [new AccessRequestEvent(now, requester.Code, "submitted", application.Purpose.Trim())],
        };

        // Preset conditions met: approved at once, the provider notified through its inbox (XY 14).
        if (sharing.Class == SharingClass.Conditional
            && sharing.AutoApprove?.IsMetBy(requester.Code, requester.Kind.ToString().ToLowerInvariant(), request.PurposeCategory) == true)
        {
            request = request with
            {
                Status = AccessRequestStatus.Approved,
                Reasons = "the request meets the provider's preset conditions",
                History = [.. request.History, new AccessRequestEvent(now, Platform, "auto_approved", $"preset conditions met; {decider} notified")],
            };
        }

        store.SaveAccessRequest(request);
        return request;
    }

    /// <summary>The provider's (or, where it decides, the operator's) answer.</summary>
    /// <exception cref="LakeException">Unknown request, not the decider, not open, a refusal without reasons, a grant of
    /// not-shared data without legal basis.</exception>
    public AccessRequest Decide(string id, Agency actor, AccessDecision decision, IReadOnlyList<CatalogueEntry> catalogue, IReadOnlyList<ThemeDefinition> themes)
    {
        var now = clock.GetUtcNow();
        var request = Find(id);
        var isOperator = actor.Kind == AgencyKind.Operator;
        var entry = catalogue.FirstOrDefault(e => e.Id == request.Resource);
        var sharingClass = entry?.Sharing.Class
            ?? themes.FirstOrDefault(t => AccessRules.ThemePrefix + t.Id == request.Resource)?.Sharing.Class
            ?? SharingClass.NotShared;
        if (sharingClass == SharingClass.NotShared && !isOperator)
        {
            // Also for a request filed while the entry was conditional: the class is the one in force now.
            throw new LakeException(LakeErrorKind.Forbidden, $"{request.Resource ?? "data outside the catalogue"} is not shared: the operator decides request {id}.");
        }

        var mayDecide = request.Status switch
        {
            AccessRequestStatus.Pending => request.Decider == actor.Code || (request.Decider == Operator && isOperator),
            AccessRequestStatus.Escalated => isOperator,
            _ => throw new LakeException(LakeErrorKind.Conflict, $"request {id} is {Name(request.Status)}: only pending or escalated requests are decided."),
        };
        if (!mayDecide)
        {
            throw new LakeException(LakeErrorKind.Forbidden, request.Status == AccessRequestStatus.Escalated
                ? $"request {id} has been escalated: the operator decides it now."
                : $"request {id} is for {request.Decider} to decide, not {actor.Code}.");
        }

        if (!decision.Approve)
        {
            if (string.IsNullOrWhiteSpace(decision.Reasons))
            {
                throw Invalid("a refusal needs written reasons (XY 14).");
            }

            return Save(request.Status, request with
            {
                Status = AccessRequestStatus.Refused,
                Reasons = decision.Reasons.Trim(),
                History = [.. request.History, new AccessRequestEvent(now, actor.Code, "refused", decision.Reasons.Trim())],
            });
        }

        if (sharingClass == SharingClass.NotShared && string.IsNullOrWhiteSpace(decision.LegalBasis) && request.Resource is not null)
        {
            throw Invalid($"{request.Resource} is not shared: a grant must cite its legal basis (ZZ 14, XY 15).");
        }

        if (request.Resource is null && string.IsNullOrWhiteSpace(decision.Provider))
        {
            throw Invalid("the request is for data outside the catalogue: name the provider that must supply it (GZ 19).");
        }

        var fields = request.Fields;
        if (decision.Fields is { Count: > 0 } narrowed)
        {
            if (fields is not null && narrowed.FirstOrDefault(f => !fields.Contains(f, StringComparer.Ordinal)) is { } extra)
            {
                throw Invalid($"fields: '{extra}' was not asked for; a decision may only narrow the request.");
            }

            fields = narrowed.Distinct(StringComparer.Ordinal).ToList();
        }

        if (decision.Until is { } until && until <= now)
        {
            throw Invalid($"until ({until:O}) is not in the future.");
        }

        var deliverBy = request.Resource is null ? calendar().AddWorkingDays(now, SupplyDays) : (DateTimeOffset?)null;
        return Save(request.Status, request with
        {
            Status = AccessRequestStatus.Approved,
            Fields = fields,
            Masked = decision.Mask ?? entry?.Sharing.Mask ?? request.Masked,
            Until = decision.Until ?? request.Until,
            Reasons = decision.Reasons?.Trim(),
            LegalBasis = decision.LegalBasis?.Trim(),
            OperatorGrant = isOperator && !string.IsNullOrWhiteSpace(decision.LegalBasis),
            Provider = decision.Provider?.Trim(),
            DeliverBy = deliverBy,
            History = [.. request.History, new AccessRequestEvent(now, actor.Code, "approved",
                string.Join("; ", new[] { decision.Reasons, decision.LegalBasis is null ? null : "legal basis: " + decision.LegalBasis,
                    deliverBy is null ? null : $"{decision.Provider} to supply by {ChinaTime.ToChina(deliverBy.Value):yyyy-MM-dd HH:mm}" }.Where(x => x is not null)))],
        });
    }

    /// <summary>The consumer contests a refusal: the operator decides (XY 14).</summary>
    public AccessRequest Escalate(string id, Agency actor, string? reasons)
    {
        var request = Find(id);
        RequireRequester(request, actor);
        if (request.Status != AccessRequestStatus.Refused)
        {
            throw new LakeException(LakeErrorKind.Conflict, $"request {id} is {Name(request.Status)}: only a refused request can be escalated by the consumer.");
        }

        if (request.Decider == Operator || request.History.Any(e => e.Action == "escalated"))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"request {id} was refused by the operator, whose decision is final on the platform.");
        }

        var now = clock.GetUtcNow();
        return Save(request.Status, request with
        {
            Status = AccessRequestStatus.Escalated,
            History = [.. request.History, new AccessRequestEvent(now, actor.Code, "escalated", reasons?.Trim() ?? "the consumer contests the refusal")],
        });
    }

    /// <summary>The consumer withdraws its request (pending, escalated or approved).</summary>
    public AccessRequest Withdraw(string id, Agency actor)
    {
        var request = Find(id);
        RequireRequester(request, actor);
        if (request.Status is not (AccessRequestStatus.Pending or AccessRequestStatus.Escalated or AccessRequestStatus.Approved))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"request {id} is {Name(request.Status)} and cannot be withdrawn.");
        }

        var now = clock.GetUtcNow();
        return Save(request.Status, request with { Status = AccessRequestStatus.Withdrawn, History = [.. request.History, new AccessRequestEvent(now, actor.Code, "withdrawn", null)] });
    }

    /// <summary>The provider (or the operator) takes an approval back, with reasons.</summary>
    public AccessRequest Revoke(string id, Agency actor, string? reasons)
    {
        var request = Find(id);
        if (request.Status != AccessRequestStatus.Approved)
        {
            throw new LakeException(LakeErrorKind.Conflict, $"request {id} is {Name(request.Status)}: only an approval can be revoked.");
        }

        if (actor.Kind != AgencyKind.Operator && (actor.Code != request.Decider || request.History.Any(e => e.Action == "escalated")))
        {
            throw new LakeException(LakeErrorKind.Forbidden, request.History.Any(e => e.Action == "escalated")
                ? $"request {id} was decided by the operator after escalation: only the operator may revoke it."
                : $"only {request.Decider} or the operator may revoke request {id}.");
        }

        if (string.IsNullOrWhiteSpace(reasons))
        {
            throw Invalid("a revocation needs written reasons.");
        }

        var now = clock.GetUtcNow();
        return Save(request.Status, request with
        {
            Status = AccessRequestStatus.Revoked,
            Reasons = reasons.Trim(),
            History = [.. request.History, new AccessRequestEvent(now, actor.Code, "revoked", reasons.Trim())],
        });
    }

    /// <summary>The platform's own steps, safe to run any number of times: pending requests past their due time are
    /// escalated to the operator; approvals past their <c>until</c> expire. Returns the requests changed.</summary>
    public IReadOnlyList<AccessRequest> Sweep()
    {
        var now = clock.GetUtcNow();
        var changed = new List<AccessRequest>();
        foreach (var request in store.ListAccessRequests())
        {
            if (request.Status == AccessRequestStatus.Pending && request.DueAt <= now && request.Decider != Operator)
            {
                changed.Add(Save(request.Status, request with
                {
                    Status = AccessRequestStatus.Escalated,
                    History = [.. request.History, new AccessRequestEvent(now, Platform, "escalated",
                        $"{request.Decider} did not answer within {AnswerDays} working days (due {ChinaTime.ToChina(request.DueAt):yyyy-MM-dd HH:mm})")],
                }));
            }
            else if (request.Status == AccessRequestStatus.Approved && request.Until is { } until && until <= now)
            {
                changed.Add(Save(request.Status, request with
                {
                    Status = AccessRequestStatus.Expired,
                    History = [.. request.History, new AccessRequestEvent(now, Platform, "expired", $"until {ChinaTime.ToChina(until):yyyy-MM-dd HH:mm}")],
                }));
            }
        }

        return changed;
    }

    /// <summary>Records the agency's acceptance of the data-use agreement for a resource.</summary>
    /// <exception cref="LakeException">A version other than the one in force.</exception>
    public AgreementAcceptance AcceptAgreement(Agency agency, string resource, string? version, string endUser)
    {
        if (version != DataUseAgreement.Version)
        {
            throw Invalid($"the agreement in force is version {DataUseAgreement.Version}; send {{\"version\": \"{DataUseAgreement.Version}\"}} after reading it.");
        }

        var acceptance = new AgreementAcceptance(agency.Code, resource, version, clock.GetUtcNow(), endUser);
        store.SaveAgreement(acceptance);
        return store.ListAgreements().First(a => a.Agency == agency.Code && a.Resource == resource && a.Version == version);
    }

    /// <summary>A provider proposes a new sharing spec for its entry; it takes effect when the operator approves it.</summary>
    public SharingChange ProposeSharingChange(Agency actor, CatalogueEntry entry, SharingSpec sharing, string? reason)
    {
        if (actor.Code != entry.Agency.Code && actor.Kind != AgencyKind.Operator)
        {
            throw new LakeException(LakeErrorKind.Forbidden, $"only {entry.Agency.Code}, the provider of {entry.Id}, may propose a change of its sharing class.");
        }

        var problems = CatalogueValidator.Validate(entry with { Sharing = sharing });
        if (problems.FirstOrDefault(p => p.Path.StartsWith("sharing", StringComparison.Ordinal)) is { } problem)
        {
            throw Invalid($"{problem.Path}: {problem.Message}");
        }

        var now = clock.GetUtcNow();
        var change = new SharingChange
        {
            Id = NewId("sc", now),
            EntryId = entry.Id,
            ProposedBy = actor.Code,
            Sharing = sharing,
            Reason = reason?.Trim(),
            ProposedAt = now,
        };
        store.SaveSharingChange(change);
        return change;
    }

    /// <summary>The operator approves (a new catalogue revision, kept in the entry's history) or refuses a proposed change.</summary>
    public SharingChange DecideSharingChange(string id, Agency actor, bool approve, string? reasons)
    {
        if (actor.Kind != AgencyKind.Operator)
        {
            throw new LakeException(LakeErrorKind.Forbidden, "sharing-class changes are approved by the operator.");
        }

        var change = store.ListSharingChanges().FirstOrDefault(c => c.Id == id)
            ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no sharing change '{id}'.");
        if (change.Status != SharingChangeStatus.Pending)
        {
            throw new LakeException(LakeErrorKind.Conflict, $"sharing change {id} has been decided already ({change.Status.ToString().ToLowerInvariant()}).");
        }

        var now = clock.GetUtcNow();
        if (!approve)
        {
            if (string.IsNullOrWhiteSpace(reasons))
            {
                throw Invalid("a refusal needs written reasons.");
            }

            var refused = change with { Status = SharingChangeStatus.Refused, DecidedAt = now, DecisionReasons = reasons.Trim() };
            store.SaveSharingChange(refused);
            return refused;
        }

        var current = store.FindCatalogueEntry(change.EntryId)
            ?? throw new LakeException(LakeErrorKind.NotFound, $"catalogue entry {change.EntryId} no longer exists.");
        var revision = store.SaveCatalogueEntry(current.Entry with { Sharing = change.Sharing }, now, $"sharing change {change.Id} approved by {actor.Code}");
        var approved = change with { Status = SharingChangeStatus.Approved, DecidedAt = now, DecisionReasons = reasons?.Trim(), Revision = revision.Revision };
        store.SaveSharingChange(approved);
        return approved;
    }

    private AccessRequest Find(string id) =>
        store.FindAccessRequest(id) ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no access request '{id}'.");

    // Saved only if nobody changed the request's status meanwhile (the sweep runs alongside every decision).
    private AccessRequest Save(AccessRequestStatus expected, AccessRequest request)
    {
        if (!store.SaveAccessRequest(request, expected))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"request {request.Id} changed while this step was made; read it again.");
        }

        return request;
    }

    private static void RequireRequester(AccessRequest request, Agency actor)
    {
        if (request.Requester != actor.Code)
        {
            throw new LakeException(LakeErrorKind.Forbidden, $"request {request.Id} belongs to {request.Requester}.");
        }
    }

    private static string NewId(string prefix, DateTimeOffset now) =>
        $"{prefix}-{ChinaTime.ToChina(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    private static string Name(AccessRequestStatus status) => status.ToString().ToLowerInvariant();

    private static LakeException Invalid(string message) => new(LakeErrorKind.InvalidInput, message);
}
