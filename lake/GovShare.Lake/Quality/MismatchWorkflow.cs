using System.Globalization;
using System.Security.Cryptography;
using GovShare.Lake.Access;
using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Quality;

/// <summary>A report of a doubted value as the reporter sends it.</summary>
/// <param name="EntryId">The catalogue entry the value comes from.</param>
/// <param name="Key">The record's key, in any form the entry's key kind accepts (a 15-digit ID number is upgraded).</param>
/// <param name="Attribute">The base attribute (<c>residence_address</c>).</param>
/// <param name="DoubtedValue">The value doubted, as served; null when it is missing.</param>
/// <param name="ProposedValue">The value held to be right; null when unknown.</param>
/// <param name="ReferenceDate">The date the proposed value holds from, or of the evidence.</param>
/// <param name="ReporterReference">The reporter's own case number.</param>
/// <param name="Note">Why the value is doubted.</param>
public sealed record MismatchClaim(string? EntryId, string? Key, string? Attribute, string? DoubtedValue, string? ProposedValue,
    DateOnly? ReferenceDate = null, string? ReporterReference = null, string? Note = null);

/// <summary>The provider's answer to a report in verification.</summary>
/// <param name="Outcome"><see cref="MismatchStatus.Corrected"/>, <see cref="MismatchStatus.Rejected"/>,
/// <see cref="MismatchStatus.InsufficientInformation"/> or <see cref="MismatchStatus.WrongProvider"/>.</param>
/// <param name="Reasons">Required for a rejection; what is missing, for insufficient information; a note otherwise.</param>
/// <param name="CorrectingVersion">For a correction: the provider table's version that holds the corrected value.</param>
/// <param name="AuthoritativeEntryId">For a wrong provider: the entry of the authoritative source of the attribute.</param>
public sealed record MismatchResolution(MismatchStatus Outcome, string? Reasons = null, long? CorrectingVersion = null, string? AuthoritativeEntryId = null);

/// <summary>What filing a report did.</summary>
/// <param name="Report">The report: the new one, or the open one that already holds the same difference.</param>
/// <param name="IsNew">True when this call filed it.</param>
public sealed record MismatchFiling(MismatchReport Report, bool IsNew);

/// <summary>What a consistency check's flag did.</summary>
public enum MismatchFlagOutcome
{
    /// <summary>A new report, awaiting review.</summary>
    Raised,

    /// <summary>A report of the same difference is awaiting review, reported or in verification already: that one.</summary>
    AlreadyOpen,

    /// <summary>The provider rejected the same difference: not raised again until one of the values changes.</summary>
    Rejected,

    /// <summary>A reviewer dismissed the same difference as benign: not raised again until one of the values changes.</summary>
    Dismissed,
}

/// <summary>What flagging a difference did.</summary>
/// <param name="Outcome">Raised, already open, or not raised (rejected or dismissed before).</param>
/// <param name="Report">The new report, the open one, or the report that rejected or dismissed the same difference.</param>
public sealed record MismatchFlagging(MismatchFlagOutcome Outcome, MismatchReport Report)
{
    /// <summary>True when this call raised a new report.</summary>
    public bool IsNew => Outcome == MismatchFlagOutcome.Raised;
}

/// <summary>A verdict on a difference, as the classifier's retraining reads it: what was compared, what the check (if
/// any) said, and what people decided.</summary>
/// <param name="ReportId">The report.</param>
/// <param name="EntryId">The entry the doubted value comes from (after a reroute: the authoritative one).</param>
/// <param name="BaseTable">The base table.</param>
/// <param name="Attribute">The attribute.</param>
/// <param name="DoubtedValue">The value doubted.</param>
/// <param name="ReferenceValue">The value compared with: the finding's reference value, else the value proposed.</param>
/// <param name="Class">The finding's class; null for a consumer's report.</param>
/// <param name="Score">The finding's score.</param>
/// <param name="ModelVersion">The classifier that gave the finding.</param>
/// <param name="Source"><c>consumer</c> or <c>check:&lt;name&gt;</c>.</param>
/// <param name="Verdict"><c>confirmed</c> (a reviewer sent it to a provider), <c>dismissed</c> (a reviewer held it benign),
/// <c>corrected</c> or <c>rejected</c> (the provider's answer). The last one given.</param>
/// <param name="At">When it was given.</param>
/// <param name="By">Who gave it.</param>
/// <param name="Reasons">The reviewer's or provider's reasons.</param>
public sealed record MismatchVerdict(string ReportId, string EntryId, string BaseTable, string Attribute, string? DoubtedValue, string? ReferenceValue,
    string? Class, double? Score, string? ModelVersion, string Source, string Verdict, DateTimeOffset At, string By, string? Reasons);

/// <summary>The mismatch-report workflow (ZZ 21, GZ 22, XY 12, XY 19): a report goes to the provider of the entry the
/// value comes from, who verifies it within 3 working days and corrects it (naming the correcting table version),
/// rejects it with reasons, finds the information insufficient, or names the authoritative entry (the report is
/// rerouted to its provider with a new due date); the reporter may withdraw it; overdue reports are escalated to the
/// operator once. A consistency check's report (<see cref="Flag"/>) waits for a data-quality reviewer, who works for the
/// operator and confirms it (it goes to the provider as a consumer's report does), dismisses it as benign, or sends it
/// to the authoritative entry's provider. Every step is kept in the report's own history and saved only if nobody changed the report meanwhile;
/// the caller audits it. Keys are personal data: messages mask them.</summary>
public sealed class MismatchWorkflow(IPlatformStore store, Func<WorkingCalendar> calendar, TimeProvider clock, IdentifierValidator? validator = null)
{
    /// <summary>Working days a provider has to verify a report (GZ 22).</summary>
    public const int VerificationDays = 3;

    /// <summary>The source of a report a consuming (or providing) agency filed.</summary>
    public const string ConsumerSource = "consumer";

    /// <summary>The prefix of a check's source (<c>check:&lt;name&gt;</c>).</summary>
    public const string CheckSourcePrefix = "check:";

    private const int MaxReasons = 64;

    private const int MaxValueLength = 2000;
    private const int MaxTextLength = 4000;
    private const int MaxReferenceLength = 200;
    private const int MaxKeyLength = 64;

    private readonly IdentifierValidator _validator = validator ?? IdentifierValidator.Default;

    /// <summary>The workflow's clock (the API's views say whether a report is overdue by it).</summary>
    public TimeProvider Clock => clock;

    /// <summary>Files a report, or finds the open one of the same difference (then <see cref="MismatchFiling.IsNew"/> is
    /// false and the reporter is added to <see cref="MismatchReport.AlsoReportedBy"/>).</summary>
    /// <param name="reporter">The reporting agency's code (<c>platform</c> for a check).</param>
    /// <param name="claim">What is reported.</param>
    /// <param name="source"><see cref="ConsumerSource"/> or <c>check:&lt;name&gt;</c>.</param>
    /// <exception cref="LakeException">An unknown entry, an attribute the entry does not map, a malformed key or values
    /// (InvalidInput, NotFound); the same difference rejected before (Conflict).</exception>
    public MismatchFiling Report(string reporter, MismatchClaim claim, string source = ConsumerSource)
    {
        var now = clock.GetUtcNow();
        if (string.IsNullOrWhiteSpace(claim.EntryId))
        {
            throw Invalid("entryId is required: the catalogue entry the doubted value comes from (GET /api/catalogue lists them).");
        }

        var entry = store.FindCatalogueEntry(claim.EntryId.Trim())?.Entry
            ?? throw new LakeException(LakeErrorKind.NotFound, $"entryId: there is no catalogue entry '{claim.EntryId.Trim()}'.");
        var attribute = CheckAttribute(entry, claim.Attribute, "attribute");
        var key = CheckKey(entry, claim.Key);
        var doubted = Text(claim.DoubtedValue, "doubtedValue", MaxValueLength);
        var proposed = Text(claim.ProposedValue, "proposedValue", MaxValueLength);
        if (doubted is null && proposed is null)
        {
            throw Invalid("doubtedValue and proposedValue are both empty: give the value served, the value held to be right, or both.");
        }

        if (string.Equals(doubted, proposed, StringComparison.Ordinal))
        {
            throw Invalid("proposedValue is the same as doubtedValue: there is no difference to report.");
        }

        if (claim.ReferenceDate is { } date && date > ChinaTime.Today(clock))
        {
            throw Invalid($"referenceDate ({date:yyyy-MM-dd}) is in the future.");
        }

        var note = Text(claim.Note, "note", MaxTextLength);
        var reference = Text(claim.ReporterReference, "reporterReference", MaxReferenceLength);
        var identity = MismatchReport.IdentityOf(entry.Id, key, attribute, doubted, proposed);
        if (Existing(identity, reporter) is { } existing)
        {
            return existing;
        }

        var report = Routed(new MismatchReport
        {
            Id = NewId(now),
            EntryId = entry.Id,
            BaseTable = entry.Target,
            Key = key,
            Attribute = attribute,
            DoubtedValue = doubted,
            ProposedValue = proposed,
            ReferenceDate = claim.ReferenceDate,
            ReporterReference = reference,
            Note = note,
            Reporter = reporter,
            Source = source,
            Provider = entry.Agency.Code,
            Status = MismatchStatus.Reported,
            ReportedAt = now,
            Revision = 1,
            History = [new MismatchEvent(now, reporter, "reported", null, MismatchStatus.Reported, note)],
        }, entry, now);

        // The store refuses a second open report of the same difference: another request filed it meanwhile.
        return store.SaveMismatchReport(report)
            ? new MismatchFiling(report, true)
            : Existing(identity, reporter) ?? throw new LakeException(LakeErrorKind.Conflict, "the same difference was reported meanwhile; try again.");
    }

    /// <summary>A consistency check raises a report: it waits for a data-quality reviewer (<see cref="MismatchStatus.AwaitingReview"/>,
    /// not routed, no due date), reporter <c>platform</c>, source <c>check:&lt;checkName&gt;</c>. The same difference (entry,
    /// key, attribute, both values) is raised once: while a report of it is awaiting review, reported or in verification,
    /// that report is answered (<see cref="MismatchFlagOutcome.AlreadyOpen"/>); once the provider rejected it or a reviewer
    /// dismissed it, it is not raised again until one of the values changes (an outcome, not an exception: the nightly
    /// check flags the same records every night).</summary>
    /// <param name="entryId">The entry the doubted value comes from.</param>
    /// <param name="key">The record's key (any form the entry's key kind accepts).</param>
    /// <param name="attribute">The base attribute.</param>
    /// <param name="doubtedValue">The value doubted, as served; null when missing.</param>
    /// <param name="proposedValue">The value held to be right; null when unknown.</param>
    /// <param name="finding">What the check found.</param>
    /// <param name="checkName">The check (<c>consistency</c>): lower-case letters, digits, '.', '_' and '-'.</param>
    /// <param name="now">When the check found it.</param>
    /// <exception cref="LakeException">An unknown entry (NotFound); an attribute the entry does not map, a malformed key,
    /// values, finding or check name (InvalidInput).</exception>
    public MismatchFlagging Flag(string entryId, string key, string attribute, string? doubtedValue, string? proposedValue, MismatchFinding finding,
        string checkName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (string.IsNullOrWhiteSpace(checkName) || checkName.Length > 64 || !checkName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-'))
        {
            throw Invalid($"checkName '{checkName}' must be 1 to 64 lower-case letters, digits, '.', '_' or '-'.");
        }

        var entry = store.FindCatalogueEntry(entryId?.Trim() ?? "")?.Entry
            ?? throw new LakeException(LakeErrorKind.NotFound, $"entryId: there is no catalogue entry '{entryId?.Trim()}'.");
        // A mis-keyed record doubts the key itself: its attribute is the entry's key column.
        var name = finding.Class == "mis_keyed" && string.Equals(attribute?.Trim(), entry.KeyField.Target, StringComparison.Ordinal)
            ? entry.KeyField.Target
            : CheckAttribute(entry, attribute, "attribute");
        var normalisedKey = CheckKey(entry, key);
        var doubted = Text(doubtedValue, "doubtedValue", MaxValueLength);
        var proposed = Text(proposedValue, "proposedValue", MaxValueLength);
        var checkedFinding = CheckFinding(finding);
        var identity = MismatchReport.IdentityOf(entry.Id, normalisedKey, name, doubted, proposed);
        if (Known(identity) is { } known)
        {
            return known;
        }

        var note = $"{checkedFinding.Class} ({checkedFinding.Score.ToString("0.###", CultureInfo.InvariantCulture)}, model {checkedFinding.ModelVersion}), " +
            $"compared with {checkedFinding.ReferenceEntry}: {checkedFinding.ExplanationEn}";
        var report = new MismatchReport
        {
            Id = NewId(now),
            EntryId = entry.Id,
            BaseTable = entry.Target,
            Key = normalisedKey,
            Attribute = name,
            DoubtedValue = doubted,
            ProposedValue = proposed,
            Reporter = AccessWorkflow.Platform,
            Source = CheckSourcePrefix + checkName,
            Provider = entry.Agency.Code,
            Status = MismatchStatus.AwaitingReview,
            ReportedAt = now,
            Finding = checkedFinding,
            Revision = 1,
            History =
            [
                new MismatchEvent(now, AccessWorkflow.Platform, "reported", null, MismatchStatus.Reported, Truncate(note, MaxTextLength)),
                new MismatchEvent(now, AccessWorkflow.Platform, "awaiting_review", MismatchStatus.Reported, MismatchStatus.AwaitingReview,
                    $"held for a data-quality reviewer before it goes to {entry.Agency.Code}, the provider of {entry.Id}"),
            ],
        };

        // Another run of the check raised it meanwhile: that one is the answer.
        return store.SaveMismatchReport(report)
            ? new MismatchFlagging(MismatchFlagOutcome.Raised, report)
            : Known(identity) ?? throw new LakeException(LakeErrorKind.Conflict, "the same difference was raised meanwhile; try again.");
    }

    /// <summary>A reviewer confirms a check-raised report: it goes to the responsible provider, in verification, due in
    /// <see cref="VerificationDays"/> working days, as a consumer's report does.</summary>
    /// <exception cref="LakeException">Not the operator (Forbidden); unknown (NotFound); not awaiting review (Conflict).</exception>
    public MismatchReport Confirm(string id, Agency reviewer, string? note)
    {
        var report = Reviewable(id, reviewer, "confirm", MismatchStatus.AwaitingReview);
        var text = Text(note, "note", MaxTextLength);
        var entry = store.FindCatalogueEntry(report.EntryId)?.Entry
            ?? throw new LakeException(LakeErrorKind.NotFound, $"the entry {report.EntryId} of mismatch report {id} is no longer in the catalogue; reroute it.");
        var now = clock.GetUtcNow();
        return Save(report, Routed(report with
        {
            Status = MismatchStatus.Reported,
            History = [.. report.History, new MismatchEvent(now, reviewer.Code, "confirmed", MismatchStatus.AwaitingReview, MismatchStatus.Reported, text)],
        }, entry, now));
    }

    /// <summary>A reviewer closes a check-raised report as benign, with reasons (kept as a training label). The same
    /// difference is not raised by a check again until one of the values changes.</summary>
    /// <exception cref="LakeException">Not the operator (Forbidden); no reason (InvalidInput); unknown (NotFound); not
    /// awaiting review (Conflict).</exception>
    public MismatchReport Dismiss(string id, Agency reviewer, string? reason)
    {
        var report = Reviewable(id, reviewer, "dismiss", MismatchStatus.AwaitingReview);
        var reasons = Text(reason, "reason", MaxTextLength) ?? throw Invalid("reason is required: why the difference is benign (it is kept as a label for the classifier).");
        var now = clock.GetUtcNow();
        return Save(report, report with
        {
            Status = MismatchStatus.Dismissed,
            ResolvedAt = now,
            Reasons = reasons,
            History = [.. report.History, new MismatchEvent(now, reviewer.Code, "dismissed", report.Status, MismatchStatus.Dismissed, reasons)],
        });
    }

    /// <summary>A reviewer sends a report awaiting review or in verification to another entry feeding the same base table
    /// (the attribute's authoritative one): in verification by that entry's provider, with a new due date.</summary>
    /// <exception cref="LakeException">Not the operator (Forbidden); unknown report or entry (NotFound); an entry that does
    /// not fit (InvalidInput); a report in another status (Conflict).</exception>
    public MismatchReport Reroute(string id, Agency reviewer, string? entryId, string? note)
    {
        var report = Reviewable(id, reviewer, "reroute", MismatchStatus.AwaitingReview, MismatchStatus.InVerification);
        var text = Text(note, "note", MaxTextLength);
        var target = Target(report, entryId, "entryId");
        return RoutedTo(report, target, clock.GetUtcNow(), (now, due) =>
        [
            new MismatchEvent(now, reviewer.Code, "rerouted", report.Status, MismatchStatus.InVerification,
                $"sent to {target.Agency.Code}, the provider of {target.Id}; due by {DueDay(due)}" + (text is null ? "" : "; " + text)),
        ]);
    }

    /// <summary>The verdicts given on reports (the last one of each report), for the classifier's retraining: a reviewer's
    /// confirmation or dismissal, a provider's correction or rejection, with what was compared.</summary>
    /// <param name="since">Only verdicts given at or after this (the last run's time); null: all.</param>
    public IReadOnlyList<MismatchVerdict> ReviewerVerdicts(DateTimeOffset? since = null) =>
        store.ListMismatchReports(new MismatchFilter { WithVerdict = true, VerdictSince = since })
            .Select(r => (Report: r, Verdict: r.LastVerdict!.Value))
            .OrderBy(v => v.Verdict.At).ThenBy(v => v.Report.Id, StringComparer.Ordinal)
            .Select(v => new MismatchVerdict(v.Report.Id, v.Report.EntryId, v.Report.BaseTable, v.Report.Attribute, v.Report.DoubtedValue,
                v.Report.Finding?.ReferenceValue ?? v.Report.ProposedValue, v.Report.Finding?.Class, v.Report.Finding?.Score, v.Report.Finding?.ModelVersion,
                v.Report.Source, v.Verdict.Verdict, v.Verdict.At, v.Verdict.Actor, NoteOf(v.Report, v.Verdict.At, v.Verdict.Actor)))
            .ToList();

    /// <summary>The responsible provider's answer (the operator may answer for it).</summary>
    /// <exception cref="LakeException">Unknown report, not the provider, not in verification, a rejection without
    /// reasons, a correction without a committed version, a reroute to an entry that does not hold the attribute.</exception>
    public MismatchReport Resolve(string id, Agency actor, MismatchResolution resolution)
    {
        var now = clock.GetUtcNow();
        var report = Find(id);
        if (actor.Kind != AgencyKind.Operator && report.Provider == actor.Code && !IsSentTo(report, actor.Code))
        {
            // Not sent to the provider (awaiting review, dismissed): as unknown to it as to GET.
            throw new LakeException(LakeErrorKind.NotFound, $"there is no mismatch report '{id}' for {actor.Code} to verify.");
        }

        if (report.Provider != actor.Code && actor.Kind != AgencyKind.Operator)
        {
            throw new LakeException(LakeErrorKind.Forbidden, $"mismatch report {id} is for {report.Provider} to verify, not {actor.Code}.");
        }

        if (report.Status != MismatchStatus.InVerification)
        {
            throw new LakeException(LakeErrorKind.Conflict, $"mismatch report {id} is {Name(report.Status)}: only a report in verification is resolved.");
        }

        var reasons = Text(resolution.Reasons, "reasons", MaxTextLength);
        switch (resolution.Outcome)
        {
            case MismatchStatus.Corrected:
                var version = resolution.CorrectingVersion
                    ?? throw Invalid("correctingVersion is required for a correction: the version of the provider table that holds the corrected value.");
                var committed = store.ListBatches(report.EntryId, int.MaxValue).Where(b => b.Status == "committed" && b.Version is not null).Select(b => b.Version!.Value).ToHashSet();
                if (!committed.Contains(version))
                {
                    throw Invalid($"correctingVersion: {version} is not a committed version of src.{report.EntryId}" +
                        (committed.Count == 0 ? " (it has none yet); deliver the correction first." : $"; its latest is {committed.Max()} (GET /api/deliveries lists them)."));
                }

                return Close(report, actor, MismatchStatus.Corrected, now, reasons, version);

            case MismatchStatus.Rejected:
                return Close(report, actor, MismatchStatus.Rejected, now,
                    reasons ?? throw Invalid("reasons are required for a rejection: why the value served is right."), null);

            case MismatchStatus.InsufficientInformation:
                return Close(report, actor, MismatchStatus.InsufficientInformation, now, reasons, null);

            case MismatchStatus.WrongProvider:
                return WrongProvider(report, actor, resolution.AuthoritativeEntryId, reasons, now);

            default:
                throw Invalid($"outcome '{Name(resolution.Outcome)}' is not an answer: corrected, rejected, insufficient_information or wrong_provider.");
        }
    }

    /// <summary>The reporter withdraws its open report.</summary>
    public MismatchReport Withdraw(string id, Agency actor, string? note)
    {
        var report = Find(id);
        if (report.Reporter != actor.Code)
        {
            throw new LakeException(LakeErrorKind.Forbidden, $"mismatch report {id} was filed by {report.Reporter}: only it may withdraw it.");
        }

        if (!report.IsOpen)
        {
            throw new LakeException(LakeErrorKind.Conflict, $"mismatch report {id} is {Name(report.Status)} and cannot be withdrawn.");
        }

        var now = clock.GetUtcNow();
        var text = Text(note, "note", MaxTextLength);
        return Save(report, report with
        {
            Status = MismatchStatus.Withdrawn,
            ResolvedAt = now,
            History = [.. report.History, new MismatchEvent(now, actor.Code, "withdrawn", report.Status, MismatchStatus.Withdrawn, text)],
        });
    }

    /// <summary>A comment by the reporter, the provider or the operator, in any status.</summary>
    public MismatchReport Comment(string id, Agency actor, string? text)
    {
        var report = Find(id);
        if (!MayRead(report, actor))
        {
            throw new LakeException(LakeErrorKind.Forbidden, $"only the reporter, {report.Provider} and the operator comment on mismatch report {id}.");
        }

        var comment = Text(text, "note", MaxTextLength) ?? throw Invalid("note is required: the comment.");
        var now = clock.GetUtcNow();
        return Save(report, report with { History = [.. report.History, new MismatchEvent(now, actor.Code, "commented", report.Status, report.Status, comment)] });
    }

    /// <summary>The platform's own step, safe to run any number of times: reports in verification past their due time
    /// are escalated to the operator, once. Returns the reports escalated by this call.</summary>
    public IReadOnlyList<MismatchReport> Sweep()
    {
        var now = clock.GetUtcNow();
        var escalated = new List<MismatchReport>();
        foreach (var report in store.ListMismatchReports(new MismatchFilter(MismatchStatus.InVerification, Escalated: false)))
        {
            if (report.Due is { } due && due <= now
                && TrySave(report, report with
                {
                    Escalated = true,
                    EscalatedAt = now,
                    History = [.. report.History, new MismatchEvent(now, AccessWorkflow.Platform, "escalated", report.Status, report.Status,
                        $"{report.Provider} did not verify it within {VerificationDays} working days (due by {DueDay(due)}); the operator follows it up")],
                }) is { } saved)
            {
                escalated.Add(saved);
            }
        }

        return escalated;
    }

    /// <summary>The platform's own step, safe to run any number of times: a report in verification whose due date is the
    /// next working day (from the start of <see cref="RemindFrom"/>) is marked reminded, once per due date. Returns the
    /// reports marked by this call, for the caller to tell their providers.</summary>
    public IReadOnlyList<MismatchReport> Remind()
    {
        var now = clock.GetUtcNow();
        var reminded = new List<MismatchReport>();
        foreach (var report in store.ListMismatchReports(new MismatchFilter(MismatchStatus.InVerification, Escalated: false)))
        {
            if (report.Due is { } due && report.RemindedAt is null && now < due && now >= RemindFrom(due)
                && TrySave(report, report with
                {
                    RemindedAt = now,
                    History = [.. report.History, new MismatchEvent(now, AccessWorkflow.Platform, "reminded", report.Status, report.Status, $"due by {DueDay(due)}")],
                }) is { } saved)
            {
                reminded.Add(saved);
            }
        }

        return reminded;
    }

    /// <summary>When the due-soon reminder is sent: the start (China time) of the working day before the day a
    /// verification is due (<paramref name="due"/> is 24:00 of that day).</summary>
    public DateTimeOffset RemindFrom(DateTimeOffset due)
    {
        var days = calendar();
        var day = DateOnly.FromDateTime(ChinaTime.ToChina(due).DateTime).AddDays(-2);
        while (!days.IsWorkingDay(day))
        {
            day = day.AddDays(-1);
        }

        return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
    }

    /// <summary>True when the agency may read the report: the operator, the provider responsible now once the report was
    /// sent to it (not while it awaits review, not when a reviewer dismissed it), and every agency that took part (its
    /// reporters, a provider it was rerouted away from, a commenter). The store's <see cref="MismatchFilter.VisibleTo"/>
    /// is the same rule.</summary>
    public static bool MayRead(MismatchReport report, Agency agency) =>
        agency.Kind == AgencyKind.Operator || IsSentTo(report, agency.Code) || report.Reporter == agency.Code
        || report.AlsoReportedBy.Contains(agency.Code) || report.History.Any(e => e.Actor == agency.Code);

    /// <summary>True when the report is the agency's to verify: it is the provider and the report reached it.</summary>
    public static bool IsSentTo(MismatchReport report, string agency) =>
        report.Provider == agency && report.Status is not (MismatchStatus.AwaitingReview or MismatchStatus.Dismissed);

    // The open report of the same difference (the reporter added to it), or a refusal when the difference was rejected.
    // A check's report of it awaiting review goes to the provider now: an agency vouches for the difference. One a
    // reviewer dismissed does not stop an agency's report (only a check's).
    private MismatchFiling? Existing(string identity, string reporter)
    {
        var reports = store.FindMismatchReportsByIdentity(identity);
        if (reports.FirstOrDefault(r => r.IsActive) is { } open)
        {
            if (open.Reporter == reporter || open.AlsoReportedBy.Contains(reporter))
            {
                return new MismatchFiling(open, false);
            }

            var now = clock.GetUtcNow();
            var joined = open with
            {
                AlsoReportedBy = [.. open.AlsoReportedBy, reporter],
                History = [.. open.History, new MismatchEvent(now, reporter, "reported_again", open.Status,
                    open.Status == MismatchStatus.AwaitingReview ? MismatchStatus.Reported : open.Status, null)],
            };
            if (open.Status == MismatchStatus.AwaitingReview)
            {
                var entry = store.FindCatalogueEntry(open.EntryId)?.Entry
                    ?? throw new LakeException(LakeErrorKind.NotFound, $"entryId: there is no catalogue entry '{open.EntryId}'.");
                joined = Routed(joined with { Status = MismatchStatus.Reported }, entry, now);
            }

            return new MismatchFiling(Save(open, joined), false);
        }

        if (reports.LastOrDefault(r => r.Status == MismatchStatus.Rejected) is { } rejected)
        {
            throw new LakeException(LakeErrorKind.Conflict,
                $"this difference (the same key, attribute and values on {rejected.EntryId}) was rejected by {rejected.Provider} on " +
                $"{Day(rejected.ResolvedAt ?? rejected.ReportedAt)} in mismatch report {rejected.Id}; it is reported again only when one of the values changes.");
        }

        return null;
    }

    private MismatchReport Close(MismatchReport report, Agency actor, MismatchStatus outcome, DateTimeOffset now, string? reasons, long? version) =>
        Save(report, report with
        {
            Status = outcome,
            ResolvedAt = now,
            Reasons = reasons,
            CorrectingVersion = version,
            History = [.. report.History, new MismatchEvent(now, actor.Code, Name(outcome), report.Status, outcome,
                version is null ? reasons : $"corrected in src.{report.EntryId} version {version}" + (reasons is null ? "" : "; " + reasons))],
        });

    private MismatchReport WrongProvider(MismatchReport report, Agency actor, string? authoritativeEntryId, string? reasons, DateTimeOffset now)
    {
        var target = Target(report, authoritativeEntryId, "authoritativeEntryId");
        return RoutedTo(report, target, now, (at, due) =>
        [
            new MismatchEvent(at, actor.Code, "wrong_provider", report.Status, MismatchStatus.WrongProvider,
                $"the authoritative source is {target.Id}" + (reasons is null ? "" : "; " + reasons)),
            new MismatchEvent(at, AccessWorkflow.Platform, "rerouted", MismatchStatus.WrongProvider, MismatchStatus.InVerification,
                $"sent to {target.Agency.Code}, the provider of {target.Id}; due by {DueDay(due)}"),
        ]);
    }

    // The report sent to another entry's provider (a reviewer's reroute, a provider's "wrong provider"): in verification
    // there from now, due in 3 working days, reminders and escalation starting afresh; the steps record how it got there.
    private MismatchReport RoutedTo(MismatchReport report, CatalogueEntry target, DateTimeOffset now, Func<DateTimeOffset, DateTimeOffset, IEnumerable<MismatchEvent>> steps)
    {
        var due = calendar().AddWorkingDays(now, VerificationDays);
        return Save(report, report with
        {
            EntryId = target.Id,
            Provider = target.Agency.Code,
            Status = MismatchStatus.InVerification,
            VerificationStartedAt = now,
            Due = due,
            RemindedAt = null,
            Escalated = false,
            EscalatedAt = null,
            RoutedFrom = [.. report.RoutedFrom, report.EntryId],
            History = [.. report.History, .. steps(now, due)],
        });
    }

    // The entry a report is sent to instead of its own: another entry feeding the same base table and mapping the attribute.
    private CatalogueEntry Target(MismatchReport report, string? entryId, string field)
    {
        if (string.IsNullOrWhiteSpace(entryId))
        {
            throw Invalid(field == "authoritativeEntryId"
                ? "authoritativeEntryId is required for wrong_provider: the catalogue entry of the attribute's authoritative source."
                : $"{field} is required: the catalogue entry of the attribute's authoritative source.");
        }

        var target = store.FindCatalogueEntry(entryId.Trim())?.Entry
            ?? throw new LakeException(LakeErrorKind.NotFound, $"{field}: there is no catalogue entry '{entryId.Trim()}'.");
        if (target.Id == report.EntryId)
        {
            throw Invalid($"{field}: {target.Id} is the entry the report is on already.");
        }

        if (target.Target != report.BaseTable)
        {
            throw Invalid($"{field}: {target.Id} feeds {target.Target}, not {report.BaseTable}.");
        }

        CheckAttribute(target, report.Attribute, field);
        return target;
    }

    // A report filed (status reported) sent on to the entry's provider: in verification, due in 3 working days.
    private MismatchReport Routed(MismatchReport report, CatalogueEntry entry, DateTimeOffset now)
    {
        var due = calendar().AddWorkingDays(now, VerificationDays);
        return report with
        {
            EntryId = entry.Id,
            Provider = entry.Agency.Code,
            Status = MismatchStatus.InVerification,
            VerificationStartedAt = now,
            Due = due,
            History =
            [
                .. report.History,
                new MismatchEvent(now, AccessWorkflow.Platform, "in_verification", MismatchStatus.Reported, MismatchStatus.InVerification,
                    $"sent to {entry.Agency.Code}, the provider of {entry.Id}; due by {DueDay(due)}"),
            ],
        };
    }

    // A reviewer's step: only the operator's people, only on a report in one of the statuses.
    private MismatchReport Reviewable(string id, Agency reviewer, string step, params MismatchStatus[] statuses)
    {
        if (reviewer.Kind != AgencyKind.Operator)
        {
            throw new LakeException(LakeErrorKind.Forbidden, $"only the platform operator's data-quality reviewers {step} mismatch reports; {reviewer.Code} is not the operator.");
        }

        var report = Find(id);
        return statuses.Contains(report.Status)
            ? report
            : throw new LakeException(LakeErrorKind.Conflict,
                $"mismatch report {id} is {Name(report.Status)}: a reviewer may {step} only a report {string.Join(" or ", statuses.Select(Name))}.");
    }

    // The active report of the same difference, or the closed one that keeps a check from raising it again.
    private MismatchFlagging? Known(string identity)
    {
        var reports = store.FindMismatchReportsByIdentity(identity);
        if (reports.FirstOrDefault(r => r.IsActive) is { } active)
        {
            return new MismatchFlagging(MismatchFlagOutcome.AlreadyOpen, active);
        }

        return reports.LastOrDefault(r => r.Status is MismatchStatus.Rejected or MismatchStatus.Dismissed) is { } closed
            ? new MismatchFlagging(closed.Status == MismatchStatus.Rejected ? MismatchFlagOutcome.Rejected : MismatchFlagOutcome.Dismissed, closed)
            : null;
    }

    private static MismatchFinding CheckFinding(MismatchFinding finding)
    {
        var kind = finding.Class?.Trim() ?? "";
        if (!MismatchFinding.Classes.Contains(kind, StringComparer.Ordinal))
        {
            throw Invalid($"finding.class '{kind}' is not a class; use {string.Join(", ", MismatchFinding.Classes)}.");
        }

        if (!double.IsFinite(finding.Score) || finding.Score is < 0 or > 1)
        {
            throw Invalid("finding.score must be a probability, 0 to 1.");
        }

        if (string.IsNullOrWhiteSpace(finding.ReferenceEntry) || string.IsNullOrWhiteSpace(finding.ModelVersion))
        {
            throw Invalid("finding.referenceEntry and finding.modelVersion are required.");
        }

        var reasons = finding.Reasons ?? [];
        if (reasons.Count > MaxReasons || reasons.Any(r => r is null || string.IsNullOrWhiteSpace(r.Feature) || !double.IsFinite(r.Value) || !double.IsFinite(r.Contribution)))
        {
            throw Invalid($"finding.reasons: at most {MaxReasons}, each with a feature and finite value and contribution.");
        }

        return finding with
        {
            Class = kind,
            ReferenceEntry = finding.ReferenceEntry.Trim(),
            ReferenceValue = Text(finding.ReferenceValue, "finding.referenceValue", MaxValueLength),
            NormalisedDoubted = Text(finding.NormalisedDoubted, "finding.normalisedDoubted", MaxValueLength),
            NormalisedReference = Text(finding.NormalisedReference, "finding.normalisedReference", MaxValueLength),
            Reasons = reasons.ToList(),
            ExplanationZh = Text(finding.ExplanationZh, "finding.explanationZh", MaxTextLength) ?? "",
            ExplanationEn = Text(finding.ExplanationEn, "finding.explanationEn", MaxTextLength) ?? "",
            ModelVersion = finding.ModelVersion.Trim(),
            SuggestedKey = Text(finding.SuggestedKey, "finding.suggestedKey", MaxKeyLength),
        };
    }

    // The note of the step that gave the verdict (the reviewer's or provider's reasons).
    private static string? NoteOf(MismatchReport report, DateTimeOffset at, string actor) =>
        report.History.LastOrDefault(e => e.At == at && e.Actor == actor)?.Note;

    private static string NewId(DateTimeOffset now) =>
        $"mm-{ChinaTime.ToChina(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string CheckAttribute(CatalogueEntry entry, string? attribute, string field)
    {
        var name = attribute?.Trim();
        var mapped = entry.Fields.Select(f => f.Target).Where(t => t != entry.KeyField.Target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (string.IsNullOrEmpty(name) || !mapped.Contains(name, StringComparer.Ordinal))
        {
            throw Invalid(string.IsNullOrEmpty(name)
                ? $"{field}: the base attribute is required; {entry.Id} maps {string.Join(", ", mapped)}."
                : $"{field}: {entry.Id} does not map the attribute '{name}'; it maps {string.Join(", ", mapped)}.");
        }

        return name;
    }

    private string CheckKey(CatalogueEntry entry, string? key)
    {
        var value = key?.Trim() ?? "";
        if (entry.KeyKind is not { } kind || kind == IdentifierKind.Unknown)
        {
            // Places and licences are keyed by the provider's own id: only its form is checked.
            return value.Length is > 0 and <= MaxKeyLength && !value.Any(char.IsControl)
                ? value
                : throw Invalid($"key: {entry.Id} is keyed by the provider's own id, 1 to {MaxKeyLength} characters without control characters.");
        }

        var check = _validator.Check(value, kind);
        if (!check.IsValid)
        {
            throw Invalid($"key: not a valid {kind.ToName()} identifier for {entry.Id} ({CitizenIdNumber.MaskWithin(check.Reason ?? check.Problem.ToString())}" +
                (check.Position is { } p ? $", at character {p + 1}" : "") + ").");
        }

        return check.Normalized ?? check.Input;
    }

    private static string? Text(string? value, string field, int max)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length > max || text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
            ? throw Invalid($"{field} must be at most {max} characters without control characters.")
            : text;
    }

    private MismatchReport Find(string id) =>
        store.FindMismatchReport(id) ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no mismatch report '{id}'.");

    // Saved only if nobody changed the report meanwhile (the watcher runs alongside every answer).
    private MismatchReport Save(MismatchReport before, MismatchReport after) =>
        TrySave(before, after) ?? throw new LakeException(LakeErrorKind.Conflict, $"mismatch report {before.Id} changed while this step was made; read it again.");

    private MismatchReport? TrySave(MismatchReport before, MismatchReport after)
    {
        var saved = after with { Revision = before.Revision + 1 };
        return store.SaveMismatchReport(saved, before.Status) ? saved : null;
    }

    private static string Day(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    // A due time is 24:00 of a working day: named by that day, as people say it.
    private static string DueDay(DateTimeOffset due) => ChinaTime.ToChina(due).AddTicks(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 24:00";

    private static string Name(MismatchStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    private static LakeException Invalid(string message) => new(LakeErrorKind.InvalidInput, message);
}
