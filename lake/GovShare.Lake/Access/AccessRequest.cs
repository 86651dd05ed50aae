using System.Text.Json.Serialization;

namespace GovShare.Lake.Access;

/// <summary>Where an access request stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AccessRequestStatus>))]
public enum AccessRequestStatus
{
    /// <summary>Waiting for the providing agency (or, for not-shared and uncatalogued data, the operator).</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>Unanswered when due, or a refusal the consumer contested: the operator decides.</summary>
    [JsonStringEnumMemberName("escalated")] Escalated,

    /// <summary>Granted: the consumer reads the resource (after accepting its data-use agreement) until it expires.</summary>
    [JsonStringEnumMemberName("approved")] Approved,

    /// <summary>Refused, with written reasons.</summary>
    [JsonStringEnumMemberName("refused")] Refused,

    /// <summary>Withdrawn by the consumer before or after approval.</summary>
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,

    /// <summary>An approval taken back by the provider or the operator.</summary>
    [JsonStringEnumMemberName("revoked")] Revoked,

    /// <summary>An approval past its <c>until</c>.</summary>
    [JsonStringEnumMemberName("expired")] Expired,
}

/// <summary>One step in a request's life, as the request's own history keeps it.</summary>
/// <param name="At">When.</param>
/// <param name="Actor">The agency that acted (<c>platform</c> for the platform's own steps: auto-approval, escalation when due, expiry).</param>
/// <param name="Action">submitted, auto_approved, approved, refused, escalated, withdrawn, revoked, expired.</param>
/// <param name="Detail">Reasons, legal basis, or what changed.</param>
public sealed record AccessRequestEvent(DateTimeOffset At, string Actor, string Action, string? Detail);

/// <summary>A consuming agency's request for a catalogue resource (an entry id or <c>themes.&lt;id&gt;</c>), or for data
/// the catalogue does not list (PX 16, XY 14, GZ 19).</summary>
public sealed record AccessRequest
{
    /// <summary>The request id (<c>ar-20261122-3f9c1a</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The requesting agency.</summary>
    public required string Requester { get; init; }

    /// <summary>The catalogue entry id or <c>themes.&lt;id&gt;</c>; null for data outside the catalogue.</summary>
    public string? Resource { get; init; }

    /// <summary>What is asked for, in words (required for data outside the catalogue).</summary>
    public string? Description { get; init; }

    /// <summary>Who decides: the providing agency's code, or <c>operator</c> (not-shared resources, data outside the
    /// catalogue, and escalations).</summary>
    public required string Decider { get; init; }

    /// <summary>The duty the data is for.</summary>
    public required string Purpose { get; init; }

    /// <summary>The purpose's category, matched against an entry's preset conditions (<c>social_assistance</c>).</summary>
    public string? PurposeCategory { get; init; }

    /// <summary>The attributes asked for; null: every attribute of the resource.</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    /// <summary>Attributes served masked (<c>4101**********123X</c>), set by the decision (default: the entry's <c>sharing.mask</c>).</summary>
    public IReadOnlyList<string> Masked { get; init; } = [];

    /// <summary>When access ends; null: until withdrawn or revoked.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Where the request stands.</summary>
    public AccessRequestStatus Status { get; init; } = AccessRequestStatus.Pending;

    /// <summary>When it was made.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the answer is due: 10 working days after submission (PX 16).</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>The decision's written reasons (required for a refusal).</summary>
    public string? Reasons { get; init; }

    /// <summary>The legal basis an operator's grant of a not-shared resource cites (ZZ 14, XY 15).</summary>
    public string? LegalBasis { get; init; }

    /// <summary>True when the operator made the grant citing <see cref="LegalBasis"/>: only such a grant opens a
    /// not-shared resource.</summary>
    public bool OperatorGrant { get; init; }

    /// <summary>For data outside the catalogue that the operator decided to share: the agency that must supply it.</summary>
    public string? Provider { get; init; }

    /// <summary>For data outside the catalogue: when the provider must have supplied it (5 working days, GZ 19).</summary>
    public DateTimeOffset? DeliverBy { get; init; }

    /// <summary>Every step, oldest first.</summary>
    public IReadOnlyList<AccessRequestEvent> History { get; init; } = [];

    /// <summary>True when the request grants access at <paramref name="now"/>.</summary>
    public bool GrantsAt(DateTimeOffset now) => Status == AccessRequestStatus.Approved && Resource is not null && (Until is null || Until > now);
}

/// <summary>A consumer's acceptance of a resource's data-use and protection agreement (XY 24).</summary>
/// <param name="Agency">The consuming agency.</param>
/// <param name="Resource">The resource.</param>
/// <param name="Version">The agreement version accepted.</param>
/// <param name="AcceptedAt">When.</param>
/// <param name="EndUser">The person who accepted it for the agency.</param>
public sealed record AgreementAcceptance(string Agency, string Resource, string Version, DateTimeOffset AcceptedAt, string EndUser);

/// <summary>Where a proposed change of an entry's sharing class stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SharingChangeStatus>))]
public enum SharingChangeStatus
{
    /// <summary>Waiting for the operator.</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>Approved and in force (a new catalogue revision).</summary>
    [JsonStringEnumMemberName("approved")] Approved,

    /// <summary>Refused by the operator.</summary>
    [JsonStringEnumMemberName("refused")] Refused,
}

/// <summary>A provider's proposal to change an entry's sharing class, which takes effect once the operator approves it.</summary>
public sealed record SharingChange
{
    /// <summary>The change id (<c>sc-20261122-1a2b3c</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The catalogue entry.</summary>
    public required string EntryId { get; init; }

    /// <summary>The agency proposing it.</summary>
    public required string ProposedBy { get; init; }

    /// <summary>The sharing spec proposed (class, legal basis, conditions, presets).</summary>
    public required Catalogue.SharingSpec Sharing { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }

    /// <summary>Where it stands.</summary>
    public SharingChangeStatus Status { get; init; } = SharingChangeStatus.Pending;

    /// <summary>When proposed.</summary>
    public required DateTimeOffset ProposedAt { get; init; }

    /// <summary>When decided.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The operator's reasons (required for a refusal).</summary>
    public string? DecisionReasons { get; init; }

    /// <summary>The catalogue revision the approval made.</summary>
    public int? Revision { get; init; }
}
