using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Engine;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>Agencies' views of a version: the sharing rules enforced by what exists. An agency's SQL runs in a catalog
/// where the base views consolidate only the providers it may read, <c>src</c> holds only the tables it may read, the
/// <c>themes</c> schema only the themes granted, with fields left out and masked as its grants say; agencies with the
/// same readable set share one catalog.</summary>
public sealed partial class LakeEngine
{
    // Every entry, not only those with a table at this version: the quality views show reports on any entry.
    private static bool ReadsEverything(AccessProfile access, VersionCatalog catalog) =>
        catalog.ProviderTables.Keys.Concat(catalog.EntryKeys.Keys).All(id => access.Dataset(id) is { IsFull: true })
        && catalog.Themes.All(t => access.Themes.GetValueOrDefault(t.Id) is { IsFull: true });

    private ProfileCatalog ProfileFor(VersionCatalog catalog, AccessProfile access, bool allReports)
    {
        // The operator's views differ from those of agencies reading the same data in the quality schema only.
        var key = allReports ? access.Key + "o" : access.Key;

        // Built ones are found without waiting for another profile's build.
        lock (_gate)
        {
            if (catalog.Profiles.TryGetValue(key, out var built))
            {
                return built;
            }
        }

        lock (catalog.ProfileGate)
        {
            lock (_gate)
            {
                if (catalog.Profiles.TryGetValue(key, out var existing))
                {
                    return existing;
                }
            }

            var name = $"{catalog.Name}_p{key}";
            using var connection = _root.Duplicate();
            connection.Open();
            LakeDuckDb.Execute(connection, $"ATTACH ':memory:' AS {LakeDuckDb.Identifier(name)}");
            ProfileCatalog built;
            try
            {
                LakeDuckDb.Execute(connection, $"USE {LakeDuckDb.Identifier(name)}");
                built = BuildProfile(connection, name, key, catalog, access, allReports);
            }
            catch
            {
                LakeDuckDb.Execute(connection, "USE memory");
                LakeDuckDb.Execute(connection, $"DETACH {LakeDuckDb.Identifier(name)}");
                throw;
            }

            lock (_gate)
            {
                catalog.Profiles[key] = built;
            }

            return built;
        }
    }

    private static ProfileCatalog BuildProfile(DuckDBConnection connection, string name, string profileKey, VersionCatalog catalog, AccessProfile access, bool allReports)
    {
        var denied = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var withheld = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
        foreach (var database in BaseDatabaseCatalog.All.Select(t => t.Database).Distinct())
        {
            LakeDuckDb.Execute(connection, $"CREATE SCHEMA {LakeDuckDb.Identifier(database)}");
        }

        foreach (var table in BaseDatabaseCatalog.All)
        {
            var all = catalog.Sources.TryGetValue(table, out var list) ? list : [];
            var visible = all
                .Where(p => p.DatasetId == "geo.divisions" || access.Dataset(p.DatasetId) is not null)
                .Select(p => access.Dataset(p.DatasetId) is { } grant ? p with { Fields = grant.Fields, Masked = grant.Masked } : p)
                .ToList();
            var view = table.QualifiedName;
            if (all.Count > 0 && visible.Count == 0)
            {
                denied[view] = all.Select(p => p.DatasetId).ToList();
                continue;
            }

            var hidden = Hidden(table.Attributes.Select(a => a.Name).Where(n => n != table.Key), all, visible);
            if (hidden.Count > 0)
            {
                withheld[view] = hidden;
            }

            LakeDuckDb.Execute(connection, $"CREATE VIEW {LakeDuckDb.Identifier(table.Database)}.{LakeDuckDb.Identifier(table.Name)} AS " +
                BaseDatabaseViews.ConsolidationQuery(table, visible, hidden.Keys.ToHashSet(StringComparer.Ordinal)));
        }

        LakeDuckDb.Execute(connection, "CREATE SCHEMA src");
        foreach (var (id, snapshot) in catalog.ProviderTables.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (access.Dataset(id) is not { } grant)
            {
                continue;
            }

            var key = catalog.Sources.FirstOrDefault(s => s.Value.Any(p => p.DatasetId == id)).Key?.Key;
            var columns = new List<string>();
            var hidden = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var field in snapshot.Schema.Fields)
            {
                var isAttribute = BaseTable.ProvenanceColumns.All(c => c.Name != field.Name);
                if (isAttribute && field.Name != key && !grant.Allows(field.Name))
                {
                    hidden[field.Name] = [id];
                    continue;
                }

                var column = "t." + LakeDuckDb.Identifier(field.Name);
                columns.Add($"{(grant.Masked.Contains(field.Name) ? FieldMask.Sql(field.Name, column) : column)} AS {LakeDuckDb.Identifier(field.Name)}");
            }

            if (hidden.Count > 0)
            {
                withheld["src." + id.ToLowerInvariant()] = hidden;
            }

            LakeDuckDb.Execute(connection, $"CREATE VIEW src.{LakeDuckDb.Identifier(id)} AS SELECT {string.Join(", ", columns)} " +
                $"FROM {LakeDuckDb.Identifier(catalog.Name)}.src.{LakeDuckDb.Identifier(id)} t");
        }

        LakeDuckDb.Execute(connection, "CREATE SCHEMA themes");
        foreach (var theme in catalog.Themes)
        {
            if (access.Themes.GetValueOrDefault(theme.Id) is not { } grant)
            {
                continue;
            }

            var full = $"{LakeDuckDb.Identifier(catalog.Name)}.themes.{LakeDuckDb.Identifier(theme.Id)}";
            var columns = new List<string>();
            var hidden = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var column in Columns(connection, full))
            {
                if (!grant.Allows(column) && column != theme.KeyColumn)
                {
                    hidden[column.ToLowerInvariant()] = [AccessRules.ThemePrefix + theme.Id];
                    continue;
                }

                var expression = "t." + LakeDuckDb.Identifier(column);
                columns.Add($"{(grant.Masked.Contains(column) ? FieldMask.Sql(column, expression) : expression)} AS {LakeDuckDb.Identifier(column)}");
            }

            if (hidden.Count > 0)
            {
                withheld["themes." + theme.Id.ToLowerInvariant()] = hidden;
            }

            LakeDuckDb.Execute(connection, $"CREATE VIEW themes.{LakeDuckDb.Identifier(theme.Id)} AS SELECT {string.Join(", ", columns)} FROM {full} t");
        }

        if (allReports)
        {
            CreateQualityViews(connection);
        }
        else
        {
            CreateQualityViews(connection, catalog, access);
        }

        return new ProfileCatalog(name, profileKey, denied, withheld);
    }

    // Attributes some provider delivers but none the agency may read delivers to it: left out of its view.
    private static Dictionary<string, IReadOnlyList<string>> Hidden(IEnumerable<string> attributes, IReadOnlyList<ProviderSource> all, List<ProviderSource> visible)
    {
        var hidden = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            var holders = all.Where(p => p.Snapshot.Schema.Find(attribute) is not null).Select(p => p.DatasetId).ToList();
            if (holders.Count > 0 && !visible.Any(p => p.Provides(attribute)))
            {
                hidden[attribute] = holders;
            }
        }

        return hidden;
    }

    private static List<string> Columns(DuckDBConnection connection, string view)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {view} LIMIT 0";
        using var reader = command.ExecuteReader();
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
    }
}
