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

/// <summary>The mismatch-report workflow (ZZ 21, GZ 22, XY 12, XY 19): a report goes to the provider of the entry the
/// value comes from, who verifies it within 3 working days and corrects it (naming the correcting table version),
/// rejects it with reasons, finds the information insufficient, or names the authoritative entry (the report is
/// rerouted to its provider with a new due date); the reporter may withdraw it; overdue reports are escalated to the
/// operator once. Every step is kept in the report's own history and saved only if nobody changed the report meanwhile;
/// the caller audits it. Keys are personal data: messages mask them.</summary>
public sealed class MismatchWorkflow(IPlatformStore store, Func<WorkingCalendar> calendar, TimeProvider clock, IdentifierValidator? validator = null)
{
    /// <summary>Working days a provider has to verify a report (GZ 22).</summary>
    public const int VerificationDays = 3;

    /// <summary>The source of a report a consuming (or providing) agency filed.</summary>
    public const string ConsumerSource = "consumer";

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

        var due = calendar().AddWorkingDays(now, VerificationDays);
        var report = new MismatchReport
        {
            Id = $"mm-{ChinaTime.ToChina(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
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
            Status = MismatchStatus.InVerification,
            ReportedAt = now,
            VerificationStartedAt = now,
            Due = due,
            Revision = 1,
            History =
            [
                new MismatchEvent(now, reporter, "reported", null, MismatchStatus.Reported, note),
                new MismatchEvent(now, AccessWorkflow.Platform, "in_verification", MismatchStatus.Reported, MismatchStatus.InVerification,
                    $"sent to {entry.Agency.Code}, the provider of {entry.Id}; due by {DueDay(due)}"),
            ],
        };

        // The store refuses a second open report of the same difference: another request filed it meanwhile.
        return store.SaveMismatchReport(report)
            ? new MismatchFiling(report, true)
            : Existing(identity, reporter) ?? throw new LakeException(LakeErrorKind.Conflict, "the same difference was reported meanwhile; try again.");
    }

    /// <summary>The responsible provider's answer (the operator may answer for it).</summary>
    /// <exception cref="LakeException">Unknown report, not the provider, not in verification, a rejection without
    /// reasons, a correction without a committed version, a reroute to an entry that does not hold the attribute.</exception>
    public MismatchReport Resolve(string id, Agency actor, MismatchResolution resolution)
    {
        var now = clock.GetUtcNow();
        var report = Find(id);
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
                return Reroute(report, actor, resolution.AuthoritativeEntryId, reasons, now);

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

    /// <summary>True when the agency may read the report: the operator, the provider responsible now, and every agency
    /// that took part (its reporters, a provider it was rerouted away from, a commenter).</summary>
    public static bool MayRead(MismatchReport report, Agency agency) =>
        agency.Kind == AgencyKind.Operator || report.Provider == agency.Code || report.Reporter == agency.Code
        || report.AlsoReportedBy.Contains(agency.Code) || report.History.Any(e => e.Actor == agency.Code);

    // The open report of the same difference (the reporter added to it), or a refusal when the difference was rejected.
    private MismatchFiling? Existing(string identity, string reporter)
    {
        var reports = store.FindMismatchReportsByIdentity(identity);
        if (reports.FirstOrDefault(r => r.IsOpen) is { } open)
        {
            if (open.Reporter == reporter || open.AlsoReportedBy.Contains(reporter))
            {
                return new MismatchFiling(open, false);
            }

            var now = clock.GetUtcNow();
            return new MismatchFiling(Save(open, open with
            {
                AlsoReportedBy = [.. open.AlsoReportedBy, reporter],
                History = [.. open.History, new MismatchEvent(now, reporter, "reported_again", open.Status, open.Status, null)],
            }), false);
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

    private MismatchReport Reroute(MismatchReport report, Agency actor, string? authoritativeEntryId, string? reasons, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(authoritativeEntryId))
        {
            throw Invalid("authoritativeEntryId is required for wrong_provider: the catalogue entry of the attribute's authoritative source.");
        }

        var target = store.FindCatalogueEntry(authoritativeEntryId.Trim())?.Entry
            ?? throw new LakeException(LakeErrorKind.NotFound, $"authoritativeEntryId: there is no catalogue entry '{authoritativeEntryId.Trim()}'.");
        if (target.Id == report.EntryId)
        {
            throw Invalid($"authoritativeEntryId: {target.Id} is the entry the report is on already.");
        }

        if (target.Target != report.BaseTable)
        {
            throw Invalid($"authoritativeEntryId: {target.Id} feeds {target.Target}, not {report.BaseTable}.");
        }

        CheckAttribute(target, report.Attribute, "authoritativeEntryId");
        var due = calendar().AddWorkingDays(now, VerificationDays);
        return Save(report, report with
        {
            EntryId = target.Id,
            Provider = target.Agency.Code,
            VerificationStartedAt = now,
            Due = due,
            RemindedAt = null,
            Escalated = false,
            EscalatedAt = null,
            RoutedFrom = [.. report.RoutedFrom, report.EntryId],
            History =
            [
                .. report.History,
                new MismatchEvent(now, actor.Code, "wrong_provider", report.Status, MismatchStatus.WrongProvider,
                    $"the authoritative source is {target.Id}" + (reasons is null ? "" : "; " + reasons)),
                new MismatchEvent(now, AccessWorkflow.Platform, "rerouted", MismatchStatus.WrongProvider, MismatchStatus.InVerification,
                    $"sent to {target.Agency.Code}, the provider of {target.Id}; due by {DueDay(due)}"),
            ],
        });
    }

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
