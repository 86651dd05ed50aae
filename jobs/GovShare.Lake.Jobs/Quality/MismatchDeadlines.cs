using System.Globalization;
using GovShare.Lake.Access;
using GovShare.Lake.Audit;
using GovShare.Lake.Calendar;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>What one watch of the mismatch-report deadlines did.</summary>
/// <param name="Reminded">Reports whose provider was told that the verification is due the next working day.</param>
/// <param name="Escalated">Reports escalated to the operator (overdue).</param>
/// <param name="Notifications">The notifications made.</param>
public sealed record MismatchDeadlineReport(IReadOnlyList<MismatchReport> Reminded, IReadOnlyList<MismatchReport> Escalated, IReadOnlyList<Notification> Notifications)
{
    /// <summary>The job run's summary.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Reminded.Count} mismatch reports due soon, {Escalated.Count} escalated");
}

/// <summary>The deadline watcher's part for mismatch reports (GZ 22, issue 7): a report in verification is reminded to its
/// provider once, on the working day before the day it is due, and escalated once when overdue — the provider and the
/// operator are told, the escalation is audited. Safe to run twice: the workflow marks each report (conditionally) and
/// only reports it marked are told about.</summary>
public sealed class MismatchDeadlines(IPlatformStore store, WorkingCalendar calendar, TimeProvider clock, Notifier notifier, AuditLog? audit, string lakeRoot)
{
    /// <summary>Notification kind: the verification is due the next working day (to the provider).</summary>
    public const string DueSoonKind = "mismatch_due_soon";

    /// <summary>Notification kind: the verification is overdue and escalated (to the provider).</summary>
    public const string OverdueKind = "mismatch_overdue";

    /// <summary>Notification kind: a provider let a verification pass its due time (to the operator).</summary>
    public const string EscalatedKind = "mismatch_escalated";

    /// <summary>Escalates overdue reports, reminds those due the next working day, and tells whom it concerns.</summary>
    public MismatchDeadlineReport Run()
    {
        var workflow = new MismatchWorkflow(store, () => calendar, clock);

        // Marked first, told after: a crash in between loses a notice rather than sending it twice on the next run;
        // the report's history keeps the step either way.
        var escalated = workflow.Sweep();
        var reminded = workflow.Remind();
        var notifications = new List<Notification>();
        foreach (var report in escalated)
        {
            var due = DueDay(report);
            notifications.Add(notifier.Create(report.Provider, OverdueKind, report.Id,
                $"数据纠错报告 {report.Id}（{report.EntryId} 的 {report.Attribute}）未在 {MismatchWorkflow.VerificationDays} 个工作日内（{due} 前）核实，已提交平台运营方督办。/ " +
                $"Mismatch report {report.Id} on {report.Attribute} of {report.EntryId} was not verified within {MismatchWorkflow.VerificationDays} working days " +
                $"(due by the end of {due}) and has been escalated to the operator."));
            notifications.Add(notifier.Create(AccessWorkflow.Operator, EscalatedKind, report.Id,
                $"数据纠错报告 {report.Id}：{report.Provider} 未在 {due} 前核实 {report.EntryId} 的 {report.Attribute}。/ " +
                $"Mismatch report {report.Id}: {report.Provider} did not verify {report.Attribute} of {report.EntryId} by the end of {due}."));
            Audit("EscalateMismatchReport", report);
        }

        foreach (var report in reminded)
        {
            var due = DueDay(report);
            notifications.Add(notifier.Create(report.Provider, DueSoonKind, report.Id,
                $"数据纠错报告 {report.Id}（{report.EntryId} 的 {report.Attribute}）须于 {due} 前核实。/ " +
                $"Mismatch report {report.Id} on {report.Attribute} of {report.EntryId} is to be verified by the end of {due}."));
            Audit("RemindMismatchReport", report);
        }

        if (notifications.Count > 0)
        {
            store.AddNotifications(notifications);
        }

        return new MismatchDeadlineReport(reminded, escalated, notifications);
    }

    // The platform's own step, with the report's key as its keyed hash (never the key).
    private void Audit(string action, MismatchReport report) =>
        audit?.Append(new AuditEvent(AccessWorkflow.Platform, null, null, action, [report.EntryId, "mismatch:" + report.Id], null,
            [AuditLog.SubjectHash(lakeRoot, report.Key)], null, "allowed", 200));

    private static string DueDay(MismatchReport report) =>
        report.Due is { } due ? ChinaTime.ToChina(due).AddTicks(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "?";
}
