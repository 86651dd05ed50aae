using System.Globalization;
using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;
using GovShare.Lake.Platform;
using GovShare.Lake.Versions;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>A lake version held open for one request: its views stay in place until the lease is disposed.</summary>
public sealed class LakeLease : IDisposable
{
    private readonly Action _release;
    private int _released;

    internal LakeLease(long version, DateTimeOffset? committedAt, VersionCatalog open, ProfileCatalog? profile, Action release)
    {
        Version = version;
        CommittedAt = committedAt;
        Catalog = profile?.Name ?? open.Name;
        Open = open;
        Profile = profile;
        _release = release;
    }

    /// <summary>The lake version (0 for an empty lake).</summary>
    public long Version { get; }

    /// <summary>When the version was recorded.</summary>
    public DateTimeOffset? CommittedAt { get; }

    /// <summary>The DuckDB catalog holding this version's views.</summary>
    public string Catalog { get; }

    internal VersionCatalog Open { get; }

    /// <summary>The agency's own views of the version, or null when it reads everything.</summary>
    internal ProfileCatalog? Profile { get; }

    /// <summary>The access key the views were built for (empty for full access): exports cached per key.</summary>
    public string AccessKey => Profile?.Key ?? "";

    /// <summary>The datasets a base view draws on that the agency may not read at all, when it may read none of them
    /// (naming such a view is refused); empty otherwise.</summary>
    public IReadOnlyList<string> DeniedSources(string view) =>
        Profile?.Denied.GetValueOrDefault(view.ToLowerInvariant()) ?? [];

    /// <summary>The datasets that would provide a column the agency's view of <paramref name="view"/> leaves out, or
    /// an empty list when the column is not withheld there.</summary>
    public IReadOnlyList<string> WithheldBy(string view, string column) =>
        Profile?.Withheld.GetValueOrDefault(view.ToLowerInvariant())?.GetValueOrDefault(column.ToLowerInvariant()) ?? [];

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release();
        }
    }
}

/// <summary>The views of one lake version: the provider tables it reads, by base table.</summary>
internal sealed class VersionCatalog(string name, long version, IReadOnlyDictionary<BaseTable, IReadOnlyList<ProviderSource>> sources,
    IReadOnlyDictionary<string, DeltaSnapshot> providerTables, IReadOnlyList<ThemeDefinition> themes, IReadOnlyDictionary<string, string> entryKeys)
{
    public string Name { get; } = name;

    public long Version { get; } = version;

    public IReadOnlyDictionary<BaseTable, IReadOnlyList<ProviderSource>> Sources { get; } = sources;

    public IReadOnlyDictionary<string, DeltaSnapshot> ProviderTables { get; } = providerTables;

    public IReadOnlyList<ThemeDefinition> Themes { get; } = themes;

    /// <summary>Every catalogue entry of the generation (with a table at this version or not) and its key column: the
    /// <c>quality</c> views filter and mask by entry.</summary>
    public IReadOnlyDictionary<string, string> EntryKeys { get; } = entryKeys;

    public int Leases { get; set; }

    public long LastUsed { get; set; }

    /// <summary>Agencies' restricted views of this version, by access key; detached with the version.</summary>
    public Dictionary<string, ProfileCatalog> Profiles { get; } = new(StringComparer.Ordinal);

    public Lock ProfileGate { get; } = new();
}

/// <summary>One access profile's views of a version (<c>lake_v12_g1_5_p3fa9c0d1e2b4</c>): base views consolidating
/// only the providers the agency may read, the <c>src</c> tables it may read, the themes granted, fields left out
/// and masked as granted.</summary>
/// <param name="Name">The catalog.</param>
/// <param name="Key">The access profile's key.</param>
/// <param name="Denied">Base views with sources of which none is readable: view → those datasets.</param>
/// <param name="Withheld">View → column → the datasets that would provide it.</param>
internal sealed record ProfileCatalog(string Name, string Key, IReadOnlyDictionary<string, IReadOnlyList<string>> Denied,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Withheld);

/// <summary>The process's one DuckDB instance for analysts' SQL, lookups and exports. Each lake version's views live
/// in their own in-memory catalog (<c>lake_v12_g1</c>); a request's connection is switched to the version it pinned
/// (<c>USE</c>), so <c>population.persons</c> means that version's persons for the whole statement. The instance is
/// sandboxed before any request: reads only inside the lake's table folders, no extension loading, settings locked.</summary>
public sealed partial class LakeEngine : IDisposable
{
    private readonly LakeLayout _layout;
    private readonly EngineOptions _options;
    private readonly IPlatformStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger<LakeEngine> _logger;
    private readonly DuckDBConnection _root;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _buildGate = new(1, 1);
    private readonly Lock _refreshGate = new();
    private readonly Dictionary<string, VersionCatalog> _catalogs = new(StringComparer.Ordinal);
    private EngineState _state = new(new LakeVersionMap([]), 0, "", [], []);
    private long _uses;
    private long _builds;

    /// <summary>What the engine knows, replaced whole by each refresh, so that a pin reads versions, catalogue and themes
    /// of one moment: a catalog is never named for one generation and built from another's definitions.</summary>
    private sealed record EngineState(
        LakeVersionMap Map, int Generation, string DefinitionsKey, IReadOnlyList<CatalogueRevision> Catalogue, IReadOnlyList<ThemeDefinition> Themes);

    /// <summary>Opens the engine on the lake folder: DuckDB configured and locked, <c>geo.divisions</c> seeded when
    /// missing, the lake versions read.</summary>
    public LakeEngine(IOptions<LakeOptions> lake, IOptions<EngineOptions> options, IPlatformStore store, TimeProvider clock, ILogger<LakeEngine> logger)
    {
        _layout = LakeLayout.From(lake.Value);
        _options = options.Value;
        _store = store;
        _clock = clock;
        _logger = logger;
        ExportDirectory = Path.Combine(_layout.Root, "tmp", "exports");
        Directory.CreateDirectory(ExportDirectory);
        var temp = _options.TempDirectory ?? Path.Combine(_layout.Root, "tmp", "duckdb");
        Directory.CreateDirectory(temp);
        Directory.CreateDirectory(Path.Combine(_layout.Root, "src"));
        Directory.CreateDirectory(Path.Combine(_layout.Root, "reference"));
        if (!DeltaTable.Exists(_layout.DivisionsTable))
        {
            DivisionTable.Seed(_layout.DivisionsTable, DivisionRegistry.Embedded, clock);
        }

        _root = new DuckDBConnection("DataSource=:memory:");
        _root.Open();
        var allowed = string.Join(", ", new[] { Path.Combine(_layout.Root, "src"), Path.Combine(_layout.Root, "reference"), _layout.DifferencesTable, ExportDirectory, temp }
            .Select(d => LakeDuckDb.Literal(d + Path.DirectorySeparatorChar)));
        foreach (var setting in new[]
        {
            $"SET threads = {_options.Threads.ToString(CultureInfo.InvariantCulture)}",
            $"SET memory_limit = {LakeDuckDb.Literal(_options.EffectiveMemoryLimit)}",
            $"SET temp_directory = {LakeDuckDb.Literal(temp)}",
            "SET TimeZone = 'UTC'",
            "SET parquet_metadata_cache = true",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            $"SET allowed_directories = [{allowed}]",
            "SET enable_external_access = false",
            "SET lock_configuration = true",
        })
        {
            LakeDuckDb.Execute(_root, setting);
        }

        CreateQualityTable(_root);
        CreateDifferencesView(_root);
        Refresh();
    }

    /// <summary>Where exports are written before they are served (inside the sandbox's allowed folders).</summary>
    public string ExportDirectory { get; }

    /// <summary>The options in force.</summary>
    public EngineOptions Options => _options;

    /// <summary>The lake folder.</summary>
    public LakeLayout Layout => _layout;

    /// <summary>Increases whenever the catalogue or the themes change.</summary>
    public int Generation => _state.Generation;

    /// <summary>The latest lake version the engine knows.</summary>
    public long LatestVersion => _state.Map.Latest;

    /// <summary>Every lake version known, oldest first.</summary>
    public LakeVersionMap Versions => _state.Map;

    /// <summary>The catalogue as last read.</summary>
    public IReadOnlyList<CatalogueRevision> Catalogue => _state.Catalogue;

    /// <summary>The themes as last read.</summary>
    public IReadOnlyList<ThemeDefinition> Themes => _state.Themes;

    /// <summary>Raised after a refresh that found a new lake version.</summary>
    public event Action<long>? VersionAdded;

    /// <summary>Records table changes as a new lake version and reads what is new: versions, catalogue, themes, and the
    /// consistency check's latest differences (<c>quality.differences</c>, not versioned with the lake). The reading (the
    /// store may be busy for seconds with another process) happens outside the lock requests take.</summary>
    public void Refresh()
    {
        long added;
        lock (_refreshGate)
        {
            var current = _state;
            LakeVersions.Sync(_layout, _store, _clock);
            var map = current.Map.With(_store.ListLakeVersions(current.Map.Latest));
            added = map.Latest > current.Map.Latest ? map.Latest : 0;
            var catalogue = _store.ListCatalogue();
            var themes = _store.ListThemes();
            var key = string.Join(";", catalogue.Select(r => $"{r.Entry.Id}@{r.Revision}")) + "|" +
                string.Join(";", themes.Select(t => System.Text.Json.JsonSerializer.Serialize(t, DuckDbPlatformStore.Json)));
            var generation = current.Generation;
            if (key != current.DefinitionsKey)
            {
                // Views depend on the catalogue and the themes: versions opened before the change are rebuilt on next use.
                generation++;
                added = map.Latest;
            }

            _state = new EngineState(map, generation, key, catalogue, themes);
        }

        RefreshDifferences();
        if (added > 0)
        {
            VersionAdded?.Invoke(added);
        }
    }

    /// <summary>Resolves <paramref name="asOf"/> (empty: the latest version; a number: that version; otherwise an
    /// ISO 8601 instant, China time when it has no offset) and holds that version's views open.</summary>
    /// <param name="asOf">The version or instant.</param>
    /// <param name="access">What the requesting agency may read; null: everything (the engine's own work).</param>
    /// <param name="allReports">True for the operator: its <c>quality</c> views show every open mismatch report, whatever
    /// its access profile reads of the data.</param>
    /// <exception cref="LakeException">An unknown version, an unreadable instant, or an instant before the first version.</exception>
    public LakeLease Pin(string? asOf, AccessProfile? access = null, bool allReports = false)
    {
        var state = _state;
        var map = state.Map;
        long version;
        if (string.IsNullOrWhiteSpace(asOf))
        {
            version = map.Latest;
        }
        else if (long.TryParse(asOf, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            if (map.Find(number) is null)
            {
                throw new LakeException(LakeErrorKind.NotFound, $"lake version {number} does not exist; versions are 1 to {map.Latest}.");
            }

            version = number;
        }
        else if (ChinaTime.TryParseInstant(asOf, out var instant))
        {
            version = map.VersionAt(instant)
                ?? throw new LakeException(LakeErrorKind.NotFound, $"the lake has no version at {asOf}: its first version was recorded at " +
                    $"{(map.Versions.Count == 0 ? "(none yet)" : ChinaTime.ToChina(map.Versions[0].CommittedAt).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture))}.");
        }
        else
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"asOf '{asOf}' is neither a lake version number nor an ISO 8601 instant (2026-11-20T09:30:00+08:00).");
        }

        var catalog = OpenCatalog(version, state);
        try
        {
            var profile = access is null || ReadsEverything(access, catalog) ? null : ProfileFor(catalog, access, allReports);
            return new LakeLease(version, map.Find(version)?.CommittedAt, catalog, profile, () => Release(catalog));
        }
        catch
        {
            Release(catalog);
            throw;
        }
    }

    /// <summary>A new connection to the instance, reading the leased version's views.</summary>
    public DuckDBConnection Connect(LakeLease lease)
    {
        var connection = _root.Duplicate();
        connection.Open();
        LakeDuckDb.Execute(connection, $"USE {LakeDuckDb.Identifier(lease.Catalog)}");
        return connection;
    }

    /// <summary>A connection for the engine's own work (the lookup index), not sandbox-checked.</summary>
    internal DuckDBConnection ConnectInternal()
    {
        var connection = _root.Duplicate();
        connection.Open();
        return connection;
    }

    private VersionCatalog OpenCatalog(long version, EngineState state)
    {
        var key = KeyOf(version, state.Generation);
        lock (_gate)
        {
            if (_catalogs.TryGetValue(key, out var open))
            {
                open.Leases++;
                open.LastUsed = ++_uses;
                return open;
            }
        }

        _buildGate.Wait();
        try
        {
            lock (_gate)
            {
                if (_catalogs.TryGetValue(key, out var open))
                {
                    open.Leases++;
                    open.LastUsed = ++_uses;
                    return open;
                }
            }

            // Each build gets a name of its own, so that detaching an evicted catalog can never hit a newer build of
            // the same version.
            var name = $"lake_{key}_{Interlocked.Increment(ref _builds).ToString(CultureInfo.InvariantCulture)}";
            var built = Build(name, version, state);
            lock (_gate)
            {
                built.Leases = 1;
                built.LastUsed = ++_uses;
                _catalogs[key] = built;
            }

            Evict();
            return built;
        }
        finally
        {
            _buildGate.Release();
        }
    }

    private static string KeyOf(long version, int generation) =>
        $"v{version.ToString(CultureInfo.InvariantCulture)}_g{generation.ToString(CultureInfo.InvariantCulture)}";

    private VersionCatalog Build(string name, long version, EngineState state)
    {
        var tables = state.Map.TablesAt(version);
        var catalogue = state.Catalogue;
        var themes = state.Themes;
        var sources = new Dictionary<BaseTable, IReadOnlyList<ProviderSource>>();
        var providerTables = new Dictionary<string, DeltaSnapshot>(StringComparer.Ordinal);
        var entryKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var revision in catalogue)
        {
            var entry = revision.Entry;
            entryKeys[entry.Id] = entry.KeyField.Target;
            if (!tables.TryGetValue("src/" + entry.Id, out var tableVersion) || BaseDatabaseCatalog.Find(entry.Target) is not { } table)
            {
                continue;
            }

            var snapshot = DeltaTable.Open(_layout.ProviderTable(entry.Id)).Snapshot(tableVersion);
            providerTables[entry.Id] = snapshot;
            var list = sources.TryGetValue(table, out var existing) ? existing.ToList() : [];
            list.Add(new ProviderSource(entry.Id, entry.Agency.Code, snapshot, entry.Authoritative.ToHashSet(StringComparer.Ordinal)));
            sources[table] = list;
        }

        if (tables.TryGetValue("reference/" + Path.GetFileName(_layout.DivisionsTable), out var divisionsVersion))
        {
            var snapshot = DeltaTable.Open(_layout.DivisionsTable).Snapshot(divisionsVersion);
            sources[BaseDatabaseCatalog.Divisions] =
            [
                new ProviderSource("geo.divisions", DivisionTable.ReferenceAgency, snapshot,
                    BaseDatabaseCatalog.Divisions.Attributes.Select(a => a.Name).ToHashSet(StringComparer.Ordinal)),
            ];
        }

        using var connection = _root.Duplicate();
        connection.Open();
        LakeDuckDb.Execute(connection, $"ATTACH ':memory:' AS {LakeDuckDb.Identifier(name)}");
        try
        {
            return CreateViews(connection, name, version, sources, providerTables, themes, entryKeys);
        }
        catch
        {
            LakeDuckDb.Execute(connection, "USE memory");
            LakeDuckDb.Execute(connection, $"DETACH {LakeDuckDb.Identifier(name)}");
            throw;
        }
    }

    private VersionCatalog CreateViews(DuckDBConnection connection, string name, long version, Dictionary<BaseTable, IReadOnlyList<ProviderSource>> sources,
        Dictionary<string, DeltaSnapshot> providerTables, IReadOnlyList<ThemeDefinition> themes, IReadOnlyDictionary<string, string> entryKeys)
    {
        LakeDuckDb.Execute(connection, $"USE {LakeDuckDb.Identifier(name)}");
        BaseDatabaseViews.Register(connection, sources);
        LakeDuckDb.Execute(connection, "CREATE SCHEMA src");
        foreach (var (id, snapshot) in providerTables.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            LakeDuckDb.Execute(connection, $"CREATE VIEW src.{LakeDuckDb.Identifier(id)} AS {snapshot.ToDuckDbQuery()}");
        }

        LakeDuckDb.Execute(connection, "CREATE SCHEMA themes");
        var usable = new List<ThemeDefinition>();
        foreach (var theme in themes)
        {
            var named = new List<string>();
            if (SqlSandbox.Check(connection, theme.Sql, named) is { } problem)
            {
                LogThemeRefused(theme.Id, problem.Message);
                continue;
            }

            // The quality views are filtered per agency; a theme is built once over the full ones and would show them whole.
            if (named.FirstOrDefault(view => view.StartsWith("quality.", StringComparison.OrdinalIgnoreCase)) is { } report)
            {
                LogThemeRefused(theme.Id, $"its SQL reads {report}: mismatch reports and differences are not theme material.");
                continue;
            }

            // Access to a theme is worked out from the base tables it declares: its SQL may read those and nothing else.
            if (named.FirstOrDefault(view => !theme.Sources.Contains(view, StringComparer.OrdinalIgnoreCase)) is { } undeclared)
            {
                LogThemeRefused(theme.Id, $"its SQL reads {undeclared}, which is not among the base tables it declares ({string.Join(", ", theme.Sources)}).");
                continue;
            }

            try
            {
                LakeDuckDb.Execute(connection, $"CREATE VIEW themes.{LakeDuckDb.Identifier(theme.Id)} AS (\n{theme.Sql}\n)");
                usable.Add(theme);
            }
            catch (DuckDBException ex)
            {
                LogThemeRefused(theme.Id, ex.Message);
            }
        }

        CreateQualityViews(connection);
        return new VersionCatalog(name, version, sources, providerTables, usable, entryKeys);
    }

    private void Release(VersionCatalog catalog)
    {
        lock (_gate)
        {
            catalog.Leases--;
        }

        Evict();
    }

    // Detaches the least recently used versions beyond the number kept, never the latest, never one in use.
    private void Evict()
    {
        List<string> detach;
        lock (_gate)
        {
            var state = _state;
            var latest = KeyOf(state.Map.Latest, state.Generation);
            var excess = _catalogs.Count - 1 - _options.VersionsKept;
            var evicted = _catalogs.Where(c => c.Key != latest && c.Value.Leases == 0).OrderBy(c => c.Value.LastUsed).Take(Math.Max(0, excess)).ToList();
            foreach (var (key, _) in evicted)
            {
                _catalogs.Remove(key);
            }

            detach = evicted.SelectMany(c => c.Value.Profiles.Values.Select(p => p.Name).Append(c.Value.Name)).ToList();
        }

        foreach (var name in detach)
        {
            using var connection = _root.Duplicate();
            connection.Open();
            LakeDuckDb.Execute(connection, $"DETACH {LakeDuckDb.Identifier(name)}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _root.Dispose();
        _buildGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Theme {ThemeId} is left out of the themes schema: {Reason}")]
    private partial void LogThemeRefused(string themeId, string reason);
}
