namespace GovShare.Lake.Platform;

/// <summary>One run of a scheduled job, kept in the platform store (the job scheduler's own state may be in memory).</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Job">The job (<c>freshness</c>, <c>inbox</c>, ...).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it ended, or null while running.</param>
/// <param name="Outcome">running, succeeded or failed.</param>
/// <param name="Error">The error, when it failed.</param>
/// <param name="Summary">What it did and touched, in words.</param>
public sealed record JobRun(string RunId, string Job, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome, string? Error, string? Summary);

/// <summary>A notification to an agency: stored, shown through the API, and posted to the agency's webhook if it has one.</summary>
/// <param name="NotificationId">The id.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Agency">The agency told.</param>
/// <param name="Kind">freshness_overdue, freshness_delinquent, delivery_failed, ...</param>
/// <param name="Subject">What it is about (a dataset id, a file).</param>
/// <param name="Message">The message, in words.</param>
/// <param name="WebhookStatus">none (no webhook), pending, delivered or failed.</param>
/// <param name="Attempts">Webhook attempts made.</param>
/// <param name="LastError">The last webhook error.</param>
/// <param name="DeliveredAt">When the webhook took it.</param>
/// <param name="LastAttemptAt">When the webhook was last tried.</param>
public sealed record Notification(string NotificationId, DateTimeOffset CreatedAt, string Agency, string Kind, string Subject, string Message,
    string WebhookStatus = "none", int Attempts = 0, string? LastError = null, DateTimeOffset? DeliveredAt = null, DateTimeOffset? LastAttemptAt = null);

/// <summary>The freshness state last recorded for an entry, with when it changed.</summary>
/// <param name="Status">The evaluation.</param>
/// <param name="ChangedAt">When the state last changed.</param>
/// <param name="CheckedAt">When it was last checked.</param>
public sealed record FreshnessRecord(Freshness.FreshnessStatus Status, DateTimeOffset ChangedAt, DateTimeOffset CheckedAt);
