using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Evidence;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Formats;
using GovShare.Lake.Platform;
using GovShare.Lake.Versions;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>Progress of one delivery: bytes of the file read, rows checked.</summary>
/// <param name="BytesRead">Bytes consumed.</param>
/// <param name="TotalBytes">The file's size.</param>
/// <param name="Rows">Rows read so far.</param>
/// <param name="Stage">reading, checking duplicates, committing.</param>
public readonly record struct IngestProgress(long BytesRead, long TotalBytes, long Rows, string Stage);

/// <summary>Turns one delivered file into one batch of the dataset's provider table: every row checked per the
/// catalogue entry, failures quarantined with the reason, duplicate keys quarantined together, the whole
/// delivery refused above the entry's quarantine threshold, then one commit of the provider table (upsert,
/// full-snapshot endings, deletion markers) and its quarantine table, idempotent per file content.</summary>
/// <remarks>Two Delta tables cannot commit atomically together. The quarantine is committed first, then the
/// provider table, both with the batch's <c>txn</c>; the provider commit is the batch's commit point.
/// Quarantine rows of a batch whose provider commit never happened (a crash in between) are not visible
/// through <see cref="QuarantineTables.VisibleQuery"/>, and a re-delivery of the file completes the batch
/// without duplicating them (the quarantine <c>txn</c> is already there).</remarks>
public sealed class DeliveryIngestor(LakeLayout layout, IPlatformStore store, IdentifierValidator validator, TimeProvider clock)
{
    /// <summary>DuckDB memory for staging one delivery; more spills to <c>&lt;lake&gt;/.tmp/</c>.</summary>
    public const string StagingMemoryLimit = "2GB";

    /// <summary>The prefix of the Delta <c>txn</c> app ids of ingestion batches.</summary>
    public const string TxnPrefix = "govshare.batch.";

    /// <summary>Ingests a file into a dataset. Whole-file problems (an unknown dataset, an unreadable file)
    /// are reported as <see cref="BatchStatus.Failed"/> and recorded; nothing is committed then.</summary>
    public BatchReport Ingest(string file, string datasetId, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var revision = store.FindCatalogueEntry(datasetId)
            ?? throw new LakeException(LakeErrorKind.NotFound, $"there is no catalogue entry '{datasetId}'; load it first (govshare catalogue load DIR).");
        if (!File.Exists(file))
        {
            throw new LakeException(LakeErrorKind.NotFound, $"the file {file} does not exist.");
        }

        var started = clock.GetUtcNow();
        var hash = ContentHash(file);
        var batchId = $"{datasetId}-{hash[..16]}";
        var baseReport = new BatchReport
        {
            BatchId = batchId,
            DatasetId = datasetId,
            CatalogueRevision = revision.Revision,
            File = Path.GetFileName(file),
            ContentHash = hash,
            Threshold = revision.Entry.QuarantineThreshold,
            StartedAt = started,
        };
        if (store.FindBatch(batchId) is { Status: "committed" } earlier && IsCommitted(datasetId, batchId))
        {
            var previous = JsonSerializer.Deserialize<BatchReport>(earlier.ReportJson, DuckDbPlatformStore.Json)!;
            var again = previous with { Status = BatchStatus.AlreadyCommitted, StartedAt = started, FinishedAt = clock.GetUtcNow() };

            // Still a delivery: the provider says nothing changed, which meets its update deadline (GZ 17).
            store.RecordBatch(earlier with { StartedAt = again.StartedAt, FinishedAt = again.FinishedAt, Repeat = true });
            return again;
        }

        // Outside the try: a calendar the platform cannot read is the platform's problem, not a failure of the file.
        var production = revision.Entry.ProducedAt is null ? null
            : new ProductionJudge(store.NewestProduction(datasetId), started, WorkingCalendar.Load(layout.Root));
        BatchReport report;
        try
        {
            report = Run(revision.Entry, file, baseReport, production, progress, cancellationToken);
        }
        catch (LakeException ex) when (ex.Kind is LakeErrorKind.InvalidInput or LakeErrorKind.Unsupported)
        {
            report = baseReport with { Status = BatchStatus.Failed, Message = CitizenIdNumber.MaskWithin(ex.Message), FinishedAt = clock.GetUtcNow() };
        }

        try
        {
            store.RecordBatch(new BatchRecord(report.BatchId, datasetId, revision.Revision, report.File,
                report.Status == BatchStatus.AlreadyCommitted ? "committed" : BatchReport.StatusName(report.Status),
                report.Read, report.Accepted, report.Quarantined, report.WarningCount, report.Version, report.StartedAt, report.FinishedAt,
                JsonSerializer.Serialize(report, DuckDbPlatformStore.Json))
            {
                ProducedNewest = report.ProducedNewest,
                LateRows = report.LateRows,
                OldestLate = report.OldestLate,
            });

            // The new table version becomes part of the next lake version, which readers pin to.
            if (report.Status == BatchStatus.Committed)
            {
                LakeVersions.Sync(layout, store, clock);
            }
        }
        catch (LakeException ex) when (report.Status == BatchStatus.Committed)
        {
            throw new LakeException(ex.Kind,
                $"batch {report.BatchId} was committed (provider table version {report.Version}) but could not be recorded in the platform store: " +
                $"{ex.Message} Ingest the same file again to record it; nothing will be committed twice.", ex);
        }

        return report;
    }

    private bool IsCommitted(string datasetId, string batchId)
    {
        var path = layout.ProviderTable(datasetId);
        return DeltaTable.Exists(path) && DeltaTable.Open(path).Snapshot().Transactions.ContainsKey(TxnPrefix + batchId);
    }

    private BatchReport Run(CatalogueEntry entry, string file, BatchReport report, ProductionJudge? production, IProgress<IngestProgress>? progress,
        CancellationToken cancellationToken)
    {
        RemoveLeftovers(Path.Combine(layout.Root, ".tmp"));
        var temp = Path.Combine(layout.Root, ".tmp", "ingest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            using var connection = LakeDuckDb.OpenInMemory();
            LakeDuckDb.Execute(connection, $"SET temp_directory = {LakeDuckDb.Literal(temp)}");
            LakeDuckDb.Execute(connection, "SET preserve_insertion_order = false");
            // Staging spills to the lake's temp folder beyond this, so a 13-million-row delivery stays bounded.
            LakeDuckDb.Execute(connection, $"SET memory_limit = '{StagingMemoryLimit}'");
            using var source = RecordSources.Open(file, entry);
            var checker = new RowChecker(entry, source.Columns, validator, ChinaTime.Today(clock), SealKey(entry), production);
            report = report with { SealKey = checker.SealKey is { } sealKey ? $"{sealKey.AgencyCode} key {sealKey.KeyId}" : null };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var staged = Stage(connection, entry, source, checker, new FileInfo(file).Length, temp, progress, cancellationToken);
            report = report with { ReadAs = source.Description };
            watch.Restart();
            progress?.Report(new IngestProgress(new FileInfo(file).Length, new FileInfo(file).Length, staged.Read, "checking duplicate keys"));
            QuarantineDuplicates(connection, entry, file, checker, staged);
            staged.Seconds["duplicate keys"] = watch.Elapsed.TotalSeconds;
            watch.Restart();

            var quarantined = staged.Quarantined;
            report = report with
            {
                Read = staged.Read,
                Accepted = staged.Read - quarantined,
                Quarantined = quarantined,
                QuarantineReasons = staged.Reasons.Summary(),
                Warnings = staged.Warnings.Summary(),
            };
            if (report.Read > 0 && report.QuarantineRate > entry.QuarantineThreshold)
            {
                var top = string.Join(", ", report.QuarantineReasons.Take(3).Select(r => $"{r.Code} {r.Count:N0}"));
                return report with
                {
                    Status = BatchStatus.Refused,
                    Message = $"{report.QuarantineRate:P1} of the rows failed the checks, more than the entry's threshold of {entry.QuarantineThreshold:P0} " +
                        $"(top reasons: {top}); nothing was committed",
                    FinishedAt = clock.GetUtcNow(),
                    Stages = staged.Seconds,
                };
            }

            progress?.Report(new IngestProgress(new FileInfo(file).Length, new FileInfo(file).Length, staged.Read, "committing"));
            var committed = Commit(connection, entry, report with { Stages = staged.Seconds }, staged);
            if (staged.Production is { } tally && !committed.IsRejected)
            {
                committed = committed with { ProducedNewest = tally.Newest, LateRows = tally.Late, OldestLate = tally.OldestLate };
            }

            staged.Seconds["commit"] = watch.Elapsed.TotalSeconds;
            return committed with { Stages = staged.Seconds };
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A leftover is removed by a later ingestion (RemoveLeftovers).
            }
        }
    }

    /// <summary>The key a licence entry's seals are verified with: the delivering agency's registered seal key. The
    /// entry's agency, not the record's <c>issuing_agency</c>: that attribute is the name printed on the licence
    /// (often a district bureau), not a platform agency code, and the delivering agency is the licence's one
    /// authoritative source (GZ 13, PX 15).</summary>
    private IssuerKey? SealKey(CatalogueEntry entry) =>
        entry.Table.QualifiedName == BaseDatabaseCatalog.Licences.QualifiedName && entry.Fields.Any(f => f.Target == "seal")
            ? new IssuerKeys(layout).Find(entry.Agency.Code)
            : null;

    /// <summary>Deletes staging folders of ingestions that died (killed, power lost) more than a day ago.</summary>
    private void RemoveLeftovers(string tempRoot)
    {
        if (!Directory.Exists(tempRoot))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(tempRoot, "ingest-*"))
        {
            try
            {
                if (clock.GetUtcNow() - new DateTimeOffset(Directory.GetLastWriteTimeUtc(folder), TimeSpan.Zero) > TimeSpan.FromDays(1))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another process may be using it; the next run tries again.
            }
        }
    }

    /// <summary>What staging found: counts and the reasons, kept in bounded memory (rows live in DuckDB).</summary>
    private sealed class Staged
    {
        public long Read { get; set; }

        public long Quarantined { get; set; }

        public ReasonTally Reasons { get; } = new();

        public ReasonTally Warnings { get; } = new();

        public required IReadOnlyList<string> Columns { get; init; }

        public Dictionary<string, double> Seconds { get; } = [];

        /// <summary>Keys seen more than once while staging (by a 64-bit hash, so a few may be collisions).</summary>
        public IReadOnlyCollection<string> RepeatedKeys { get; set; } = [];

        /// <summary>Malformed rows whose key could not be read at all: a full snapshot cannot tell what they hold.</summary>
        public long UnkeyedRejects { get; set; }

        /// <summary>The accepted rows' production times (entries with producedAt), or null.</summary>
        public ProductionTally? Production { get; set; }
    }

    /// <summary>read = accepted + quarantined is measured, not assumed: the staging table must hold exactly the
    /// rows the checks accepted.</summary>
    private static void EnsureStaged(DuckDBConnection connection, long expected, string step)
    {
        var actual = Convert.ToInt64(LakeDuckDb.Scalar(connection, "SELECT count(*) FROM staging"), CultureInfo.InvariantCulture);
        if (actual != expected)
        {
            throw new LakeException(LakeErrorKind.Corrupt, $"{step} staged {actual:N0} rows instead of {expected:N0}; nothing was committed.");
        }
    }

    private Staged Stage(
        DuckDBConnection connection, CatalogueEntry entry, IRecordSource source, RowChecker checker, long totalBytes, string temp,
        IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", checker.Fields.Select(f => $"{LakeDuckDb.Identifier(f.Attribute.Name)} {DeltaTypes.ToDuckDb(f.Attribute.Type)}"));
        LakeDuckDb.Execute(connection, $"CREATE TABLE staging ({columns}, __source_row BIGINT, __deleted BOOLEAN)");
        LakeDuckDb.Execute(connection,
            "CREATE TABLE rejected (source_row BIGINT, source_line BIGINT, raw VARCHAR, field VARCHAR, reason VARCHAR, message VARCHAR)");
        // Keys of quarantined rows: the provider still holds them, so a full snapshot must not end them.
        LakeDuckDb.Execute(connection, "CREATE TABLE rejected_keys (key VARCHAR, source_row BIGINT)");
        var staged = new Staged { Columns = source.Columns, Production = checker.JudgesProduction ? new ProductionTally() : null };

        // Staging uses every core: a reader thread splits the file into batches, workers check them and
        // format the accepted rows as typed tab-separated text, and this thread writes the text, appends the
        // few rejected rows and watches for repeated keys. DuckDB then loads the text in parallel (much faster
        // than appending value by value).
        var accepted = Path.Combine(temp, "accepted.tsv");
        var loop = System.Diagnostics.Stopwatch.StartNew();
        long written = 0;
        var keys = new KeyWatch();
        using (var rejected = connection.CreateAppender("rejected"))
        using (var rejectedKeys = connection.CreateAppender("rejected_keys"))
        using (var writer = new StreamWriter(accepted, false, new System.Text.UTF8Encoding(false), 1 << 20))
        {
            var checkedBatches = RecordBatches.ReadAhead(source, cancellationToken)
                .AsParallel().AsUnordered().WithDegreeOfParallelism(Math.Clamp(Environment.ProcessorCount, 2, 8)).WithMergeOptions(ParallelMergeOptions.NotBuffered)
                .WithCancellation(cancellationToken)
                .Select(batch => CheckedBatch.Check(batch, checker));
            try
            {
                foreach (var batch in checkedBatches)
                {
                    var before = staged.Read;
                    staged.Read += batch.Rows;
                    if ((before >> 16) != (staged.Read >> 16))
                    {
                        progress?.Report(new IngestProgress(source.BytesRead, totalBytes, staged.Read, "reading"));
                    }

                    writer.Write(batch.Text);
                    written += batch.Accepted;
                    foreach (var key in batch.AcceptedKeys)
                    {
                        keys.Add(key);
                    }

                    foreach (var reject in batch.Rejects)
                    {
                        Reject(rejected, staged, reject.Record, source.Columns, reject.First, reject.More);
                        if (reject.Key is { } rejectedKey)
                        {
                            rejectedKeys.CreateRow().AppendValue(rejectedKey).AppendValue(reject.Record.Row).EndRow();
                            keys.Add(rejectedKey);
                        }
                        else if (reject.First.Reason == QuarantineReasons.MalformedRow)
                        {
                            staged.UnkeyedRejects++;
                        }
                    }

                    foreach (var (row, warning) in batch.Warnings)
                    {
                        staged.Warnings.Add(warning.Code, warning.Field, $"row {row}: {warning.Message}");
                    }

                    if (batch.Production is { } production)
                    {
                        (staged.Production ??= new ProductionTally()).Add(production);
                    }
                }
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
            {
                // PLINQ wraps the reader's or a worker's failure (an undecodable byte, a stray quote): keep its type.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            }
        }

        staged.RepeatedKeys = keys.Repeated;
        staged.Seconds["read and check"] = loop.Elapsed.TotalSeconds;
        loop.Restart();
        var types = string.Join(", ", checker.Fields.Select((f, i) => $"'c{i}': '{DeltaTypes.ToDuckDb(f.Attribute.Type)}'"));
        LakeDuckDb.Execute(connection,
            $"INSERT INTO staging SELECT * FROM read_csv({LakeDuckDb.Literal(accepted)}, delim = '\t', header = false, quote = '\"', escape = '\"', " +
            $"nullstr = '{TypedText.Null}', allow_quoted_nulls = false, auto_detect = false, columns = {{{types}, '__source_row': 'BIGINT', '__deleted': 'BOOLEAN'}})");
        File.Delete(accepted);
        EnsureStaged(connection, written, "loading the checked rows");
        staged.Seconds["load staged rows"] = loop.Elapsed.TotalSeconds;
        return staged;
    }

    private static void Reject(DuckDBAppender rejected, Staged staged, SourceRecord record, IReadOnlyList<string> columns, FieldProblem first, IEnumerable<FieldProblem> more)
    {
        var others = more.ToList();
        // Values are echoed in messages ("出生日期 '…' is not a date"); anything shaped like an ID is masked.
        var message = CitizenIdNumber.MaskWithin(others.Count == 0 ? first.Message : $"{first.Message}; also: {string.Join("; ", others.Select(o => o.Message))}");
        rejected.CreateRow()
            .AppendValue(record.Row).AppendValue(record.Line).AppendValue(record.Raw(columns))
            .AppendValue(first.Field).AppendValue(first.Reason).AppendValue(message)
            .EndRow();
        staged.Quarantined++;
        staged.Reasons.Add(first.Reason, first.Field.Length == 0 ? null : first.Field, $"row {record.Row}: {CitizenIdNumber.MaskWithin(first.Message)}");
    }

    /// <summary>Moves every row of a key delivered more than once to quarantine (reason duplicate_key): which
    /// row is right is the provider's call, not a guess. The raw rows are read again from the file.</summary>
    private static void QuarantineDuplicates(DuckDBConnection connection, CatalogueEntry entry, string file, RowChecker checker, Staged staged)
    {
        if (staged.RepeatedKeys.Count == 0)
        {
            return; // no key hash was seen twice, so no key was
        }

        LakeDuckDb.Execute(connection, "CREATE TABLE repeated (k VARCHAR)");
        using (var repeated = connection.CreateAppender("repeated"))
        {
            foreach (var repeatedKey in staged.RepeatedKeys)
            {
                repeated.CreateRow().AppendValue(repeatedKey).EndRow();
            }
        }

        var key = LakeDuckDb.Identifier(checker.Fields[checker.KeyIndex].Attribute.Name);
        LakeDuckDb.Execute(connection,
            // Copies that failed another check count too: the accepted copy of a key whose other copy was
            // quarantined must not be committed as if it were the only one. Only keys whose hash repeated are looked at.
            $"CREATE TABLE duplicates AS WITH a AS (SELECT CAST({key} AS VARCHAR) AS k, __source_row AS r, true AS accepted FROM staging " +
            $"WHERE CAST({key} AS VARCHAR) IN (SELECT k FROM repeated) " +
            $"UNION ALL SELECT key, source_row, false FROM rejected_keys WHERE key IN (SELECT k FROM repeated)), " +
            $"d AS (SELECT k, count(*) AS copies FROM a GROUP BY k HAVING count(*) > 1) " +
            $"SELECT a.r AS source_row, a.k AS key, d.copies FROM a JOIN d USING (k) WHERE a.accepted");
        var count = Convert.ToInt64(LakeDuckDb.Scalar(connection, "SELECT count(*) FROM duplicates"), CultureInfo.InvariantCulture);
        if (count == 0)
        {
            return;
        }

        var rows = new Dictionary<long, (string Key, long Copies)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT source_row, key, copies FROM duplicates";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows[reader.GetInt64(0)] = (reader.GetString(1), reader.GetInt64(2));
            }
        }

        var keyColumn = checker.Fields[checker.KeyIndex].Mapping.Source;
        // The production tally counted the copies as accepted: their late records are taken out again; only when a copy held
        // the newest production time or the oldest late one is the tally counted again over the rows that stay accepted.
        var tally = staged.Production;
        var (lateCopies, recount) = (0L, false);
        var ignored = new List<RowWarning>();
        using (var source = RecordSources.Open(file, entry))
        using (var rejected = connection.CreateAppender("rejected"))
        {
            foreach (var record in source.Records())
            {
                if (rows.TryGetValue(record.Row, out var duplicate))
                {
                    var shown = entry.KeyKind == IdentifierKind.Citizen ? CitizenIdNumber.Mask(duplicate.Key) : duplicate.Key;
                    Reject(rejected, staged, record, source.Columns, new FieldProblem(keyColumn, QuarantineReasons.DuplicateKey,
                        $"{keyColumn} '{shown}' is delivered {duplicate.Copies} times in this file; every copy is quarantined"), []);
                    if (tally is not null && record.Malformed is null)
                    {
                        var produced = checker.Production(record.Values, checker.IsDeletion(record.Values), ignored, out var late);
                        ignored.Clear();
                        lateCopies += late ? 1 : 0;
                        recount |= produced is { } at && (at == tally.Newest || (late && at == tally.OldestLate));
                    }
                }
            }
        }

        if (tally is not null)
        {
            staged.Production = recount ? RecountProduction(connection, entry, file, checker) : tally.WithoutLate(lateCopies);
        }

        LakeDuckDb.Execute(connection, "DELETE FROM staging WHERE __source_row IN (SELECT source_row FROM duplicates)");
        LakeDuckDb.Execute(connection, "INSERT INTO rejected_keys SELECT key, source_row FROM duplicates");
        EnsureStaged(connection, staged.Read - staged.Quarantined, "quarantining duplicate keys");
    }

    /// <summary>The production tally of the rows that stay accepted (every row the <c>rejected</c> table does not hold),
    /// from the file read again: only when a quarantined copy held one of the tally's extremes.</summary>
    private static ProductionTally RecountProduction(DuckDBConnection connection, CatalogueEntry entry, string file, RowChecker checker)
    {
        var quarantined = LakeDuckDb.Strings(connection, "SELECT CAST(source_row AS VARCHAR) FROM rejected")
            .Select(r => long.Parse(r!, CultureInfo.InvariantCulture)).ToHashSet();
        var tally = new ProductionTally();
        var ignored = new List<RowWarning>();
        using var source = RecordSources.Open(file, entry);
        foreach (var record in source.Records())
        {
            if (record.Malformed is null && !quarantined.Contains(record.Row))
            {
                tally.Add(checker.Production(record.Values, checker.IsDeletion(record.Values), ignored, out var late), late);
                ignored.Clear();
            }
        }

        return tally;
    }

    private BatchReport Commit(DuckDBConnection connection, CatalogueEntry entry, BatchReport report, Staged staged)
    {
        var now = clock.GetUtcNow();
        var txn = new TxnAction(TxnPrefix + report.BatchId, 1);
        var parameters = new Dictionary<string, string> { ["dataset"] = entry.Id, ["file"] = report.File };
        var options = new CommitOptions { BatchId = report.BatchId, Transaction = txn, Clock = clock, Parameters = parameters };

        var table = ProviderTables.OpenOrCreate(layout, entry, clock);
        var snapshot = table.Snapshot();
        if (snapshot.Transactions.ContainsKey(txn.AppId))
        {
            return report with { Status = BatchStatus.AlreadyCommitted, Version = snapshot.Version, FinishedAt = clock.GetUtcNow() };
        }

        var key = LakeDuckDb.Identifier(entry.Table.Key);
        var current = $"SELECT * FROM ({snapshot.ToDuckDbQuery()}) t";
        var absent = $"NOT EXISTS (SELECT 1 FROM staging s WHERE s.{key} = t.{key}) AND NOT EXISTS (SELECT 1 FROM rejected_keys r WHERE r.key = CAST(t.{key} AS VARCHAR))";
        long ended = 0, deleted = 0;
        if (entry.Delivery.Mode == DeliveryMode.Full)
        {
            // Decided before anything is committed: a refusal must leave both tables as they were.
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*), count(*) FILTER (WHERE {absent}) FROM ({current}) t WHERE record_status = '{BaseTable.CurrentRecord}'";
            using (var reader = command.ExecuteReader())
            {
                reader.Read();
                var holding = reader.GetInt64(0);
                ended = reader.GetInt64(1);
                if (holding > 0 && report.Accepted == 0)
                {
                    // An empty export (a failed job on the provider's side) must not end everything the lake holds.
                    return report with
                    {
                        Status = BatchStatus.Refused,
                        Message = $"a full snapshot without one accepted row would end all {holding:N0} current records; nothing was committed",
                        FinishedAt = clock.GetUtcNow(),
                    };
                }

                if (staged.UnkeyedRejects == 0 && holding > 0 && ended > entry.MaxEndedShare * holding)
                {
                    return report with
                    {
                        Status = BatchStatus.Refused,
                        Message = $"the snapshot would end {ended:N0} of the {holding:N0} current records ({(double)ended / holding:P0}), more than the entry's " +
                            $"maxEndedShare of {entry.MaxEndedShare:P0} (a truncated export?); nothing was committed",
                        FinishedAt = clock.GetUtcNow(),
                    };
                }
            }

            if (staged.UnkeyedRejects > 0 && ended > 0)
            {
                // A quarantined row whose key cannot be read may be any record: ending absent keys would guess.
                absent = "false";
                ended = 0;
                staged.Warnings.Add(IngestionWarnings.EndingsSkipped, null,
                    $"{staged.UnkeyedRejects:N0} quarantined row(s) have no readable key, so no record was ended; correct them and deliver the snapshot again");
                report = report with { Warnings = staged.Warnings.Summary() };
            }
        }

        var quarantineVersion = CommitQuarantine(connection, entry, report, txn, options, now);
        var select = ProviderColumns(snapshot.Schema, entry, report.BatchId, now);
        var counts = Counts(connection, key, current);
        CommitResult commit;
        if (entry.Delivery.Mode == DeliveryMode.Full)
        {
            var endedColumns = string.Join(", ", snapshot.Schema.Fields.Select(f => f.Name switch
            {
                "record_status" => $"CASE WHEN record_status = '{BaseTable.CurrentRecord}' THEN 'ended' ELSE record_status END AS record_status",
                "ended_at" => $"CASE WHEN record_status = '{BaseTable.CurrentRecord}' THEN {Timestamp(now)} ELSE ended_at END AS ended_at",
                "ended_batch" => $"CASE WHEN record_status = '{BaseTable.CurrentRecord}' THEN {LakeDuckDb.Literal(report.BatchId)} ELSE ended_batch END AS ended_batch",
                var name => LakeDuckDb.Identifier(name),
            }));
            // Written in key order, so that each data file covers a narrow key range: lookups and later merges
            // skip files by their key statistics.
            LakeDuckDb.Execute(connection, "SET preserve_insertion_order = true");
            commit = table.Overwrite(connection,
                $"SELECT * FROM (SELECT {select} FROM staging s UNION ALL " +
                $"SELECT {endedColumns} FROM ({current}) t WHERE {absent} UNION ALL " +
                // Records whose row was quarantined this time stay as they were.
                $"SELECT * FROM ({current}) t WHERE NOT EXISTS (SELECT 1 FROM staging s WHERE s.{key} = t.{key}) AND NOT ({absent})) ORDER BY {key}",
                snapshot, options);
        }
        else
        {
            var deletedColumns = string.Join(", ", snapshot.Schema.Fields.Select(f => f.Name switch
            {
                "record_status" => "'deleted' AS record_status",
                "ended_at" => $"{Timestamp(now)} AS ended_at",
                "ended_batch" => $"{LakeDuckDb.Literal(report.BatchId)} AS ended_batch",
                var name => "t." + LakeDuckDb.Identifier(name),
            }));
            LakeDuckDb.Execute(connection,
                $"CREATE TABLE merge_source AS SELECT {select} FROM staging s WHERE NOT s.__deleted UNION ALL " +
                $"SELECT {deletedColumns} FROM ({current}) t JOIN staging s ON s.{key} = t.{key} AND s.__deleted");
            deleted = Convert.ToInt64(LakeDuckDb.Scalar(connection, "SELECT count(*) FROM merge_source WHERE record_status = 'deleted'"), CultureInfo.InvariantCulture);
            var unknown = LakeDuckDb.Strings(connection,
                $"SELECT CAST(__source_row AS VARCHAR) FROM staging s WHERE s.__deleted AND NOT EXISTS (SELECT 1 FROM ({current}) t WHERE t.{key} = s.{key}) ORDER BY 1").ToList();
            foreach (var row in unknown)
            {
                staged.Warnings.Add(IngestionWarnings.DeletionOfUnknownKey, entry.Delivery.DeletionColumn,
                    $"row {row}: marks a key for deletion that the table does not hold");
            }

            report = report with { Warnings = staged.Warnings.Summary() };
            commit = Convert.ToInt64(LakeDuckDb.Scalar(connection, "SELECT count(*) FROM merge_source"), CultureInfo.InvariantCulture) == 0
                ? table.Append(connection, "SELECT * FROM merge_source", options)
                : table.Merge(connection, "SELECT * FROM merge_source", [entry.Table.Key], null, options);
        }

        return report with
        {
            Status = commit.AlreadyApplied ? BatchStatus.AlreadyCommitted : BatchStatus.Committed,
            Version = commit.Version,
            QuarantineVersion = quarantineVersion,
            Inserted = counts.Inserted,
            Updated = counts.Updated,
            Ended = ended,
            Deleted = deleted,
            FinishedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Commits the batch's quarantined rows. When an earlier attempt at the same batch committed its
    /// quarantine but never its provider table, those rows are replaced (the checks may have changed since: a
    /// new catalogue revision, a date that is no longer in the future), each step with the next txn version.</summary>
    private long? CommitQuarantine(DuckDBConnection connection, CatalogueEntry entry, BatchReport report, TxnAction txn, CommitOptions options, DateTimeOffset now)
    {
        var path = layout.QuarantineTable(entry.Id);
        var earlier = DeltaTable.Exists(path) && DeltaTable.Open(path).Snapshot().Transactions.TryGetValue(txn.AppId, out var version) ? version : (long?)null;
        if (report.Quarantined == 0 && earlier is null)
        {
            return null;
        }

        var quarantine = QuarantineTables.OpenOrCreate(layout, entry.Id, clock);
        long? committed = null;
        var next = 1L;
        if (earlier is { } applied)
        {
            committed = quarantine.Delete($"batch_id = {LakeDuckDb.Literal(report.BatchId)}", options with { Transaction = txn with { Version = applied + 1 } }).Version;
            next = applied + 2;
        }

        if (report.Quarantined > 0)
        {
            committed = quarantine.Append(connection,
                $"SELECT {LakeDuckDb.Literal(report.BatchId)} AS batch_id, {LakeDuckDb.Literal(entry.Id)} AS dataset_id, " +
                $"{LakeDuckDb.Literal(report.File)} AS source_file, source_row, source_line, raw, field, reason, message, " +
                $"{Timestamp(now)} AS quarantined_at FROM rejected ORDER BY source_row", options with { Transaction = txn with { Version = next } }).Version;
        }

        return committed;
    }

    /// <summary>Upserted keys the table did not hold (inserted) and did (updated).</summary>
    private static (long Inserted, long Updated) Counts(DuckDBConnection connection, string key, string current)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT count(*) FILTER (WHERE t.k IS NULL), count(*) FILTER (WHERE t.k IS NOT NULL) " +
            $"FROM staging s LEFT JOIN (SELECT {key} AS k FROM ({current}) c) t ON t.k = s.{key} WHERE NOT s.__deleted";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The provider table's columns from a staged row: mapped attributes, provenance, NULL for attributes
    /// an earlier revision mapped and this one does not.</summary>
    private static string ProviderColumns(DeltaSchema schema, CatalogueEntry entry, string batchId, DateTimeOffset now)
    {
        var mapped = entry.Fields.Select(f => f.Target).ToHashSet(StringComparer.Ordinal);
        return string.Join(", ", schema.Fields.Select(f => f.Name switch
        {
            "providing_agency" => $"{LakeDuckDb.Literal(entry.Agency.Code)} AS providing_agency",
            "batch_id" => $"{LakeDuckDb.Literal(batchId)} AS batch_id",
            "ingested_at" => $"{Timestamp(now)} AS ingested_at",
            "source_row" => "s.__source_row AS source_row",
            "record_status" => $"'{BaseTable.CurrentRecord}' AS record_status",
            "ended_at" => "CAST(NULL AS TIMESTAMPTZ) AS ended_at",
            "ended_batch" => "CAST(NULL AS VARCHAR) AS ended_batch",
            var name when mapped.Contains(name) => $"s.{LakeDuckDb.Identifier(name)}",
            var name => $"CAST(NULL AS {f.DuckDbType}) AS {LakeDuckDb.Identifier(name)}",
        }));
    }

    private static string Timestamp(DateTimeOffset instant) =>
        $"TIMESTAMPTZ '{instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'";

    /// <summary>SHA-256 of a file, hex.</summary>
    public static string ContentHash(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>Counts per reason with the first examples (bounded memory however many rows fail).</summary>
internal sealed class ReasonTally
{
    private readonly Dictionary<string, (long Count, Dictionary<string, long> Fields, List<string> Examples)> _reasons = new(StringComparer.Ordinal);

    public void Add(string code, string? field, string example)
    {
        if (!_reasons.TryGetValue(code, out var entry))
        {
            entry = (0, new Dictionary<string, long>(StringComparer.Ordinal), []);
        }

        if (field is not null)
        {
            entry.Fields[field] = entry.Fields.GetValueOrDefault(field) + 1;
        }

        if (entry.Examples.Count < 5)
        {
            entry.Examples.Add(example);
        }

        _reasons[code] = (entry.Count + 1, entry.Fields, entry.Examples);
    }

    public IReadOnlyList<ReasonCount> Summary() =>
        _reasons.OrderByDescending(r => r.Value.Count).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new ReasonCount(r.Key, r.Value.Fields.Count == 0 ? null : r.Value.Fields.MaxBy(f => f.Value).Key, r.Value.Count, r.Value.Examples.ToList()))
            .ToList();
}
