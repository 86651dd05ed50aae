using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.BaseDatabases;

/// <summary>A provider's table feeding a base table, and the attributes the catalogue makes it
/// authoritative for ("who collects, updates": GZ 13, PX 15).</summary>
/// <param name="DatasetId">The catalogue entry (and provider table) id.</param>
/// <param name="Agency">The providing agency's code.</param>
/// <param name="Snapshot">The provider table at the version being read.</param>
/// <param name="Authoritative">Attributes this provider is the authority for.</param>
public sealed record ProviderSource(string DatasetId, string Agency, DeltaSnapshot Snapshot, IReadOnlySet<string> Authoritative);

/// <summary>The consolidated base-database views: one row per key across every provider table, each
/// attribute taken from its authoritative provider, falling back to the others (in dataset id order)
/// where the authority has no value.</summary>
public static class BaseDatabaseViews
{
    /// <summary>The SQL of a consolidated view over the given provider tables.</summary>
    public static string ConsolidationQuery(BaseTable table, IReadOnlyList<ProviderSource> providers)
    {
        var key = LakeDuckDb.Identifier(table.Key);
        if (providers.Count == 0)
        {
            return "SELECT " + string.Join(", ", table.ViewSchema().Fields.Select(f => $"CAST(NULL AS {f.DuckDbType}) AS {LakeDuckDb.Identifier(f.Name)}")) + " WHERE false";
        }

        var ordered = providers.OrderBy(p => p.DatasetId, StringComparer.Ordinal).ToList();
        var sql = new StringBuilder("WITH ");
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Snapshot.Schema.Find(table.Key) is null)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"the provider table {ordered[i].DatasetId} has no key column {table.Key}.");
            }

            // Records the provider has ended or deleted keep their history in its table but no longer
            // speak for the key.
            var current = ordered[i].Snapshot.Schema.Find("record_status") is null ? "" : $" WHERE record_status = '{BaseTable.CurrentRecord}'";
            sql.Append(CultureInfo.InvariantCulture, $"p{i} AS (SELECT * FROM ({ordered[i].Snapshot.ToDuckDbQuery()}) t{current}), ");
        }

        sql.Append("k AS (").Append(string.Join(" UNION ", ordered.Select((_, i) => $"SELECT {key} FROM p{i} WHERE {key} IS NOT NULL"))).Append(") ");
        var columns = new List<string> { $"k.{key}" };
        foreach (var attribute in table.Attributes.Where(a => a.Name != table.Key))
        {
            var sources = ordered
                .Select((provider, index) => (provider, index))
                .Where(p => p.provider.Snapshot.Schema.Find(attribute.Name) is not null)
                .OrderBy(p => p.provider.Authoritative.Contains(attribute.Name) ? 0 : 1)
                .ThenBy(p => p.index)
                .Select(p => $"p{p.index}.{LakeDuckDb.Identifier(attribute.Name)}")
                .ToList();
            var type = DeltaTypes.ToDuckDb(attribute.Type);
            var value = sources.Count switch
            {
                0 => $"CAST(NULL AS {type})",
                1 => sources[0],
                _ => $"coalesce({string.Join(", ", sources)})",
            };
            columns.Add($"CAST({value} AS {type}) AS {LakeDuckDb.Identifier(attribute.Name)}");
        }

        sql.Append("SELECT ").Append(string.Join(", ", columns)).Append(" FROM k");
        for (var i = 0; i < ordered.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $" LEFT JOIN p{i} ON p{i}.{key} = k.{key}");
        }

        return sql.ToString();
    }

    /// <summary>Creates the base databases' schemas and their consolidated views on a connection.</summary>
    public static void Register(DuckDBConnection connection, IReadOnlyDictionary<BaseTable, IReadOnlyList<ProviderSource>> sources)
    {
        foreach (var database in BaseDatabaseCatalog.All.Select(t => t.Database).Distinct())
        {
            LakeDuckDb.Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {LakeDuckDb.Identifier(database)}");
        }

        foreach (var table in BaseDatabaseCatalog.All)
        {
            var providers = sources.TryGetValue(table, out var list) ? list : [];
            LakeDuckDb.Execute(connection,
                $"CREATE OR REPLACE VIEW {LakeDuckDb.Identifier(table.Database)}.{LakeDuckDb.Identifier(table.Name)} AS {ConsolidationQuery(table, providers)}");
        }
    }
}
