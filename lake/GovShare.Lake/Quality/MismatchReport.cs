using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace GovShare.Lake.Quality;

/// <summary>Where a mismatch report stands (GZ 22, XY 12).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MismatchStatus>))]
public enum MismatchStatus
{
    /// <summary>Raised by a consistency check and held for a data-quality reviewer (the operator's) before the provider
    /// sees it: not routed, no due date, not "under investigation" on lookups.</summary>
    [JsonStringEnumMemberName("awaiting_review")] AwaitingReview,

    /// <summary>Filed; a report passes through this state at once on its way to the provider.</summary>
    [JsonStringEnumMemberName("reported")] Reported,

    /// <summary>With the responsible provider, who verifies it within 3 working days (GZ 22).</summary>
    [JsonStringEnumMemberName("in_verification")] InVerification,

    /// <summary>The provider corrected its data; the report names the correcting table version.</summary>
    [JsonStringEnumMemberName("corrected")] Corrected,

    /// <summary>The provider holds its value to be right, with written reasons. The same difference is not reported
    /// again until one of the values changes.</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,

    /// <summary>The provider cannot verify it from what the report says.</summary>
    [JsonStringEnumMemberName("insufficient_information")] InsufficientInformation,

    /// <summary>The provider is not the authoritative source of the attribute. Kept in the history only: the report is
    /// rerouted to the authoritative entry's provider at once and is in verification again.</summary>
    [JsonStringEnumMemberName("wrong_provider")] WrongProvider,

    /// <summary>Withdrawn by the reporter.</summary>
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,

    /// <summary>Closed by a reviewer as benign before it reached the provider, with reasons (a training label for the
    /// classifier). The same difference is not raised by a check again until one of the values changes.</summary>
    [JsonStringEnumMemberName("dismissed")] Dismissed,
}

/// <summary>One reason behind a classification: a comparison feature and how much it pushed towards the class.</summary>
/// <param name="Feature">The feature (<c>edit_distance</c>, <c>same_division</c>).</param>
/// <param name="Value">Its value for this pair.</param>
/// <param name="Contribution">How much it pushed towards the class (negative: away from it).</param>
/// <param name="Zh">The reason in Chinese words.</param>
/// <param name="En">The reason in English words.</param>
public sealed record FindingReason(string Feature, double Value, double Contribution, string Zh, string En);

/// <summary>What a consistency check found about a doubted value: the class the classifier gave the pair of values,
/// with its probability, the value compared with, both values as normalised, and why.</summary>
/// <param name="Class">One of <see cref="Classes"/>: <c>material_conflict</c>, <c>mis_keyed</c>, <c>minor_variant</c>,
/// <c>equivalent</c>, <c>missing</c>.</param>
/// <param name="Score">The model's probability of <paramref name="Class"/>, 0 to 1.</param>
/// <param name="ReferenceEntry">The other provider's entry whose value the doubted one was compared with.</param>
/// <param name="ReferenceValue">Its raw value.</param>
/// <param name="NormalisedDoubted">The doubted value as the check normalised it.</param>
/// <param name="NormalisedReference">The reference value as the check normalised it.</param>
/// <param name="Reasons">The reasons, strongest first (as the check ordered them).</param>
/// <param name="ExplanationZh">The finding in plain Chinese words.</param>
/// <param name="ExplanationEn">The finding in plain English words.</param>
/// <param name="ModelVersion">The classifier's version.</param>
/// <param name="SuggestedKey">For <c>mis_keyed</c>: the most likely right key.</param>
public sealed record MismatchFinding(
    string Class,
    double Score,
    string ReferenceEntry,
    string? ReferenceValue,
    string? NormalisedDoubted,
    string? NormalisedReference,
    IReadOnlyList<FindingReason> Reasons,
    string ExplanationZh,
    string ExplanationEn,
    string ModelVersion,
    string? SuggestedKey = null)
{
    /// <summary>The classes a finding may have.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["material_conflict", "mis_keyed", "minor_variant", "equivalent", "missing"];
}

/// <summary>One step in a report's life, as the report's own history keeps it.</summary>
/// <param name="At">When.</param>
/// <param name="Actor">The agency that acted (<c>platform</c> for the platform's own steps: routing, reminders, escalation).</param>
/// <param name="Action">reported, in_verification, corrected, rejected, insufficient_information, wrong_provider, rerouted,
/// withdrawn, reported_again, commented, reminded, escalated.</param>
/// <param name="From">The status before; null for the first step.</param>
/// <param name="To">The status after (the same as <paramref name="From"/> for a comment, a reminder or an escalation).</param>
/// <param name="Note">Reasons, the comment, where it was rerouted, when it was due.</param>
public sealed record MismatchEvent(DateTimeOffset At, string Actor, string Action, MismatchStatus? From, MismatchStatus To, string? Note);

/// <summary>A report that a shared value is wrong (ZZ 21, XY 12, XY 19), routed to the provider responsible for it, who
/// verifies it within 3 working days (GZ 22). Raised by a consuming agency or, later, by the platform's consistency
/// checks; one report per difference (<see cref="Identity"/>), not one per reporter.</summary>
public sealed record MismatchReport
{
    /// <summary>The report id (<c>mm-20261122-3f9c1a2b</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The catalogue entry the disputed value comes from (after a reroute: the authoritative entry).</summary>
    public required string EntryId { get; init; }

    /// <summary>The base table the entry feeds (<c>population.persons</c>).</summary>
    public required string BaseTable { get; init; }

    /// <summary>The record's key, normalised (an 18-character ID number, a credit code, a provider's own id). Personal
    /// data: never logged, masked in messages.</summary>
    public required string Key { get; init; }

    /// <summary>The base attribute disputed (<c>residence_address</c>).</summary>
    public required string Attribute { get; init; }

    /// <summary>The value the reporter doubts, as it saw it; null: the value is missing.</summary>
    public string? DoubtedValue { get; init; }

    /// <summary>The value the reporter holds to be right; null: it does not know, or the value should be empty.</summary>
    public string? ProposedValue { get; init; }

    /// <summary>The date the proposed value holds from, or the date of the reporter's evidence.</summary>
    public DateOnly? ReferenceDate { get; init; }

    /// <summary>The reporter's own case or file number.</summary>
    public string? ReporterReference { get; init; }

    /// <summary>The reporter's explanation.</summary>
    public string? Note { get; init; }

    /// <summary>The agency that filed it (<c>platform</c> for a consistency check).</summary>
    public required string Reporter { get; init; }

    /// <summary>Other agencies that reported the same difference while it was open.</summary>
    public IReadOnlyList<string> AlsoReportedBy { get; init; } = [];

    /// <summary><c>consumer</c>, or the check that raised it (<c>check:&lt;name&gt;</c>).</summary>
    public required string Source { get; init; }

    /// <summary>The agency code responsible for verifying it now: the entry's provider.</summary>
    public required string Provider { get; init; }

    /// <summary>Where it stands.</summary>
    public MismatchStatus Status { get; init; } = MismatchStatus.Reported;

    /// <summary>When it was filed.</summary>
    public required DateTimeOffset ReportedAt { get; init; }

    /// <summary>When the current provider received it (filing, or the last reroute).</summary>
    public DateTimeOffset? VerificationStartedAt { get; init; }

    /// <summary>When the current provider's verification is due: 3 working days after it went into verification (the
    /// end of the third working day, China time).</summary>
    public DateTimeOffset? Due { get; init; }

    /// <summary>When the provider was reminded that the verification is due the next working day (once per due date).</summary>
    public DateTimeOffset? RemindedAt { get; init; }

    /// <summary>True once the current provider let <see cref="Due"/> pass: the operator follows it up. Set once per
    /// provider; a reroute gives the new provider a clean slate (the history keeps the escalation).</summary>
    public bool Escalated { get; init; }

    /// <summary>When it was escalated.</summary>
    public DateTimeOffset? EscalatedAt { get; init; }

    /// <summary>When it reached corrected, rejected, insufficient_information or withdrawn.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>For a correction: the provider table's version (<c>src.&lt;entry&gt;</c>) that holds the corrected value.</summary>
    public long? CorrectingVersion { get; init; }

    /// <summary>The provider's reasons (required for a rejection) or what information is missing.</summary>
    public string? Reasons { get; init; }

    /// <summary>The entries it was rerouted away from, oldest first.</summary>
    public IReadOnlyList<string> RoutedFrom { get; init; } = [];

    /// <summary>Every step, oldest first.</summary>
    public IReadOnlyList<MismatchEvent> History { get; init; } = [];

    /// <summary>For a report a consistency check raised: what it found (class, score, the value compared with, reasons).</summary>
    public MismatchFinding? Finding { get; init; }

    /// <summary>Incremented by every saved step; a conditional save (<see cref="Platform.IPlatformStore.SaveMismatchReport"/>)
    /// succeeds only on top of the revision before it, so that two steps that leave the status alone (a comment and an
    /// escalation) cannot overwrite each other either.</summary>
    public int Revision { get; init; }

    /// <summary>True while reported or in verification: with a provider (a report awaiting review is not yet).</summary>
    [JsonIgnore]
    public bool IsOpen => IsOpenStatus(Status);

    /// <summary>True while awaiting review, reported or in verification: the same difference is not raised twice.</summary>
    [JsonIgnore]
    public bool IsActive => IsActiveStatus(Status);

    /// <summary>What makes two reports the same difference: entry, key, attribute and both values (SHA-256, hex).</summary>
    [JsonIgnore]
    public string Identity => IdentityOf(EntryId, Key, Attribute, DoubtedValue, ProposedValue);

    /// <summary>True for reported and in_verification.</summary>
    public static bool IsOpenStatus(MismatchStatus status) => status is MismatchStatus.Reported or MismatchStatus.InVerification;

    /// <summary>True for awaiting_review, reported and in_verification.</summary>
    public static bool IsActiveStatus(MismatchStatus status) => status is MismatchStatus.AwaitingReview || IsOpenStatus(status);

    /// <summary>The last verdict given on the report (a reviewer's confirmation or dismissal, a provider's correction or
    /// rejection), or null while none was given.</summary>
    [JsonIgnore]
    public (string Verdict, DateTimeOffset At, string Actor)? LastVerdict
    {
        get
        {
            for (var i = History.Count - 1; i >= 0; i--)
            {
                var step = History[i];
                var verdict = step.Action switch
                {
                    "confirmed" => "confirmed",
                    "dismissed" => "dismissed",
                    "corrected" => "corrected",
                    "rejected" => "rejected",

                    // A reviewer who sends a check-raised report to another entry's provider confirms the difference.
                    "rerouted" when step.From == MismatchStatus.AwaitingReview => "confirmed",
                    _ => null,
                };
                if (verdict is not null)
                {
                    return (verdict, step.At, step.Actor);
                }
            }

            return null;
        }
    }

    /// <summary>The SHA-256 (hex) of a record's base table and key: what the store indexes reports by, so that the
    /// reports on one record are found without the key in a column of its own.</summary>
    public static string SubjectOf(string baseTable, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(baseTable + "\n" + key)));

    /// <summary>The identity of a difference. Values are compared as given (trimmed); normalised comparison comes with
    /// the consistency checks.</summary>
    public static string IdentityOf(string entryId, string key, string attribute, string? doubted, string? proposed)
    {
        // Length-prefixed parts: no choice of values can make two different differences hash alike.
        var text = new StringBuilder();
        foreach (var part in new[] { entryId, key, attribute, doubted, proposed })
        {
            text.Append(part is null ? "-1" : part.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(part).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>What the store's filtered listing selects (each criterion given must hold).</summary>
/// <param name="Status">Only reports in this status.</param>
/// <param name="Provider">Only reports this agency is responsible for now.</param>
/// <param name="EntryId">Only reports on this entry.</param>
/// <param name="Escalated">Only escalated (true) or not escalated (false) reports.</param>
/// <param name="OpenOnly">Only reported and in-verification reports.</param>
public sealed record MismatchFilter(MismatchStatus? Status = null, string? Provider = null, string? EntryId = null, bool? Escalated = null, bool OpenOnly = false)
{
    /// <summary>Only reports in one of these statuses (with <see cref="Status"/>: in both).</summary>
    public IReadOnlyList<MismatchStatus>? Statuses { get; init; }

    /// <summary>Only reports on this base database (<c>population</c>: the first part of the base table).</summary>
    public string? BaseDatabase { get; init; }

    /// <summary>Only reports on this record: its base table (<c>population.persons</c>) and, with it, <see cref="Key"/>.</summary>
    public string? BaseTable { get; init; }

    /// <summary>Only reports on this key (normalised, as stored); needs <see cref="BaseTable"/>.</summary>
    public string? Key { get; init; }

    /// <summary>Only reports whose finding has this class.</summary>
    public string? Class { get; init; }

    /// <summary>Only reports whose finding scored at least this.</summary>
    public double? MinScore { get; init; }

    /// <summary>Only reports from consumers (<see cref="MismatchWorkflow.ConsumerSource"/>) or from checks (<c>check</c>:
    /// any <c>check:&lt;name&gt;</c>).</summary>
    public string? SourceKind { get; init; }

    /// <summary>Only reports this agency may see in a listing: the provider responsible now (once the report was sent to
    /// it: not awaiting review, not dismissed), its reporters, and any agency that took part in its history. Null: all.</summary>
    public string? VisibleTo { get; init; }

    /// <summary>Only reports with a verdict (<see cref="MismatchReport.LastVerdict"/>) given at or after this.</summary>
    public DateTimeOffset? VerdictSince { get; init; }

    /// <summary>Only reports with a verdict.</summary>
    public bool WithVerdict { get; init; }
}

/// <summary>How a page of reports is ordered.</summary>
public enum MismatchOrder
{
    /// <summary>Reports with a provider first, soonest due first; then those awaiting review, oldest first; then the closed
    /// ones, newest first.</summary>
    Due,

    /// <summary>Oldest first.</summary>
    Reported,

    /// <summary>Newest first.</summary>
    ReportedDescending,

    /// <summary>The highest finding score first (reports without a finding last), then oldest first.</summary>
    Score,
}

/// <summary>One page of a listing.</summary>
/// <param name="Reports">The reports on the page.</param>
/// <param name="Total">How many reports the filter selects in all.</param>
public sealed record MismatchPage(IReadOnlyList<MismatchReport> Reports, int Total);
