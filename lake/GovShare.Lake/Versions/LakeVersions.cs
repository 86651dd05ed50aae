using GovShare.Lake.Delta;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Versions;

/// <summary>The lake's own version: one number for the state of every provider and reference table, so that a
/// query reads all of them as they were together and never mixes a table's new version with another's old one.
/// Each lake version records the tables whose Delta version changed with it (<see cref="LakeVersionRecord"/>).</summary>
public static class LakeVersions
{
    /// <summary>The folders, under the lake folder, whose tables the lake version covers.</summary>
    private static readonly string[] TableFolders = ["src", "reference"];

    /// <summary>Records a new lake version when any table's latest Delta version is newer than the lake knows;
    /// returns it, or null when nothing changed. Ingestion calls this after each commit; readers call it too, so
    /// that a table changed by another tool is picked up.</summary>
    public static LakeVersionRecord? Sync(LakeLayout layout, IPlatformStore store, TimeProvider clock) =>
        store.RecordLakeVersion(LatestTableVersions(layout), clock.GetUtcNow());

    /// <summary>Each table's latest Delta version, by its path relative to the lake folder (<c>src/psb.household</c>).</summary>
    public static IReadOnlyDictionary<string, long> LatestTableVersions(LakeLayout layout)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var folder in TableFolders)
        {
            var parent = Path.Combine(layout.Root, folder);
            if (!Directory.Exists(parent))
            {
                continue;
            }

            foreach (var table in Directory.EnumerateDirectories(parent))
            {
                if (Directory.Exists(Path.Combine(table, "_delta_log")) && DeltaTable.Open(table).LatestVersion() is { } version)
                {
                    versions[folder + "/" + Path.GetFileName(table)] = version;
                }
            }
        }

        return versions;
    }
}

/// <summary>Every lake version known, for resolving a version number or an instant to each table's Delta version.
/// Immutable: a refresh makes a new map.</summary>
public sealed class LakeVersionMap
{
    private readonly List<LakeVersionRecord> _versions;

    /// <summary>A map of the given versions, oldest first.</summary>
    public LakeVersionMap(IEnumerable<LakeVersionRecord> versions)
    {
        _versions = versions.OrderBy(v => v.Version).ToList();
    }

    /// <summary>The latest lake version, or 0 when the lake is empty.</summary>
    public long Latest => _versions.Count == 0 ? 0 : _versions[^1].Version;

    /// <summary>The versions, oldest first.</summary>
    public IReadOnlyList<LakeVersionRecord> Versions => _versions;

    /// <summary>A map with more versions appended.</summary>
    public LakeVersionMap With(IEnumerable<LakeVersionRecord> newer) => new(_versions.Concat(newer.Where(v => v.Version > Latest)));

    /// <summary>The version and the instant it was recorded, or null when unknown.</summary>
    public LakeVersionRecord? Find(long version) => version >= 1 && version <= _versions.Count && _versions[(int)version - 1].Version == version
        ? _versions[(int)version - 1]
        : _versions.FirstOrDefault(v => v.Version == version);

    /// <summary>The lake version current at an instant: the latest recorded at or before it, or null when the
    /// instant is before the first.</summary>
    public long? VersionAt(DateTimeOffset instant)
    {
        var found = _versions.LastOrDefault(v => v.CommittedAt <= instant);
        return found?.Version;
    }

    /// <summary>Each table's Delta version at a lake version.</summary>
    public IReadOnlyDictionary<string, long> TablesAt(long version)
    {
        var tables = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in _versions.TakeWhile(v => v.Version <= version))
        {
            foreach (var (table, tableVersion) in record.Tables)
            {
                tables[table] = tableVersion;
            }
        }

        return tables;
    }
}
