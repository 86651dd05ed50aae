using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Delta;

public sealed partial class DeltaTable
{
    /// <summary>Commits that are followed by a Parquet checkpoint: every tenth version.</summary>
    public const int CheckpointInterval = 10;

    /// <summary>Creates a table (version 0) with a schema, optional partition columns and optional key columns
    /// (recorded in the configuration, so that the change feed can match rows).</summary>
    /// <exception cref="LakeException">A table already exists there, or the schema is unusable.</exception>
    public static DeltaTable Create(
        string path, DeltaSchema schema, IReadOnlyList<string>? partitionColumns = null,
        IReadOnlyDictionary<string, string>? configuration = null, string? name = null, string? description = null,
        TimeProvider? clock = null, IReadOnlyList<string>? keyColumns = null)
    {
        var table = new DeltaTable(path);
        var settings = new Dictionary<string, string>(configuration ?? new Dictionary<string, string>());
        if (keyColumns is { Count: > 0 })
        {
            if (keyColumns.FirstOrDefault(k => schema.Find(k) is null) is { } unknown)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"the key column '{unknown}' is not in the schema.");
            }

            settings[KeyColumnsConfiguration] = string.Join(",", keyColumns);
        }

        foreach (var column in partitionColumns ?? [])
        {
            if (schema.Find(column) is null)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"the partition column '{column}' is not in the schema.");
            }
        }

        var now = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        var metadata = new MetadataAction(
            Guid.NewGuid().ToString(), name, description, new FormatSpec("parquet", new Dictionary<string, string>()),
            schema.ToJson(), partitionColumns?.ToArray() ?? [], settings, now);
        DeltaAction[] actions =
        [
            new() { CommitInfo = CommitInfo(now, "CREATE TABLE", new Dictionary<string, string> { ["partitionBy"] = string.Join(",", metadata.PartitionColumns) }, null, null) },
            new() { Protocol = new ProtocolAction(SupportedReaderVersion, SupportedWriterVersion) },
            new() { Metadata = metadata },
        ];
        Directory.CreateDirectory(table.Path);
        if (!table._log.TryWriteCommit(0, actions))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"a Delta table already exists at {table.Path}.");
        }

        return table;
    }

    /// <summary>Adds the rows of a query (run on <paramref name="connection"/>, so it may use that
    /// connection's temporary tables) to the table. Appends never conflict with other writers.</summary>
    public CommitResult Append(DuckDBConnection connection, string sourceQuery, CommitOptions? options = null) =>
        Write(connection, sourceQuery, options ?? new CommitOptions(), overwrite: false);

    /// <summary>Replaces every row of the table with the rows of a query.</summary>
    public CommitResult Overwrite(DuckDBConnection connection, string sourceQuery, CommitOptions? options = null) =>
        Write(connection, sourceQuery, options ?? new CommitOptions(), overwrite: true);

    /// <summary>Replaces every row of <paramref name="basis"/> (a snapshot the query itself read) with the rows
    /// of a query; a commit by another writer since that snapshot is a conflict, never silently lost.</summary>
    public CommitResult Overwrite(DuckDBConnection connection, string sourceQuery, DeltaSnapshot basis, CommitOptions? options = null) =>
        Write(connection, sourceQuery, options ?? new CommitOptions(), overwrite: true, basis);

    /// <summary>Append or overwrite, planned on <paramref name="basis"/> (the latest version unless a test
    /// simulates a writer that read an older one).</summary>
    internal CommitResult Write(DuckDBConnection connection, string sourceQuery, CommitOptions options, bool overwrite, DeltaSnapshot? basis = null)
    {
        var snapshot = basis ?? Snapshot();
        if (AlreadyApplied(snapshot, options) is { } skipped)
        {
            return skipped;
        }

        var adds = DeltaFileWriter.Write(connection, Path, snapshot.Schema, snapshot.PartitionColumns, sourceQuery, dataChange: true);
        var rows = adds.Sum(a => FileStatistics.Parse(a.Stats)?.NumRecords ?? 0);
        return overwrite
            ? CommitWithRetry(snapshot, "WRITE", options, adds, snapshot.Files.Values.ToList(), rows, 0, snapshot.RecordCountFromStats ?? 0,
                Isolation.ReadsData, new Dictionary<string, string> { ["mode"] = "Overwrite" })
            : CommitWithRetry(snapshot, "WRITE", options, adds, [], rows, 0, 0,
                Isolation.BlindAppend, new Dictionary<string, string> { ["mode"] = "Append" });
    }

    /// <summary>Adds nullable columns to the schema (a metadata-only commit; existing files read them as
    /// NULL): how a provider table follows a catalogue revision that maps more attributes. Columns the
    /// table already has are skipped; nothing to add is no commit.</summary>
    /// <exception cref="LakeException">A column is not nullable, or another writer committed meanwhile.</exception>
    public CommitResult AddColumns(IReadOnlyList<DeltaField> fields, CommitOptions? options = null)
    {
        options ??= new CommitOptions();
        var snapshot = Snapshot();
        var added = fields.Where(f => snapshot.Schema.Find(f.Name) is null).ToList();
        if (added.Count == 0)
        {
            return new CommitResult(snapshot.Version, true, 0, 0, 0, 0, 0);
        }

        if (added.FirstOrDefault(f => !f.Nullable) is { } required)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"the added column '{required.Name}' must be nullable: existing rows have no value.");
        }

        var now = options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var schema = new DeltaSchema(snapshot.Schema.Fields.Concat(added));
        DeltaAction[] actions =
        [
            new() { CommitInfo = CommitInfo(now, "ADD COLUMNS", new Dictionary<string, string> { ["columns"] = string.Join(",", added.Select(f => f.Name)) }, null, options.BatchId, false) },
            new() { Metadata = snapshot.Metadata with { SchemaString = schema.ToJson() } },
        ];
        if (!_log.TryWriteCommit(snapshot.Version + 1, actions))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"adding columns to {Path} conflicts with a commit by another writer; retry.");
        }

        TryCheckpoint(snapshot.Version + 1);
        return new CommitResult(snapshot.Version + 1, false, 0, 0, 0, 0, 0);
    }

    /// <summary>Deletes the rows for which a SQL predicate over the table's columns is true, rewriting only
    /// the files that hold such rows (copy-on-write).</summary>
    public CommitResult Delete(string predicate, CommitOptions? options = null)
    {
        options ??= new CommitOptions();
        var snapshot = Snapshot();
        if (AlreadyApplied(snapshot, options) is { } skipped)
        {
            return skipped;
        }

        using var connection = LakeDuckDb.OpenShared();
        var byPath = snapshot.Files.Values.ToDictionary(snapshot.FullPath, StringComparer.Ordinal);
        var affected = LakeDuckDb.Strings(connection,
                $"SELECT DISTINCT {DeltaSnapshot.FileColumn} FROM ({snapshot.ToDuckDbQuery(snapshot.Files.Values, withFileColumn: true)}) t WHERE {predicate}")
            .Select(path => byPath[path!]).ToList();
        if (affected.Count == 0)
        {
            return new CommitResult(snapshot.Version, false, 0, 0, 0, 0, 0);
        }

        var before = Count(connection, snapshot.ToDuckDbQuery(affected));
        var keep = $"SELECT * FROM ({snapshot.ToDuckDbQuery(affected)}) t WHERE ({predicate}) IS NOT TRUE";
        var adds = DeltaFileWriter.Write(connection, Path, snapshot.Schema, snapshot.PartitionColumns, keep, dataChange: true);
        var after = adds.Sum(a => FileStatistics.Parse(a.Stats)?.NumRecords ?? 0);
        return CommitWithRetry(snapshot, "DELETE", options, adds, affected, 0, 0, before - after, Isolation.ReadsData,
            new Dictionary<string, string> { ["predicate"] = predicate });
    }

    /// <summary>Upserts the rows of a query by key (copy-on-write): rows whose key the table holds replace
    /// that row, others are inserted, and source rows matching <paramref name="deleteWhen"/> delete their
    /// key. Only files whose statistics admit a source key are read, and only files that hold one are
    /// rewritten.</summary>
    /// <exception cref="LakeException">The source repeats a key, lacks a column, or another writer changed
    /// the same data first (<see cref="LakeErrorKind.Conflict"/>).</exception>
    public CommitResult Merge(
        DuckDBConnection connection, string sourceQuery, IReadOnlyList<string> keyColumns, string? deleteWhen = null, CommitOptions? options = null) =>
        Merge(connection, Snapshot(), sourceQuery, keyColumns, deleteWhen, options ?? new CommitOptions());

    /// <summary>A merge planned on a given snapshot (the latest, except in tests of concurrent writers).</summary>
    internal CommitResult Merge(
        DuckDBConnection connection, DeltaSnapshot snapshot, string sourceQuery, IReadOnlyList<string> keyColumns, string? deleteWhen, CommitOptions options)
    {
        if (AlreadyApplied(snapshot, options) is { } skipped)
        {
            return skipped;
        }

        if (keyColumns.Count == 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "a merge needs at least one key column.");
        }

        if (keyColumns.FirstOrDefault(k => snapshot.Schema.Find(k) is null) is { } unknownKey)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"the key column '{unknownKey}' is not in the table.");
        }

        var source = "__govshare_merge_" + Guid.NewGuid().ToString("N");
        LakeDuckDb.Execute(connection, $"CREATE TEMP TABLE {source} AS {sourceQuery}");
        try
        {
            return MergeFrom(connection, snapshot, source, keyColumns, deleteWhen, options);
        }
        finally
        {
            LakeDuckDb.Execute(connection, $"DROP TABLE IF EXISTS {source}");
        }
    }

    private CommitResult MergeFrom(
        DuckDBConnection connection, DeltaSnapshot snapshot, string source, IReadOnlyList<string> keyColumns, string? deleteWhen, CommitOptions options)
    {
        var sourceColumns = LakeDuckDb.Strings(connection, $"SELECT column_name FROM (DESCRIBE {source})").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = snapshot.Schema.Fields.Where(f => !sourceColumns.Contains(f.Name!)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"the merge source lacks the column(s) {string.Join(", ", missing)}.");
        }

        var keys = string.Join(", ", keyColumns.Select(LakeDuckDb.Identifier));
        var duplicate = LakeDuckDb.Strings(connection,
            $"SELECT CAST({LakeDuckDb.Identifier(keyColumns[0])} AS VARCHAR) FROM {source} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1").ToList();
        if (duplicate.Count > 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"the merge source has more than one row for the key {CitizenIdNumber.Mask(duplicate[0])}; keys must be unique.");
        }

        var candidates = CandidateFiles(connection, snapshot, source, keyColumns);
        var byPath = snapshot.Files.Values.ToDictionary(snapshot.FullPath, StringComparer.Ordinal);
        var deleted = deleteWhen is null ? "false" : $"({deleteWhen}) IS TRUE";

        // One join of the candidate files' keys with the source (the smaller, build side) finds the files
        // to rewrite and counts the updates and deletions they receive; table keys are unique.
        var affected = new List<AddAction>();
        long matched = 0, deletions = 0;
        if (candidates.Count > 0)
        {
            var keyList = string.Join(", ", keyColumns.Select(k => $"t.{LakeDuckDb.Identifier(k)}"));
            using var command = connection.CreateCommand();
            command.CommandText =
                $"SELECT t.{DeltaSnapshot.FileColumn}, count(*) FILTER (WHERE NOT s.__d), count(*) FILTER (WHERE s.__d) " +
                $"FROM (SELECT {keyList}, t.{DeltaSnapshot.FileColumn} FROM ({snapshot.ToDuckDbQuery(candidates, withFileColumn: true)}) t) t " +
                $"JOIN (SELECT {keys}, {deleted} AS __d FROM {source}) s USING ({keys}) GROUP BY 1";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                affected.Add(byPath[reader.GetString(0)]);
                matched += Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
                deletions += Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture);
            }
        }

        var upserts = Count(connection, $"SELECT 1 FROM {source} WHERE NOT ({deleted})");
        var existing = $"({snapshot.ToDuckDbQuery(affected)})";
        if (upserts == 0 && deletions == 0)
        {
            return new CommitResult(snapshot.Version, false, 0, 0, 0, 0, 0);
        }

        var columns = string.Join(", ", snapshot.Schema.Fields.Select(f => LakeDuckDb.Identifier(f.Name)));
        var rewritten = $"SELECT {columns} FROM {existing} t ANTI JOIN {source} s USING ({keys}) " +
            $"UNION ALL SELECT {columns} FROM {source} s WHERE NOT ({deleted})";
        var adds = DeltaFileWriter.Write(connection, Path, snapshot.Schema, snapshot.PartitionColumns, rewritten, dataChange: true);
        return CommitWithRetry(snapshot, "MERGE", options, adds, affected, upserts - matched, matched, deletions, Isolation.ReadsData,
            new Dictionary<string, string> { ["keys"] = string.Join(",", keyColumns), ["deleteWhen"] = deleteWhen ?? string.Empty });
    }

    /// <summary>Files whose statistics admit at least one source key (single key column: the source's key
    /// range overlaps the file's min/max); a file without statistics is always a candidate.</summary>
    private static List<AddAction> CandidateFiles(DuckDBConnection connection, DeltaSnapshot snapshot, string source, IReadOnlyList<string> keyColumns)
    {
        var key = snapshot.Schema.Find(keyColumns[0])!;
        if (snapshot.PartitionColumns.Contains(key.Name, StringComparer.OrdinalIgnoreCase))
        {
            return snapshot.Files.Values.ToList();
        }

        var range = LakeDuckDb.Strings(connection,
            $"SELECT CAST(min({LakeDuckDb.Identifier(key.Name)}) AS VARCHAR) FROM {source} UNION ALL SELECT CAST(max({LakeDuckDb.Identifier(key.Name)}) AS VARCHAR) FROM {source}").ToList();
        if (range[0] is null || range[1] is null)
        {
            return snapshot.Files.Values.ToList();
        }

        var comparer = StatisticsComparer.For(key);
        return snapshot.Files.Values.Where(file =>
        {
            var stats = FileStatistics.Parse(file.Stats);
            if (comparer is null || stats is null
                || !stats.MinValues.TryGetValue(key.Name, out var low) || low is null
                || !stats.MaxValues.TryGetValue(key.Name, out var high) || high is null)
            {
                return true;
            }

            return comparer(low, range[1]!) <= 0 && comparer(high, range[0]!) >= 0;
        }).ToList();
    }

    private static long Count(DuckDBConnection connection, string query) =>
        Convert.ToInt64(LakeDuckDb.Scalar(connection, $"SELECT count(*) FROM ({query}) c"), CultureInfo.InvariantCulture);

    /// <summary>Refuses to write to a table whose protocol needs a newer writer, then answers whether the
    /// transaction was applied already (so the write is skipped).</summary>
    private static CommitResult? AlreadyApplied(DeltaSnapshot snapshot, CommitOptions options)
    {
        if (snapshot.Protocol.MinWriterVersion > SupportedWriterVersion)
        {
            throw new LakeException(LakeErrorKind.Unsupported,
                $"the table needs Delta writer version {snapshot.Protocol.MinWriterVersion}; GovShare Lake writes version {SupportedWriterVersion}, so it only reads this table.");
        }

        return options.Transaction is { } txn && snapshot.Transactions.TryGetValue(txn.AppId, out var applied) && applied >= txn.Version
            ? new CommitResult(snapshot.Version, true, 0, 0, 0, 0, 0)
            : null;
    }

    /// <summary>What a commit that lost a version race may still be committed on top of.</summary>
    private enum Isolation
    {
        /// <summary>Adds rows without reading any: only a concurrent schema or protocol change conflicts.</summary>
        BlindAppend,

        /// <summary>Rewrites rows it read (delete, merge, overwrite): any concurrent data change conflicts.</summary>
        ReadsData,

        /// <summary>Rewrites files without changing rows (optimize): conflicts only when a concurrent commit
        /// removed one of the same files.</summary>
        Compaction,
    }

    private CommitResult CommitWithRetry(
        DeltaSnapshot basis, string operation, CommitOptions options, List<AddAction> adds, List<AddAction> removes,
        long inserted, long updated, long deleted, Isolation isolation, Dictionary<string, string> parameters,
        bool removeDataChange = true)
    {
        var blindAppend = isolation == Isolation.BlindAppend;
        var now = options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (key, value) in options.Parameters ?? new Dictionary<string, string>())
        {
            parameters[key] = value;
        }

        var metrics = new Dictionary<string, long>
        {
            ["numAddedFiles"] = adds.Count,
            ["numRemovedFiles"] = removes.Count,
            ["numOutputRows"] = adds.Sum(a => FileStatistics.Parse(a.Stats)?.NumRecords ?? 0),
            ["numInsertedRows"] = inserted,
            ["numUpdatedRows"] = updated,
            ["numDeletedRows"] = deleted,
        };
        RefuseNullsInRequiredColumns(basis, adds);
        var actions = new List<DeltaAction> { new() { CommitInfo = CommitInfo(now, operation, parameters, metrics, options.BatchId, blindAppend) } };
        if (options.Transaction is { } txn)
        {
            actions.Add(new DeltaAction { Txn = txn with { LastUpdated = now } });
        }

        actions.AddRange(removes.Select(file => new DeltaAction
        {
            Remove = new RemoveAction(file.Path, now, DataChange: removeDataChange, ExtendedFileMetadata: true, file.PartitionValues, file.Size),
        }));
        actions.AddRange(adds.Select(add => new DeltaAction { Add = add }));

        var version = basis.Version + 1;
        for (var attempt = 1; ; attempt++)
        {
            if (_log.TryWriteCommit(version, actions))
            {
                TryCheckpoint(version);
                return new CommitResult(version, false, inserted, updated, deleted, adds.Count, removes.Count);
            }

            // Other writers won this version (and maybe more): check every commit we missed, then try after the last.
            var latest = LatestVersion() ?? version;
            for (var theirsVersion = version; theirsVersion <= latest; theirsVersion++)
            {
                var theirs = _log.ReadCommit(theirsVersion).ToList();
                if (options.Transaction is { } mine && theirs.Any(a => a.Txn is { } t && t.AppId == mine.AppId && t.Version >= mine.Version))
                {
                    DeleteDataFiles(adds);
                    return new CommitResult(theirsVersion, true, 0, 0, 0, 0, 0);
                }

                var theirRemoves = theirs.Where(a => a.Remove is not null).Select(a => DeltaPaths.Decode(a.Remove!.Path)).ToHashSet(StringComparer.Ordinal);
                var changedData = theirs.Any(a => (a.Add?.DataChange ?? false) || (a.Remove?.DataChange ?? false));
                var conflict = theirs.Any(a => a.Metadata is not null || a.Protocol is not null)
                    || removes.Any(r => theirRemoves.Contains(DeltaPaths.Decode(r.Path)))
                    || (isolation == Isolation.ReadsData && changedData);
                if (conflict)
                {
                    DeleteDataFiles(adds);
                    throw new LakeException(LakeErrorKind.Conflict,
                        $"{operation} on {Path} conflicts with version {theirsVersion}, committed by another writer meanwhile; read the table again and retry.");
                }
            }

            if (attempt >= options.MaxAttempts)
            {
                DeleteDataFiles(adds);
                throw new LakeException(LakeErrorKind.Conflict,
                    $"{operation} on {Path} lost the race for a version {attempt} times in a row; try again later.");
            }

            version = latest + 1;
        }
    }

    /// <summary>A column the schema declares non-nullable (a key) must not receive a null: checked from the
    /// statistics of the files about to be committed, which are deleted when the check fails.</summary>
    private void RefuseNullsInRequiredColumns(DeltaSnapshot basis, List<AddAction> adds)
    {
        foreach (var field in basis.Schema.Fields.Where(f => !f.Nullable && !basis.PartitionColumns.Contains(f.Name)))
        {
            var nulls = adds.Sum(a => FileStatistics.Parse(a.Stats)?.NullCount.GetValueOrDefault(field.Name) ?? 0);
            if (nulls > 0)
            {
                DeleteDataFiles(adds);
                throw new LakeException(LakeErrorKind.InvalidInput, $"{nulls} row(s) have no value for the required column '{field.Name}'; nothing was written.");
            }
        }
    }

    private void DeleteDataFiles(IEnumerable<AddAction> adds)
    {
        foreach (var add in adds)
        {
            File.Delete(DeltaPaths.ToFullPath(Path, add.Path));
        }
    }

    private static JsonObject CommitInfo(
        long timestamp, string operation, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, long>? metrics, string? batchId, bool? blindAppend = null)
    {
        var info = new JsonObject
        {
            ["timestamp"] = timestamp,
            ["operation"] = operation,
            ["operationParameters"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["engineInfo"] = $"GovShare Lake/{BuildInfo.Version}",
        };
        if (metrics is not null)
        {
            info["operationMetrics"] = new JsonObject(metrics.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        }

        if (blindAppend is { } blind)
        {
            info["isBlindAppend"] = blind;
        }

        if (batchId is not null)
        {
            info[CommitInfoKeys.BatchId] = batchId;
        }

        return info;
    }
}
