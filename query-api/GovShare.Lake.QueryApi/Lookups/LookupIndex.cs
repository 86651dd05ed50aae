using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Engine;
using GovShare.Lake.QueryApi.Engine;

namespace GovShare.Lake.QueryApi.Lookups;

/// <summary>One provider's current record of a key: its attributes as JSON.</summary>
/// <param name="Part">Which part of the answer the row belongs to (<c>self</c>, <c>licence</c>, <c>entity</c>).</param>
/// <param name="Key">The record's key.</param>
/// <param name="Dataset">The provider table (catalogue entry id).</param>
/// <param name="Agency">The providing agency.</param>
/// <param name="TableVersion">The provider table's Delta version the row was read at.</param>
/// <param name="Payload">The attributes, as a JSON object.</param>
public sealed record ProviderRow(string Part, string Key, string Dataset, string Agency, long TableVersion, JsonElement Payload);

/// <summary>Each base table's providers and the attributes they are the authority for, at one lake version.</summary>
internal sealed class LookupAuthorities(IReadOnlyDictionary<BaseTable, IReadOnlyDictionary<string, IReadOnlySet<string>>> byTable)
{
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> None = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);

    /// <summary>A base table's providers (dataset ids) and their authoritative attributes.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Of(BaseTable table) => byTable.TryGetValue(table, out var found) ? found : None;
}

/// <summary>The keys of an index table's rows and the other columns lookups search by.</summary>
internal sealed record IndexedTable(BaseTable Table, IReadOnlyList<string> SearchColumns);

/// <summary>The lookup index: per base table, every provider's current record of every key, in a
/// <see cref="LookupSegment"/> searchable by the key and by the columns related records are found by (a licence's holder,
/// an entity's legal representative, organisation code and licence number). Rebuilt in the background when a lake version
/// changes a table's providers (a base table whose providers did not change keeps its segment); until the first build is
/// ready, lookups read the Parquet files of the latest version through DuckDB (slower, same answers).</summary>
public sealed partial class LookupIndex : IDisposable
{
    internal static readonly IndexedTable Persons = new(BaseDatabaseCatalog.Persons, []);
    internal static readonly IndexedTable Entities = new(BaseDatabaseCatalog.Entities, ["org_code", "licence_reg_no", "legal_rep_id_number"]);
    internal static readonly IndexedTable Licences = new(BaseDatabaseCatalog.Licences, ["holder_key"]);
    private static readonly IndexedTable[] Indexed = [Persons, Entities, Licences];

    private readonly LakeEngine _engine;
    private readonly ILogger<LookupIndex> _logger;
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private readonly Lock _gate = new();
    private IndexState? _state;
    private int _pending;
    private string? _folder;

    /// <summary>An index over the engine's lake.</summary>
    public LookupIndex(LakeEngine engine, ILogger<LookupIndex> logger)
    {
        _engine = engine;
        _logger = logger;
    }

    /// <summary>The lake folder.</summary>
    public string LakeRoot => _engine.Layout.Root;

    /// <summary>The lake version the index answers from, or null while the first build runs.</summary>
    public long? Version => _state?.Lease.Version;

    /// <summary>A base table's segment, with the provider versions it was built from.</summary>
    private sealed record IndexTable(LookupSegment Segment, string Sources);

    private sealed record IndexState(LakeLease Lease, IReadOnlyDictionary<BaseTable, IndexTable> Tables, LookupAuthorities Authorities);

    /// <summary>Asks for a rebuild on the latest version; returns at once (the build runs in the background, one at a time).</summary>
    public void RequestRebuild()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            await _rebuild.WaitAsync();
            try
            {
                Interlocked.Exchange(ref _pending, 0);
                RebuildLatest();
            }
            catch (Exception ex)
            {
                LogBuildFailed(ex.GetType().Name, GovShare.Lake.Identifiers.CitizenIdNumber.MaskWithin(ex.Message));
            }
            finally
            {
                _rebuild.Release();
            }
        });
    }

    /// <summary>Builds the index on the latest version now (the caller waits, also for a build already running),
    /// reusing unchanged tables.</summary>
    public void Rebuild()
    {
        _rebuild.Wait();
        try
        {
            RebuildLatest();
        }
        finally
        {
            _rebuild.Release();
        }
    }

    // Runs with _rebuild held: one build at a time.
    private void RebuildLatest()
    {
        var lease = _engine.Pin(null);
        var previous = _state;
        if (previous is not null && previous.Lease.Version == lease.Version && previous.Lease.Catalog == lease.Catalog)
        {
            lease.Dispose();
            return;
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var tables = new Dictionary<BaseTable, IndexTable>();
        var built = 0;
        var folder = SegmentFolder();
        try
        {
            using var connection = _engine.ConnectInternal();
            foreach (var indexed in Indexed)
            {
                var sources = SourcesKey(lease, indexed.Table);
                if (previous?.Tables.TryGetValue(indexed.Table, out var kept) == true && kept.Sources == sources)
                {
                    tables[indexed.Table] = kept;
                    continue;
                }

                // Named by what it holds: the same providers at the same versions (and the same query over them) are the
                // same file, whichever host built it and when.
                var rowsQuery = RowsQuery(lease, indexed);
                var name = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sources + "\n" + rowsQuery)))[..24];
                var path = Path.Combine(folder, $"{indexed.Table.Name}-{name}.seg");
                var segment = LookupSegment.Open(path);
                if (segment is null)
                {
                    segment = LookupSegment.Build(connection, rowsQuery, indexed.SearchColumns, path, CancellationToken.None);
                    built++;
                }

                tables[indexed.Table] = new IndexTable(segment, sources);
                DeleteOthers(folder, indexed.Table.Name, path);
            }
        }
        catch
        {
            foreach (var table in tables.Values.Where(t => previous?.Tables.Values.Contains(t) != true))
            {
                table.Segment.Dispose();
            }

            lease.Dispose();
            throw;
        }

        lock (_gate)
        {
            _state = new IndexState(lease, tables, AuthoritiesOf(lease));
        }

        LogBuilt(lease.Version, tables.Values.Sum(t => t.Segment.Rows), started.ElapsedMilliseconds, built);
        if (previous is null)
        {
            return;
        }

        // Requests that started on the old segments finish long before they are closed.
        var dropped = previous.Tables.Values.Where(t => !tables.Values.Contains(t)).ToList();
        _ = Task.Delay(_engine.Options.QueryTimeout + TimeSpan.FromSeconds(5)).ContinueWith(_ =>
        {
            foreach (var table in dropped)
            {
                table.Segment.Dispose();
            }

            previous.Lease.Dispose();
        }, TaskScheduler.Default);
    }

    /// <summary>The rows of a lookup: <paramref name="parts"/> pairs a base table and the column to match with the
    /// part name the rows get. Answers from the index, or from the lake's files while the index is being built.</summary>
    internal (long Version, IReadOnlyList<ProviderRow> Rows, LookupAuthorities Authorities) Find(string key, params (string Part, IndexedTable Table, string Column)[] parts)
    {
        for (var attempt = 0; _state is { } state; attempt++)
        {
            try
            {
                var found = new List<ProviderRow>();
                foreach (var (part, table, column) in parts)
                {
                    found.AddRange(state.Tables[table.Table].Segment.Find(part, column, key));
                }

                return (state.Lease.Version, found, state.Authorities);
            }
            catch (ObjectDisposedException) when (attempt < 3 && !ReferenceEquals(state, _state))
            {
                // A reader that slept past the old index's retirement reads the new one.
            }
        }

        // Before the first build: the same rows, straight from the lake's files.
        using var fallback = _engine.Pin(null);
        var sql = new StringBuilder();
        foreach (var (part, table, column) in parts)
        {
            if (sql.Length > 0)
            {
                sql.Append(" UNION ALL ");
            }

            sql.Append(CultureInfo.InvariantCulture,
                $"SELECT {LakeDuckDb.Literal(part)}, key, dataset, agency, table_version, payload FROM ({RowsQuery(fallback, table)}) WHERE {LakeDuckDb.Identifier(column)} = $k");
        }

        using var connection = _engine.ConnectInternal();
        using var command = connection.CreateCommand();
        command.CommandText = sql.ToString();
        command.Parameters.Add(new DuckDBParameter("k", key));
        using var reader = command.ExecuteReader();
        var rows = new List<ProviderRow>();
        while (reader.Read())
        {
            using var payload = JsonDocument.Parse(reader.GetString(5));
            rows.Add(new ProviderRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                payload.RootElement.Clone()));
        }

        return (fallback.Version, rows, AuthoritiesOf(fallback));
    }

    /// <summary>Each base table's providers and the attributes they are the authority for, at a lease's version.</summary>
    private static LookupAuthorities AuthoritiesOf(LakeLease lease) =>
        new(lease.Open.Sources.ToDictionary(
            t => t.Key,
            t => (IReadOnlyDictionary<string, IReadOnlySet<string>>)t.Value.ToDictionary(s => s.DatasetId, s => s.Authoritative, StringComparer.Ordinal)));

    /// <summary>The lake's folder of segments (<c>tmp/lookup/segments</c>), shared by every host on the lake: a segment
    /// is named by what it holds and never changed once written. When first used: files a build left unfinished by a
    /// process that is gone, and the per-process folders of earlier builds (<c>tmp/lookup/&lt;pid&gt;.&lt;n&gt;</c>), are deleted.</summary>
    private string SegmentFolder()
    {
        if (_folder is not null)
        {
            return _folder;
        }

        var parent = Path.Combine(_engine.Layout.Root, "tmp", "lookup");
        var folder = Path.Combine(parent, "segments");
        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.EnumerateDirectories(parent).Where(d => Path.GetFileName(d) != "segments"))
        {
            var owner = Path.GetFileName(stale).Split('.')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                TryDelete(() => Directory.Delete(stale, recursive: true));
            }
        }

        foreach (var part in Directory.EnumerateFiles(folder, "*.part"))
        {
            // <name>.<pid>.<guid>.part
            var pieces = Path.GetFileName(part).Split('.');
            if (pieces.Length >= 4 && int.TryParse(pieces[^3], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                TryDelete(() => File.Delete(part));
            }
        }

        _folder = folder;
        return folder;
    }

    /// <summary>Deletes a table's segments other than <paramref name="kept"/>: no host needs them any more (one that
    /// still has one open keeps reading it, deleted files stay readable while open), and a host on an older version
    /// would build its own.</summary>
    private static void DeleteOthers(string folder, string table, string kept)
    {
        foreach (var file in Directory.EnumerateFiles(folder, table + "-*.seg").Where(f => f != kept))
        {
            TryDelete(() =>
            {
                File.Delete(LookupSegment.IndexPath(file));
                File.Delete(file);
            });
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
            // Another host cleans at the same moment.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for the next start.
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string SourcesKey(LakeLease lease, BaseTable table) =>
        lease.Open.Sources.TryGetValue(table, out var sources)
            ? string.Join(";", sources.OrderBy(s => s.DatasetId, StringComparer.Ordinal).Select(s => $"{s.DatasetId}@{s.Snapshot.Version}:{string.Join(",", s.Authoritative.Order(StringComparer.Ordinal))}"))
            : "";

    /// <summary>Every provider's current rows of a base table: key, provenance, the attributes as JSON, the search columns.</summary>
    private static string RowsQuery(LakeLease lease, IndexedTable indexed)
    {
        var table = indexed.Table;
        var searchColumns = string.Concat(indexed.SearchColumns.Select(c => ", CAST(NULL AS VARCHAR) AS " + LakeDuckDb.Identifier(c)));
        var empty = $"SELECT CAST(NULL AS VARCHAR) AS key, CAST(NULL AS VARCHAR) AS dataset, CAST(NULL AS VARCHAR) AS agency, " +
            $"CAST(NULL AS BIGINT) AS table_version, CAST(NULL AS VARCHAR) AS payload{searchColumns} WHERE false";
        if (!lease.Open.Sources.TryGetValue(table, out var sources) || sources.Count == 0)
        {
            return empty;
        }

        var parts = new List<string>();
        foreach (var source in sources.OrderBy(s => s.DatasetId, StringComparer.Ordinal))
        {
            var schema = source.Snapshot.Schema;
            var attributes = table.Attributes.Where(a => a.Name != table.Key && schema.Find(a.Name) is not null).ToList();
            var payload = attributes.Count == 0
                ? "'{}'"
                : "CAST(to_json(struct_pack(" + string.Join(", ", attributes.Select(a => $"{LakeDuckDb.Identifier(a.Name)} := p.{LakeDuckDb.Identifier(a.Name)}")) + ")) AS VARCHAR)";
            var search = string.Concat(indexed.SearchColumns.Select(c =>
                schema.Find(c) is null ? $", CAST(NULL AS VARCHAR) AS {LakeDuckDb.Identifier(c)}" : $", CAST(p.{LakeDuckDb.Identifier(c)} AS VARCHAR) AS {LakeDuckDb.Identifier(c)}"));
            var current = schema.Find("record_status") is null ? "" : $" AND p.record_status = '{BaseTable.CurrentRecord}'";
            parts.Add($"SELECT CAST(p.{LakeDuckDb.Identifier(table.Key)} AS VARCHAR) AS key, {LakeDuckDb.Literal(source.DatasetId)} AS dataset, " +
                $"{LakeDuckDb.Literal(source.Agency)} AS agency, CAST({source.Snapshot.Version.ToString(CultureInfo.InvariantCulture)} AS BIGINT) AS table_version, " +
                $"{payload} AS payload{search} FROM ({source.Snapshot.ToDuckDbQuery()}) p WHERE p.{LakeDuckDb.Identifier(table.Key)} IS NOT NULL{current}");
        }

        return string.Join(" UNION ALL ", parts);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_state is { } state)
        {
            foreach (var table in state.Tables.Values)
            {
                table.Segment.Dispose();
            }

            state.Lease.Dispose();
        }

        _rebuild.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lookup index built on lake version {Version}: {Rows} provider rows in {Milliseconds} ms ({Built} segments written, the rest reused)")]
    private partial void LogBuilt(long version, long rows, long milliseconds, int built);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Building the lookup index failed ({ExceptionType}): {Reason}")]
    private partial void LogBuildFailed(string exceptionType, string reason);
}
