using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.BaseDatabases;

/// <summary>A provider's table feeding a base table, and the attributes the catalogue makes it
/// authoritative for ("who collects, updates": GZ 13, PX 15).</summary>
/// <param name="DatasetId">The catalogue entry (and provider table) id.</param>
/// <param name="Agency">The providing agency's code.</param>
/// <param name="Snapshot">The provider table at the version being read.</param>
/// <param name="Authoritative">Attributes this provider is the authority for.</param>
/// <param name="Fields">The attributes the reader may see from this provider; null: all (the key is always seen).</param>
/// <param name="Masked">Attributes of this provider the reader sees masked.</param>
public sealed record ProviderSource(string DatasetId, string Agency, DeltaSnapshot Snapshot, IReadOnlySet<string> Authoritative,
    IReadOnlySet<string>? Fields = null, IReadOnlySet<string>? Masked = null)
{
    /// <summary>True when the provider's table has the attribute and the reader may see it.</summary>
    public bool Provides(string attribute) => Snapshot.Schema.Find(attribute) is not null && (Fields is null || Fields.Contains(attribute));

    /// <summary>True when the reader sees the attribute masked.</summary>
    public bool Masks(string attribute) => Masked?.Contains(attribute) == true;
}

/// <summary>The consolidated base-database views: one row per key across every provider table, each
/// attribute taken from its authoritative provider, falling back to the others (in dataset id order)
/// where the authority has no value.</summary>
public static class BaseDatabaseViews
{
    /// <summary>The SQL of a consolidated view over the given provider tables. Attributes no provider lets the reader see
    /// named in <paramref name="withheld"/> are left out (an agency's view: what it may not read is not there); an
    /// attribute any provider masks is masked.</summary>
    public static string ConsolidationQuery(BaseTable table, IReadOnlyList<ProviderSource> providers, IReadOnlySet<string>? withheld = null)
    {
        var key = LakeDuckDb.Identifier(table.Key);
        if (providers.Count == 0)
        {
            return "SELECT " + string.Join(", ", table.ViewSchema().Fields.Where(f => withheld?.Contains(f.Name) != true).Select(f => $"CAST(NULL AS {f.DuckDbType}) AS {LakeDuckDb.Identifier(f.Name)}")) + " WHERE false";
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
        var columns = new List<string> { ordered.Any(p => p.Masks(table.Key)) ? $"{FieldMask.Sql(table.Key, $"k.{key}")} AS {key}" : $"k.{key}" };
        foreach (var attribute in table.Attributes.Where(a => a.Name != table.Key))
        {
            var sources = ordered
                .Select((provider, index) => (provider, index))
                .Where(p => p.provider.Provides(attribute.Name))
                .OrderBy(p => p.provider.Authoritative.Contains(attribute.Name) ? 0 : 1)
                .ThenBy(p => p.index)
                .Select(p => $"p{p.index}.{LakeDuckDb.Identifier(attribute.Name)}")
                .ToList();
            if (withheld?.Contains(attribute.Name) == true)
            {
                continue;
            }

            var type = DeltaTypes.ToDuckDb(attribute.Type);
            var value = sources.Count switch
            {
                0 => $"CAST(NULL AS {type})",
                1 => sources[0],
                _ => $"coalesce({string.Join(", ", sources)})",
            };
            var cast = $"CAST({value} AS {type})";
            columns.Add($"{(ordered.Any(p => p.Masks(attribute.Name)) ? FieldMask.Sql(attribute.Name, cast) : cast)} AS {LakeDuckDb.Identifier(attribute.Name)}");
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
