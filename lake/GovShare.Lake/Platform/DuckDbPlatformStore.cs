using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DuckDB.NET.Data;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Platform;

/// <summary>The embedded platform store: a DuckDB database file in the lake folder (<c>platform.duckdb</c>).
/// DuckDB lets one process at a time open a database file for writing, so the file is opened for each
/// operation and closed after it; a process that finds it locked by another (the CLI while <c>serve</c>
/// runs) waits and retries for up to <see cref="LockTimeout"/>. Schema migrations are numbered and run on
/// open, each in its own transaction, recorded in <c>schema_migrations</c>.</summary>
public sealed partial class DuckDbPlatformStore : IPlatformStore
{
    /// <summary>The file name of the store in the lake folder.</summary>
    public const string FileName = "platform.duckdb";

    /// <summary>How long an operation waits for another process to release the database file.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The migrations, in order. Never edit one that has shipped: add the next.</summary>
    internal static readonly IReadOnlyList<(int Version, string Name, string Sql)> Migrations =
    [
        (1, "catalogue revisions", """
            CREATE TABLE catalogue_revisions (
                entry_id VARCHAR NOT NULL,
                revision INTEGER NOT NULL,
                valid_from TIMESTAMP NOT NULL,
                content_hash VARCHAR NOT NULL,
                changes VARCHAR NOT NULL,
                source_file VARCHAR,
                definition VARCHAR NOT NULL,
                PRIMARY KEY (entry_id, revision));
            """),
        (2, "delivery batches", """
            CREATE TABLE batches (
                batch_id VARCHAR PRIMARY KEY,
                dataset_id VARCHAR NOT NULL,
                catalogue_revision INTEGER NOT NULL,
                file_name VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                rows_read BIGINT NOT NULL,
                accepted BIGINT NOT NULL,
                quarantined BIGINT NOT NULL,
                warnings BIGINT NOT NULL,
                version BIGINT,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP NOT NULL,
                report VARCHAR NOT NULL);
            CREATE INDEX batches_dataset ON batches (dataset_id, finished_at);
            """),
        (3, "agencies and api keys", """
            CREATE TABLE agencies (
                code VARCHAR PRIMARY KEY,
                name_zh VARCHAR NOT NULL,
                name_en VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL);
            CREATE TABLE api_keys (
                key_id VARCHAR PRIMARY KEY,
                agency_code VARCHAR NOT NULL,
                key_hash VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL,
                revoked_at TIMESTAMP);
            CREATE INDEX api_keys_agency ON api_keys (agency_code);
            """),
        (4, "lake versions", """
            CREATE TABLE lake_versions (
                version BIGINT PRIMARY KEY,
                committed_at TIMESTAMP NOT NULL);
            CREATE TABLE lake_version_tables (
                version BIGINT NOT NULL,
                table_name VARCHAR NOT NULL,
                table_version BIGINT NOT NULL,
                PRIMARY KEY (version, table_name));
            """),
        (5, "themes", """
            CREATE TABLE themes (
                theme_id VARCHAR PRIMARY KEY,
                definition VARCHAR NOT NULL,
                saved_at TIMESTAMP NOT NULL);
            """),
        (6, "access", """
            CREATE TABLE access_requests (
                request_id VARCHAR PRIMARY KEY,
                requester VARCHAR NOT NULL,
                decider VARCHAR NOT NULL,
                resource VARCHAR,
                status VARCHAR NOT NULL,
                document VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL);
            CREATE TABLE agreement_acceptances (
                agency VARCHAR NOT NULL,
                resource VARCHAR NOT NULL,
                version VARCHAR NOT NULL,
                accepted_at TIMESTAMP NOT NULL,
                end_user VARCHAR NOT NULL,
                PRIMARY KEY (agency, resource, version));
            CREATE TABLE sharing_changes (
                change_id VARCHAR PRIMARY KEY,
                entry_id VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                document VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL);
            """),
        (7, "jobs", """
            CREATE TABLE job_runs (
                run_id VARCHAR PRIMARY KEY,
                job VARCHAR NOT NULL,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                outcome VARCHAR NOT NULL,
                error VARCHAR,
                summary VARCHAR);
            CREATE TABLE freshness_states (
                entry_id VARCHAR PRIMARY KEY,
                provider VARCHAR NOT NULL,
                deadline_class VARCHAR NOT NULL,
                state VARCHAR NOT NULL,
                deadline TIMESTAMP NOT NULL,
                last_delivery TIMESTAMP,
                last_met TIMESTAMP,
                reason VARCHAR NOT NULL,
                changed_at TIMESTAMP NOT NULL,
                checked_at TIMESTAMP NOT NULL);
            -- What the freshness check reads of every entry, as columns: a large catalogue is not parsed as JSON every
            -- quarter of an hour. Kept by SaveCatalogueEntry; existing revisions filled here.
            ALTER TABLE catalogue_revisions ADD COLUMN agency VARCHAR;
            ALTER TABLE catalogue_revisions ADD COLUMN name_zh VARCHAR;
            ALTER TABLE catalogue_revisions ADD COLUMN name_en VARCHAR;
            ALTER TABLE catalogue_revisions ADD COLUMN update_deadline VARCHAR;
            ALTER TABLE catalogue_revisions ADD COLUMN schedule_cron VARCHAR;
            ALTER TABLE catalogue_revisions ADD COLUMN schedule_grace_hours DOUBLE;
            UPDATE catalogue_revisions SET
                agency = json_extract_string(definition, '$.agency.code'),
                name_zh = json_extract_string(definition, '$.name.zh'),
                name_en = json_extract_string(definition, '$.name.en'),
                update_deadline = coalesce(json_extract_string(definition, '$.updateDeadline'), 'within_3_days'),
                schedule_cron = json_extract_string(definition, '$.schedule.cron'),
                schedule_grace_hours = TRY_CAST(json_extract(definition, '$.schedule.graceHours') AS DOUBLE);
            CREATE TABLE notifications (
                notification_id VARCHAR PRIMARY KEY,
                created_at TIMESTAMP NOT NULL,
                agency VARCHAR NOT NULL,
                document VARCHAR NOT NULL);
            CREATE TABLE agency_webhooks (
                agency VARCHAR PRIMARY KEY,
                url VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL);
            """),
        (8, "delivery log", """
            -- Every delivery, including the same file again (a batch record is replaced then: the scorecards and the
            -- deadlines need each time a provider delivered, and what each delivery brought).
            CREATE TABLE deliveries (
                batch_id VARCHAR NOT NULL,
                dataset_id VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                finished_at TIMESTAMP NOT NULL,
                rows_read BIGINT NOT NULL,
                accepted BIGINT NOT NULL,
                quarantined BIGINT NOT NULL,
                PRIMARY KEY (batch_id, finished_at));
            CREATE INDEX deliveries_dataset ON deliveries (dataset_id, finished_at);
            INSERT INTO deliveries SELECT batch_id, dataset_id, status, finished_at, rows_read, accepted, quarantined FROM batches;
            """),
        (9, "mismatch reports", """
            -- The report as a JSON document (its history travels with it) and the columns that listings filter on and
            -- that conditional saves compare. identity: SHA-256 of entry, key, attribute and both values (one open
            -- report per difference); no key in clear outside the document.
            CREATE TABLE mismatch_reports (
                report_id VARCHAR PRIMARY KEY,
                entry_id VARCHAR NOT NULL,
                provider VARCHAR NOT NULL,
                reporter VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                identity VARCHAR NOT NULL,
                escalated BOOLEAN NOT NULL,
                due TIMESTAMP,
                reported_at TIMESTAMP NOT NULL,
                revision INTEGER NOT NULL,
                document VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL);
            CREATE INDEX mismatch_reports_identity ON mismatch_reports (identity);
            CREATE INDEX mismatch_reports_provider ON mismatch_reports (provider, status);
            """),
        (10, "production times", """
            -- A 3-day entry's production-time column (producedAt), for the freshness check's projection; filled for
            -- existing revisions from their definitions.
            ALTER TABLE catalogue_revisions ADD COLUMN produced_at VARCHAR;
            UPDATE catalogue_revisions SET produced_at = json_extract_string(definition, '$.producedAt');
            -- What each delivery carried: the newest production time, and the records delivered more than 3 days after
            -- being produced (count and oldest). Earlier batches carried none.
            ALTER TABLE batches ADD COLUMN produced_newest TIMESTAMP;
            ALTER TABLE batches ADD COLUMN late_rows BIGINT DEFAULT 0;
            ALTER TABLE batches ADD COLUMN oldest_late TIMESTAMP;
            UPDATE batches SET late_rows = 0 WHERE late_rows IS NULL;
            """),
        (11, "mismatch review", """
            -- What reviewers' listings filter on (base table, attribute, source, a check's class and score), the record a
            -- report is on for the lookups' "under investigation" (subject: SHA-256 of base table, a line feed and the key;
            -- the key stays in the document only) and when its last verdict was given (the classifier's retraining reads
            -- verdicts since its last run). Filled for the reports already stored: consumers' reports, whose verdicts are
            -- the providers' corrections and rejections.
            ALTER TABLE mismatch_reports ADD COLUMN base_table VARCHAR;
            ALTER TABLE mismatch_reports ADD COLUMN subject VARCHAR;
            ALTER TABLE mismatch_reports ADD COLUMN attribute VARCHAR;
            ALTER TABLE mismatch_reports ADD COLUMN source VARCHAR;
            ALTER TABLE mismatch_reports ADD COLUMN finding_class VARCHAR;
            ALTER TABLE mismatch_reports ADD COLUMN score DOUBLE;
            ALTER TABLE mismatch_reports ADD COLUMN verdict_at TIMESTAMP;
            -- Before the update: DuckDB creates no index over a table with updates outstanding in the transaction.
            CREATE INDEX mismatch_reports_subject ON mismatch_reports (subject);
            UPDATE mismatch_reports SET
                base_table = json_extract_string(document, '$.baseTable'),
                subject = sha256(json_extract_string(document, '$.baseTable') || chr(10) || json_extract_string(document, '$.key')),
                attribute = json_extract_string(document, '$.attribute'),
                source = json_extract_string(document, '$.source'),
                -- DateTimeOffset as .NET writes it (7 fractional digits, an offset): cut to microseconds, the instant kept as UTC
                -- (by its epoch: a TIMESTAMPTZ cast to TIMESTAMP would take the session's time zone).
                verdict_at = CASE WHEN status IN ('corrected', 'rejected')
                    THEN make_timestamp(epoch_us(TRY_CAST(regexp_replace(json_extract_string(document, '$.resolvedAt'), '(\.[0-9]{6})[0-9]+', '\1') AS TIMESTAMPTZ))) END;
            """),
        (12, "feed anomalies", """
            -- Deliveries far outside their entry's own history (Quality.FeedAnomalies): one row per batch and metric, whatever
            -- how often the check runs; notified once the provider and the operator were told.
            CREATE TABLE feed_anomalies (
                id VARCHAR PRIMARY KEY,
                entry_id VARCHAR NOT NULL,
                agency VARCHAR NOT NULL,
                batch_id VARCHAR NOT NULL,
                metric VARCHAR NOT NULL,
                value DOUBLE NOT NULL,
                median DOUBLE NOT NULL,
                mad DOUBLE NOT NULL,
                score DOUBLE NOT NULL,
                direction VARCHAR NOT NULL,
                delivered_at TIMESTAMP NOT NULL,
                detected_at TIMESTAMP NOT NULL,
                reason_zh VARCHAR NOT NULL,
                reason_en VARCHAR NOT NULL,
                notified BOOLEAN NOT NULL,
                UNIQUE (batch_id, metric));
            CREATE INDEX feed_anomalies_agency ON feed_anomalies (agency, detected_at);
            -- Which deliveries the check has judged: their figures at once, their mismatch window once it closed. Deliveries
            -- committed before this migration count as judged (told today of a delivery months old, a provider could do nothing).
            CREATE TABLE feed_judgements (
                batch_id VARCHAR PRIMARY KEY,
                dataset_id VARCHAR NOT NULL,
                figures_at TIMESTAMP,
                window_at TIMESTAMP);
            INSERT INTO feed_judgements SELECT DISTINCT ON (batch_id) batch_id, dataset_id, now()::TIMESTAMP, now()::TIMESTAMP
                FROM deliveries WHERE status = 'committed';
            """),
        (13, "staff accounts", """
            -- Staff sign in to the web UI with a password (PBKDF2 hash only); each browser session is kept by the hash of its
            -- cookie's secret, so that signing out, a password change or a disabled account ends it at once.
            CREATE TABLE staff_accounts (
                username VARCHAR PRIMARY KEY,
                agency_code VARCHAR NOT NULL,
                display_name VARCHAR NOT NULL,
                roles VARCHAR NOT NULL,
                password_hash VARCHAR NOT NULL,
                failed_attempts INTEGER NOT NULL,
                locked_until TIMESTAMP,
                disabled_at TIMESTAMP,
                must_change_password BOOLEAN NOT NULL,
                created_at TIMESTAMP NOT NULL,
                last_sign_in TIMESTAMP);
            CREATE TABLE staff_sessions (
                session_hash VARCHAR PRIMARY KEY,
                username VARCHAR NOT NULL,
                csrf_token VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL,
                expires_at TIMESTAMP NOT NULL,
                revoked_at TIMESTAMP);
            CREATE INDEX staff_sessions_user ON staff_sessions (username);
            """),
    ];

    /// <summary>How entries are stored: camelCase JSON, enums by their YAML names, Chinese unescaped.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly string _connectionString;

    private DuckDbPlatformStore(string path)
    {
        Path = path;
        _connectionString = $"DataSource={path}";
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public int SchemaVersion { get; private set; }

    /// <summary>Opens (creating when absent) the store of a lake folder and migrates it.</summary>
    public static DuckDbPlatformStore Open(string lakeFolder)
    {
        Directory.CreateDirectory(lakeFolder);
        var store = new DuckDbPlatformStore(System.IO.Path.Combine(System.IO.Path.GetFullPath(lakeFolder), FileName));
        store.Migrate();
        return store;
    }

    private void Migrate()
    {
        using var connection = Connect();
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
        var applied = Convert.ToInt32(Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations"), System.Globalization.CultureInfo.InvariantCulture);
        if (applied > Migrations[^1].Version)
        {
            throw new LakeException(LakeErrorKind.Unsupported,
                $"the platform store {Path} is at schema version {applied}, newer than this build knows ({Migrations[^1].Version}); use a newer GovShare Lake.");
        }

        foreach (var (version, name, sql) in Migrations.Where(m => m.Version > applied))
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, sql);
            Execute(connection, "INSERT INTO schema_migrations VALUES ($v, $n, $t)", ("v", version), ("n", name), ("t", DateTime.UtcNow));
            transaction.Commit();
        }

        SchemaVersion = Migrations[^1].Version;
    }

    /// <inheritdoc />
    public CatalogueRevision SaveCatalogueEntry(CatalogueEntry entry, DateTimeOffset now, string? sourceFile = null)
    {
        CatalogueValidator.EnsureValid(entry);
        var definition = JsonSerializer.Serialize(entry, Json);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(definition)));
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        var latest = ReadRevisions(connection, "WHERE entry_id = $id ORDER BY revision DESC LIMIT 1", ("id", entry.Id)).FirstOrDefault();
        if (latest is not null && latest.ContentHash == hash)
        {
            return latest;
        }

        var revision = new CatalogueRevision(entry, (latest?.Revision ?? 0) + 1, now, hash, Differences(latest?.Entry, entry), sourceFile);
        Execute(connection,
            "INSERT INTO catalogue_revisions (entry_id, revision, valid_from, content_hash, changes, source_file, definition, " +
            "agency, name_zh, name_en, update_deadline, schedule_cron, schedule_grace_hours, produced_at) " +
            "VALUES ($id, $rev, $at, $hash, $changes, $file, $def, $ag, $zh, $en, $dl, $cron, $grace, $produced)",
            ("id", entry.Id), ("rev", revision.Revision), ("at", now.UtcDateTime), ("hash", hash),
            ("changes", string.Join(",", revision.Changes)), ("file", sourceFile), ("def", definition),
            ("ag", entry.Agency.Code), ("zh", entry.Name.Zh), ("en", entry.Name.En), ("dl", Freshness.FreshnessRules.ClassName(entry.UpdateDeadline)),
            ("cron", entry.Schedule?.Cron), ("grace", entry.Schedule?.GraceHours), ("produced", entry.ProducedAt));
        transaction.Commit();
        return revision;
    }

    /// <inheritdoc />
    public CatalogueRevision? FindCatalogueEntry(string id)
    {
        using var connection = Connect();
        return ReadRevisions(connection, "WHERE entry_id = $id ORDER BY revision DESC LIMIT 1", ("id", id)).FirstOrDefault();
    }

    /// <inheritdoc />
    public IReadOnlyList<CatalogueRevision> ListCatalogue()
    {
        using var connection = Connect();
        return ReadRevisions(connection, "QUALIFY row_number() OVER (PARTITION BY entry_id ORDER BY revision DESC) = 1 ORDER BY entry_id");
    }

    /// <inheritdoc />
    public IReadOnlyList<CatalogueRevision> CatalogueHistory(string id)
    {
        using var connection = Connect();
        return ReadRevisions(connection, "WHERE entry_id = $id ORDER BY revision", ("id", id));
    }

    /// <inheritdoc />
    public void RecordBatch(BatchRecord batch)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();

        // The same file again brought nothing new: it counts as a delivery, with no rows, and the batch keeps the
        // record of the delivery that committed it.
        var repeat = batch.Repeat && batch.Status == "committed";
        if (!repeat)
        {
            Execute(connection,
                $"INSERT OR REPLACE INTO batches ({BatchColumns}) VALUES ($b, $d, $r, $f, $s, $read, $acc, $q, $w, $v, $start, $end, $report, $newest, $late, $oldest)",
                ("b", batch.BatchId), ("d", batch.DatasetId), ("r", batch.CatalogueRevision), ("f", batch.FileName), ("s", batch.Status),
                ("read", batch.Read), ("acc", batch.Accepted), ("q", batch.Quarantined), ("w", batch.Warnings), ("v", batch.Version),
                ("start", batch.StartedAt.UtcDateTime), ("end", batch.FinishedAt.UtcDateTime), ("report", batch.ReportJson),
                ("newest", batch.ProducedNewest?.UtcDateTime), ("late", batch.LateRows), ("oldest", batch.OldestLate?.UtcDateTime));
        }

        Execute(connection, "INSERT INTO deliveries VALUES ($b, $d, $s, $end, $read, $acc, $q) ON CONFLICT DO NOTHING",
            ("b", batch.BatchId), ("d", batch.DatasetId), ("s", repeat ? "unchanged" : batch.Status), ("end", batch.FinishedAt.UtcDateTime),
            ("read", repeat ? 0 : batch.Read), ("acc", repeat ? 0 : batch.Accepted), ("q", repeat ? 0 : batch.Quarantined));
        transaction.Commit();
    }

    /// <inheritdoc />
    public BatchRecord? FindBatch(string batchId)
    {
        using var connection = Connect();
        return ReadBatches(connection, "WHERE batch_id = $b", ("b", batchId)).FirstOrDefault();
    }

    /// <inheritdoc />
    public IReadOnlyList<BatchRecord> LatestBatches()
    {
        using var connection = Connect();
        return ReadBatches(connection, "QUALIFY row_number() OVER (PARTITION BY dataset_id ORDER BY finished_at DESC, batch_id) = 1 ORDER BY dataset_id");
    }

    /// <inheritdoc />
    public IReadOnlyList<BatchRecord> ListBatches(string? datasetId = null, int limit = 100)
    {
        using var connection = Connect();
        return datasetId is null
            ? ReadBatches(connection, $"ORDER BY finished_at DESC, batch_id LIMIT {Math.Max(0, limit)}")
            : ReadBatches(connection, $"WHERE dataset_id = $d ORDER BY finished_at DESC, batch_id LIMIT {Math.Max(0, limit)}", ("d", datasetId));
    }

    /// <summary>Which parts of an entry differ between two revisions, in words a catalogue history shows.</summary>
    internal static IReadOnlyList<string> Differences(CatalogueEntry? before, CatalogueEntry after)
    {
        if (before is null)
        {
            return ["created"];
        }

        var changes = new List<string>();
        void Compare(string part, object? a, object? b)
        {
            if (JsonSerializer.Serialize(a, Json) != JsonSerializer.Serialize(b, Json))
            {
                changes.Add(part);
            }
        }

        // Arrays, not tuples: System.Text.Json writes a tuple's fields as nothing, so every tuple would look equal.
        Compare("schema", new object?[] { before.Target, before.KeyColumn, before.KeyKind, before.Fields.Select(f => new[] { f.Target, f.Type }) },
            new object?[] { after.Target, after.KeyColumn, after.KeyKind, after.Fields.Select(f => new[] { f.Target, f.Type }) });
        Compare("mapping", before.Fields, after.Fields);
        Compare("source", before.Source, after.Source);
        Compare("delivery", before.Delivery, after.Delivery);
        Compare("sharing", before.Sharing, after.Sharing);
        Compare("names", new object?[] { before.Name, before.Description, before.Agency }, new object?[] { after.Name, after.Description, after.Agency });
        Compare("deadline", new object?[] { before.UpdateDeadline, before.ProducedAt }, new object?[] { after.UpdateDeadline, after.ProducedAt });
        Compare("schedule", before.Schedule, after.Schedule);
        Compare("provision", new object?[] { before.Provision, before.Themes }, new object?[] { after.Provision, after.Themes });
        Compare("authority", before.Authoritative, after.Authoritative);
        Compare("threshold", new[] { before.QuarantineThreshold, before.MaxEndedShare }, new[] { after.QuarantineThreshold, after.MaxEndedShare });
        return changes;
    }

    private static List<CatalogueRevision> ReadRevisions(DuckDBConnection connection, string clause, params (string, object?)[] parameters)
    {
        using var command = Command(connection,
            $"SELECT definition, revision, valid_from, content_hash, changes, source_file FROM catalogue_revisions {clause}", parameters);
        using var reader = command.ExecuteReader();
        var revisions = new List<CatalogueRevision>();
        while (reader.Read())
        {
            var entry = JsonSerializer.Deserialize<CatalogueEntry>(reader.GetString(0), Json)
                ?? throw new LakeException(LakeErrorKind.Corrupt, "a catalogue revision holds no entry.");
            revisions.Add(new CatalogueRevision(entry, reader.GetInt32(1), Utc(reader, 2), reader.GetString(3),
                reader.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return revisions;
    }

    // By name: the table gained columns after it was created (migration 9).
    private const string BatchColumns = "batch_id, dataset_id, catalogue_revision, file_name, status, rows_read, accepted, quarantined, warnings, version, " +
        "started_at, finished_at, report, produced_newest, late_rows, oldest_late";

    private static List<BatchRecord> ReadBatches(DuckDBConnection connection, string clause, params (string, object?)[] parameters)
    {
        using var command = Command(connection, $"SELECT {BatchColumns} FROM batches {clause}", parameters);
        using var reader = command.ExecuteReader();
        var batches = new List<BatchRecord>();
        while (reader.Read())
        {
            batches.Add(new BatchRecord(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetInt64(9),
                Utc(reader, 10), Utc(reader, 11), reader.GetString(12))
            {
                ProducedNewest = reader.IsDBNull(13) ? null : Utc(reader, 13),
                LateRows = reader.IsDBNull(14) ? 0 : reader.GetInt64(14),
                OldestLate = reader.IsDBNull(15) ? null : Utc(reader, 15),
            });
        }

        return batches;
    }

    private static DateTimeOffset Utc(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    /// <summary>How long this process keeps the store's database open after its last operation. Opening a DuckDB file
    /// costs 30–70 ms (the engine's start, the catalogue), an operation on an open one about a millisecond; closing it
    /// soon after lets other processes (the CLI beside a running <c>serve</c>) have the file between bursts.</summary>
    public static readonly TimeSpan KeepOpen = TimeSpan.FromMilliseconds(500);

    // Per file within a process: one operation at a time (concurrent callers, jobs and requests, would otherwise race
    // for the primary keys), and the database kept open between operations by a connection of its own.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, OpenFile> Files = new(StringComparer.Ordinal);

    /// <summary>A store file as this process holds it: the gate of its operations and, while recently used, the
    /// connection that keeps its database open (DuckDB.NET shares one database among a process's connections to a
    /// file while any is open, so an operation's own connection then opens in a tenth of a millisecond).</summary>
    private sealed class OpenFile
    {
        private readonly Timer _closer;
        private DuckDBConnection? _keeper;
        private long _lastUse;

        public OpenFile(string path)
        {
            Path = path;
            _closer = new Timer(static state => ((OpenFile)state!).CloseWhenIdle(), this, Timeout.Infinite, Timeout.Infinite);
        }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string Path { get; }

        /// <summary>Opens the keeping connection when there is none (the caller holds <see cref="Gate"/>).</summary>
        public void Keep(string connectionString)
        {
            if (_keeper is not null && !File.Exists(Path))
            {
                // The file was deleted (a lake folder removed): its database is gone with it, a new file starts afresh.
                _keeper.Dispose();
                _keeper = null;
            }

            if (_keeper is null)
            {
                var keeper = new DuckDBConnection(connectionString);
                try
                {
                    keeper.Open();
                }
                catch
                {
                    keeper.Dispose();
                    throw;
                }

                _keeper = keeper;
                _closer.Change(Timeout.Infinite, Timeout.Infinite);
                _closer.Change(KeepOpen, KeepOpen);
            }
        }

        /// <summary>An operation ended (the caller held <see cref="Gate"/>).</summary>
        public void Release()
        {
            Interlocked.Exchange(ref _lastUse, Environment.TickCount64);
            Gate.Release();
        }

        private void CloseWhenIdle()
        {
            if (!Gate.Wait(0))
            {
                return; // an operation runs; the timer looks again.
            }

            try
            {
                if (_keeper is not null && Environment.TickCount64 - Interlocked.Read(ref _lastUse) >= (long)KeepOpen.TotalMilliseconds)
                {
                    _keeper.Dispose();
                    _keeper = null;
                    _closer.Change(Timeout.Infinite, Timeout.Infinite);
                }
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    private DuckDBConnection Connect()
    {
        var file = Files.GetOrAdd(Path, path => new OpenFile(path));
        if (!file.Gate.Wait(LockTimeout))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"the platform store {Path} stayed busy for {LockTimeout.TotalSeconds:0} s; try again.");
        }

        var deadline = DateTime.UtcNow + LockTimeout;
        for (var attempt = 0; ; attempt++)
        {
            DuckDBConnection? connection = null;
            try
            {
                file.Keep(_connectionString);
                connection = new DuckDBConnection(_connectionString);
                connection.Open();
                connection.Disposed += (_, _) => file.Release();
                return connection;
            }
            catch (DuckDBException ex) when (IsLocked(ex) && DateTime.UtcNow < deadline)
            {
                // Another process holds the file for one operation: wait for it, with a growing pause.
                connection?.Dispose();
                Thread.Sleep(Math.Min(500, 20 * (attempt + 1)));
            }
            catch (DuckDBException ex)
            {
                connection?.Dispose();
                file.Gate.Release();
                throw new LakeException(IsLocked(ex) ? LakeErrorKind.Conflict : LakeErrorKind.Corrupt,
                    IsLocked(ex)
                        ? $"the platform store {Path} is held by another process for longer than {LockTimeout.TotalSeconds:0} s: {ex.Message}"
                        : $"the platform store {Path} cannot be opened: {ex.Message}", ex);
            }
            catch
            {
                connection?.Dispose();
                file.Gate.Release();
                throw;
            }
        }
    }

    /// <summary>DuckDB's "Could not set lock on file" (another process holds the database).</summary>
    private static bool IsLocked(DuckDBException ex) =>
        ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);

    private static DuckDBCommand Command(DuckDBConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        }

        return command;
    }

    private static void Execute(DuckDBConnection connection, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = Command(connection, sql, []);
        return command.ExecuteScalar();
    }
}
