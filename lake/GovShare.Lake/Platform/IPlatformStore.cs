using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Platform;

/// <summary>One dated revision of a catalogue entry.</summary>
/// <param name="Entry">The entry as of this revision.</param>
/// <param name="Revision">1 for the first load, +1 for each change.</param>
/// <param name="ValidFrom">When the revision was stored.</param>
/// <param name="ContentHash">SHA-256 of the entry's canonical JSON: an unchanged file is no new revision.</param>
/// <param name="Changes">What changed from the previous revision (<c>mapping</c>, <c>schema</c>, <c>sharing</c>, ...).</param>
/// <param name="SourceFile">The YAML file it was loaded from, when it came from one.</param>
public sealed record CatalogueRevision(
    CatalogueEntry Entry, int Revision, DateTimeOffset ValidFrom, string ContentHash, IReadOnlyList<string> Changes, string? SourceFile);

/// <summary>The outcome of one delivery, as the platform keeps it (the report in full, plus the figures that
/// freshness checks and scorecards query).</summary>
/// <param name="BatchId">Dataset id and the content hash of the file.</param>
/// <param name="DatasetId">The catalogue entry.</param>
/// <param name="CatalogueRevision">The entry's revision the file was read with.</param>
/// <param name="FileName">The delivered file's name (no folder).</param>
/// <param name="Status"><c>committed</c>, <c>refused</c> (over the quarantine threshold) or <c>failed</c> (unreadable).</param>
/// <param name="Read">Rows read.</param>
/// <param name="Accepted">Rows accepted.</param>
/// <param name="Quarantined">Rows quarantined.</param>
/// <param name="Warnings">Cross-field warnings.</param>
/// <param name="Version">The provider table's version that holds the batch, when committed.</param>
/// <param name="StartedAt">When ingestion began.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="ReportJson">The whole batch report, JSON.</param>
/// <param name="Repeat">The same file delivered again (status <c>committed</c>): logged as a delivery that brought nothing
/// new; the batch's record stays that of the delivery that committed it.</param>
public sealed record BatchRecord(
    string BatchId, string DatasetId, int CatalogueRevision, string FileName, string Status, long Read, long Accepted, long Quarantined,
    long Warnings, long? Version, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string ReportJson, bool Repeat = false)
{
    // Properties, not constructor parameters: records built before production times existed still compile.

    /// <summary>The newest production time among the accepted records (entries with a production-time column), or null.</summary>
    public DateTimeOffset? ProducedNewest { get; init; }

    /// <summary>Accepted records produced after the newest production time delivered before this batch and more than 3
    /// days (moved off days off) before it: delivered late (GZ 17). 0 for a dataset's first delivery with production times.</summary>
    public long LateRows { get; init; }

    /// <summary>The oldest production time among the late records, or null.</summary>
    public DateTimeOffset? OldestLate { get; init; }
}

/// <summary>One dataset's deliveries in a period, counted.</summary>
/// <param name="DatasetId">The catalogue entry.</param>
/// <param name="Committed">Deliveries committed.</param>
/// <param name="Unchanged">The same file again.</param>
/// <param name="Refused">Refused (over the quarantine threshold).</param>
/// <param name="Failed">Unreadable.</param>
/// <param name="RowsRead">Rows read.</param>
/// <param name="RowsAccepted">Rows accepted into the lake (by committed deliveries).</param>
/// <param name="RowsQuarantined">Rows quarantined.</param>
public sealed record DeliveryTally(string DatasetId, long Committed, long Unchanged, long Refused, long Failed, long RowsRead, long RowsAccepted, long RowsQuarantined);

/// <summary>The platform's own state: catalogue revisions and delivery batches now; agencies, grants,
/// requests, mismatch reports, job outcomes and audit in later issues. Each method is one transaction.
/// The interface speaks in records, never SQL, so that a PostgreSQL store can replace the embedded one
/// (<see cref="DuckDbPlatformStore"/>) in a multi-node deployment.</summary>
public interface IPlatformStore
{
    /// <summary>The schema version after the migrations that ran on open.</summary>
    int SchemaVersion { get; }

    /// <summary>Stores an entry: a new revision when its content differs from the latest one, otherwise
    /// the latest revision unchanged.</summary>
    CatalogueRevision SaveCatalogueEntry(CatalogueEntry entry, DateTimeOffset now, string? sourceFile = null);

    /// <summary>The latest revision of an entry, or null.</summary>
    CatalogueRevision? FindCatalogueEntry(string id);

    /// <summary>The latest revision of every entry, by id.</summary>
    IReadOnlyList<CatalogueRevision> ListCatalogue();

    /// <summary>Every revision of an entry, oldest first.</summary>
    IReadOnlyList<CatalogueRevision> CatalogueHistory(string id);

    /// <summary>Records a batch (replacing an earlier record of the same batch id: a re-run completes it) and logs the
    /// delivery; a <see cref="BatchRecord.Repeat"/> is only logged.</summary>
    void RecordBatch(BatchRecord batch);

    /// <summary>A batch by id, or null.</summary>
    BatchRecord? FindBatch(string batchId);

    /// <summary>Each dataset's latest batch (whatever its status), by dataset id.</summary>
    IReadOnlyList<BatchRecord> LatestBatches();

    /// <summary>The latest batches, newest first, of one dataset or of all.</summary>
    IReadOnlyList<BatchRecord> ListBatches(string? datasetId = null, int limit = 100);

    /// <summary>Registers an agency, or updates its names and kind.</summary>
    void SaveAgency(Agency agency);

    /// <summary>An agency by code, or null.</summary>
    Agency? FindAgency(string code);

    /// <summary>Every agency, by code.</summary>
    IReadOnlyList<Agency> ListAgencies();

    /// <summary>Revokes the agency's valid keys and stores the new one, in one transaction (rotation).</summary>
    void ReplaceApiKeys(ApiKeyRecord key, DateTimeOffset now);

    /// <summary>A key by its id, or null.</summary>
    ApiKeyRecord? FindApiKey(string keyId);

    /// <summary>Every key an agency was issued, oldest first.</summary>
    IReadOnlyList<ApiKeyRecord> ListApiKeys(string agencyCode);

    /// <summary>Records a new lake version for the tables whose version is newer than the lake knows; null when
    /// nothing changed. One transaction, so that two processes never record the same change twice.</summary>
    LakeVersionRecord? RecordLakeVersion(IReadOnlyDictionary<string, long> tableVersions, DateTimeOffset now);

    /// <summary>The lake versions after <paramref name="afterVersion"/>, oldest first.</summary>
    IReadOnlyList<LakeVersionRecord> ListLakeVersions(long afterVersion = 0);

    /// <summary>Stores (or replaces) a theme's definition.</summary>
    void SaveTheme(ThemeDefinition theme, DateTimeOffset now);

    /// <summary>Every theme, by id.</summary>
    IReadOnlyList<ThemeDefinition> ListThemes();

    /// <summary>Saves an access request (inserted or replaced whole; its history travels with it). With
    /// <paramref name="expected"/>, only if the stored request still has that status; false when it has not.</summary>
    bool SaveAccessRequest(GovShare.Lake.Access.AccessRequest request, GovShare.Lake.Access.AccessRequestStatus? expected = null);

    /// <summary>An access request by id, or null.</summary>
    GovShare.Lake.Access.AccessRequest? FindAccessRequest(string id);

    /// <summary>Every access request, oldest first.</summary>
    IReadOnlyList<GovShare.Lake.Access.AccessRequest> ListAccessRequests();

    /// <summary>Records an agreement acceptance (accepting the same version again keeps the first).</summary>
    void SaveAgreement(GovShare.Lake.Access.AgreementAcceptance acceptance);

    /// <summary>Every agreement acceptance.</summary>
    IReadOnlyList<GovShare.Lake.Access.AgreementAcceptance> ListAgreements();

    /// <summary>Saves a sharing-class change proposal.</summary>
    void SaveSharingChange(GovShare.Lake.Access.SharingChange change);

    /// <summary>Every sharing-class change proposal, oldest first.</summary>
    IReadOnlyList<GovShare.Lake.Access.SharingChange> ListSharingChanges();

    /// <summary>A value that changes whenever requests, acceptances or sharing changes do (cheap to read), so that a
    /// process can tell another process's decisions without reading them all.</summary>
    string AccessStamp();

    /// <summary>Saves a mismatch report whole (its history travels with it). Without <paramref name="expected"/>: inserted
    /// or replaced, except that an active report (awaiting review, reported, in verification) is refused (false) while
    /// another active report has the same <see cref="Quality.MismatchReport.Identity"/>. With <paramref name="expected"/>: only if the stored report still
    /// has that status and the revision before <see cref="Quality.MismatchReport.Revision"/>; false when it has not.</summary>
    bool SaveMismatchReport(Quality.MismatchReport report, Quality.MismatchStatus? expected = null);

    /// <summary>A mismatch report by id, or null.</summary>
    Quality.MismatchReport? FindMismatchReport(string id);

    /// <summary>Every mismatch report, oldest first.</summary>
    IReadOnlyList<Quality.MismatchReport> ListMismatchReports();

    /// <summary>The mismatch reports that meet every criterion of <paramref name="filter"/>, oldest first.</summary>
    IReadOnlyList<Quality.MismatchReport> ListMismatchReports(Quality.MismatchFilter filter);

    /// <summary>One page of the mismatch reports that meet every criterion of <paramref name="filter"/>, in
    /// <paramref name="order"/>, with how many there are in all.</summary>
    Quality.MismatchPage ListMismatchReports(Quality.MismatchFilter filter, Quality.MismatchOrder order, int limit, int offset);

    /// <summary>Every report of one difference (<see cref="Quality.MismatchReport.Identity"/>), oldest first.</summary>
    IReadOnlyList<Quality.MismatchReport> FindMismatchReportsByIdentity(string identity);

    /// <summary>A value that changes whenever a mismatch report is saved (cheap to read), so that a process can tell
    /// another process's steps without reading every report.</summary>
    string MismatchStamp();

    /// <summary>A consistent copy of the whole store into a new database file (the backup's copy).</summary>
    void CopyTo(string path);

    /// <summary>What the freshness check needs of each current catalogue entry, read without deserialising entries.</summary>
    IReadOnlyList<Freshness.FreshnessSubject> ListFreshnessSubjects();

    /// <summary>Records a job run (inserted or replaced by its id).</summary>
    void RecordJobRun(JobRun run);

    /// <summary>The latest job runs, newest first.</summary>
    IReadOnlyList<JobRun> ListJobRuns(string? job = null, int limit = 100);

    /// <summary>Replaces the recorded freshness of every entry with these records (one per catalogue entry).</summary>
    void ReplaceFreshness(IReadOnlyList<FreshnessRecord> records);

    /// <summary>The recorded freshness of every entry.</summary>
    IReadOnlyList<FreshnessRecord> ListFreshness();

    /// <summary>Saves a notification (inserted or replaced by its id).</summary>
    void SaveNotification(Notification notification);

    /// <summary>Notifications waiting for their webhook, oldest first.</summary>
    IReadOnlyList<Notification> PendingNotifications();

    /// <summary>Adds new notifications in one transaction.</summary>
    void AddNotifications(IReadOnlyList<Notification> notifications);

    /// <summary>A notification by id, or null.</summary>
    Notification? FindNotification(string id);

    /// <summary>Notifications, newest first, of one agency or all.</summary>
    IReadOnlyList<Notification> ListNotifications(string? agency = null, int limit = 100);

    /// <summary>Sets (or, with null, removes) an agency's webhook URL.</summary>
    void SetWebhook(string agency, Uri? url, DateTimeOffset now);

    /// <summary>Every agency's webhook URL.</summary>
    IReadOnlyDictionary<string, Uri> ListWebhooks();

    /// <summary>Each dataset's deliveries that finished in [<paramref name="from"/>, <paramref name="to"/>), counted.</summary>
    IReadOnlyList<DeliveryTally> DeliveryTallies(DateTimeOffset from, DateTimeOffset to);

    /// <summary>Each dataset's deliveries as the freshness rules judge them (with the production times and late records
    /// they carried) since an instant, plus its last delivery and the one that carried its newest production time however
    /// old, by dataset id, oldest first.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<Freshness.FreshnessDelivery>> FreshnessDeliveries(DateTimeOffset since);

    /// <summary>The newest production time any committed delivery of a dataset carried, or null (none yet): what the
    /// next delivery's late records are counted from.</summary>
    DateTimeOffset? NewestProduction(string datasetId);

    /// <summary>Committed deliveries (not the same file again) as the feed-anomaly check judges them, by entry, oldest first:
    /// every one of <paramref name="datasetId"/>, or (null) of every entry with a delivery whose figures are not judged yet or
    /// whose mismatch window closed by <paramref name="now"/> and is not judged yet.</summary>
    IReadOnlyList<Quality.FeedDelivery> FeedDeliveries(DateTimeOffset now, string? datasetId = null);

    /// <summary>Records in one transaction the parts of deliveries judged and the anomalies found; an anomaly already recorded
    /// (the same batch and metric) is kept as it is. Returns the anomalies newly recorded.</summary>
    IReadOnlyList<Quality.FeedAnomaly> RecordFeedJudgements(IReadOnlyList<Quality.FeedJudgement> judgements, IReadOnlyList<Quality.FeedAnomaly> anomalies);

    /// <summary>The anomalies that meet every criterion of <paramref name="filter"/>, newest first.</summary>
    IReadOnlyList<Quality.FeedAnomaly> ListFeedAnomalies(Quality.FeedAnomalyFilter filter);

    /// <summary>Marks an anomaly notified and stores its notifications, in one transaction; false (nothing stored) when it was
    /// notified already or is unknown.</summary>
    bool MarkFeedAnomalyNotified(string id, IReadOnlyList<Notification> notifications);

    /// <summary>Stores a staff account (insert or replace).</summary>
    void SaveStaffAccount(StaffAccount account);

    /// <summary>A staff account by username, or null.</summary>
    StaffAccount? FindStaffAccount(string username);

    /// <summary>Every staff account, by username.</summary>
    IReadOnlyList<StaffAccount> ListStaffAccounts();

    /// <summary>Counts a failed sign-in in one statement; at <paramref name="threshold"/> consecutive failures the account is
    /// locked until <paramref name="lockUntil"/> and the count starts again. Returns the account as now stored, or null.</summary>
    StaffAccount? RecordSignInFailure(string username, DateTimeOffset now, int threshold, DateTimeOffset lockUntil);

    /// <summary>Records a successful sign-in (failures reset, lock lifted, the time) in one statement, only while the account is
    /// still enabled and still has <paramref name="verifiedHash"/>, the hash the password was checked against; false otherwise.</summary>
    bool RecordSignInSuccess(string username, string verifiedHash, DateTimeOffset now);

    /// <summary>Replaces a password hash in one statement, only while the account still has <paramref name="expectedHash"/>;
    /// false otherwise.</summary>
    bool ReplaceStaffPassword(string username, string expectedHash, string newHash, bool mustChange);

    /// <summary>Lifts an account's lock and resets its failure count.</summary>
    void UnlockStaffAccount(string username);

    /// <summary>Stores a new browser session.</summary>
    void SaveStaffSession(StaffSession session);

    /// <summary>A session by the hash of its secret, or null.</summary>
    StaffSession? FindStaffSession(string hash);

    /// <summary>Ends sessions: all of <paramref name="username"/>'s (but <paramref name="exceptHash"/>), or the one of
    /// <paramref name="hash"/>.</summary>
    void RevokeStaffSessions(string? username, string? hash, DateTimeOffset now, string? exceptHash = null);
}
