using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Consistency;

/// <summary>A provider table feeding a base table, as the check reads it.</summary>
/// <param name="DatasetId">The catalogue entry.</param>
/// <param name="Agency">The provider.</param>
/// <param name="Table">The base table it feeds.</param>
/// <param name="Snapshot">The table at the version checked.</param>
/// <param name="Authoritative">The attributes the catalogue makes it the authority for.</param>
public sealed record CheckedProvider(string DatasetId, string Agency, BaseTable Table, DeltaSnapshot Snapshot, IReadOnlySet<string> Authoritative)
{
    /// <summary>The base attributes its table holds, the key left out.</summary>
    public IReadOnlyList<BaseAttribute> Attributes =>
        [.. Table.Attributes.Where(a => a.Name != Table.Key && Snapshot.Schema.Find(a.Name) is not null)];
}

/// <summary>How many keys two providers share and how many of their values agree, per attribute.</summary>
/// <param name="DatasetA">The first provider's entry.</param>
/// <param name="DatasetB">The second's.</param>
/// <param name="SharedKeys">Keys both hold (of those checked).</param>
/// <param name="Equal">Per attribute: keys where both values are there and identical.</param>
/// <param name="Compared">Per attribute: keys where at least one value is there.</param>
public sealed record PairTally(string DatasetA, string DatasetB, long SharedKeys, IReadOnlyDictionary<string, long> Equal, IReadOnlyDictionary<string, long> Compared);

/// <summary>Reads, for every key two providers of a base table both hold, the values of the attributes both describe that
/// are not identical: the pairs the classifier looks at. Identical values are only counted (they are "equal" whatever a
/// model says, and they are nearly all of them). One SQL statement per provider pair, in DuckDB over the Delta snapshots.</summary>
public static class PairReader
{
    /// <summary>Yields the differing pairs of two providers of one base table, and fills in the tally when done.</summary>
    /// <param name="connection">A DuckDB connection.</param>
    /// <param name="a">The first provider (the lower dataset id).</param>
    /// <param name="b">The second.</param>
    /// <param name="keysTable">A table or view with a column <c>key</c>: only these keys are read; null: all.</param>
    /// <param name="tally">Receives the counts once the pairs are read.</param>
    public static IEnumerable<ValuePair> Read(DuckDBConnection connection, CheckedProvider a, CheckedProvider b, string? keysTable, Action<PairTally>? tally = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shared = a.Attributes.Where(x => b.Attributes.Any(y => y.Name == x.Name)).ToList();
        if (shared.Count == 0)
        {
            tally?.Invoke(new PairTally(a.DatasetId, b.DatasetId, 0, new Dictionary<string, long>(), new Dictionary<string, long>()));
            yield break;
        }

        var rowsA = CurrentRows(connection, a);
        var rowsB = CurrentRows(connection, b);
        var ctes = Ctes(a, b, shared, keysTable);

        // The counts first: one pass over the join.
        var count = new StringBuilder(ctes).Append("SELECT count(*)");
        for (var i = 0; i < shared.Count; i++)
        {
            count.Append(CultureInfo.InvariantCulture, $", count(*) FILTER (WHERE a{i} = b{i}), count(*) FILTER (WHERE a{i} IS NOT NULL OR b{i} IS NOT NULL)");
        }

        count.Append(" FROM j");
        var equal = new Dictionary<string, long>(StringComparer.Ordinal);
        var compared = new Dictionary<string, long>(StringComparer.Ordinal);
        long sharedKeys;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = count.ToString();
            using var reader = command.ExecuteReader();
            reader.Read();
            sharedKeys = reader.GetInt64(0);
            for (var i = 0; i < shared.Count; i++)
            {
                equal[shared[i].Name] = reader.GetInt64(1 + 2 * i);
                compared[shared[i].Name] = reader.GetInt64(2 + 2 * i);
            }
        }

        // Then the rows where something differs, with how common each differing value is in its provider's table.
        var select = new StringBuilder(ctes);
        select.Append(", d AS (SELECT * FROM j WHERE ")
            .AppendJoin(" OR ", shared.Select((_, i) => $"a{i} IS DISTINCT FROM b{i}")).Append(')');
        for (var i = 0; i < shared.Count; i++)
        {
            select.Append(CultureInfo.InvariantCulture, $", fa{i} AS (SELECT v{i} AS v, count(*) AS n FROM pa WHERE v{i} IN (SELECT a{i} FROM d WHERE a{i} IS DISTINCT FROM b{i}) GROUP BY 1)");
            select.Append(CultureInfo.InvariantCulture, $", fb{i} AS (SELECT v{i} AS v, count(*) AS n FROM pb WHERE v{i} IN (SELECT b{i} FROM d WHERE a{i} IS DISTINCT FROM b{i}) GROUP BY 1)");
        }

        select.Append(" SELECT d.k");
        for (var i = 0; i < shared.Count; i++)
        {
            select.Append(CultureInfo.InvariantCulture, $", d.a{i}, d.b{i}, coalesce(fa{i}.n, 0), coalesce(fb{i}.n, 0)");
        }

        select.Append(" FROM d");
        for (var i = 0; i < shared.Count; i++)
        {
            select.Append(CultureInfo.InvariantCulture, $" LEFT JOIN fa{i} ON fa{i}.v = d.a{i} LEFT JOIN fb{i} ON fb{i}.v = d.b{i}");
        }

        select.Append(" ORDER BY d.k");
        var kinds = shared.Select(AttributeKinds.Of).ToArray();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = select.ToString();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var k = reader.GetString(0);
                for (var i = 0; i < shared.Count; i++)
                {
                    var column = 1 + 4 * i;
                    var valueA = reader.IsDBNull(column) ? null : reader.GetString(column);
                    var valueB = reader.IsDBNull(column + 1) ? null : reader.GetString(column + 1);
                    if (string.Equals(valueA, valueB, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    yield return new ValuePair(a.Table.QualifiedName, k, shared[i].Name, kinds[i], a.DatasetId, valueA, b.DatasetId, valueB,
                        reader.GetInt64(column + 2), reader.GetInt64(column + 3), rowsA, rowsB);
                }
            }
        }

        tally?.Invoke(new PairTally(a.DatasetId, b.DatasetId, sharedKeys, equal, compared));
    }

    /// <summary>The provider pairs of a base table that share at least one attribute, lower dataset id first.</summary>
    public static IEnumerable<(CheckedProvider A, CheckedProvider B)> Pairs(IReadOnlyList<CheckedProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var ordered = providers.OrderBy(p => p.DatasetId, StringComparer.Ordinal).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            for (var j = i + 1; j < ordered.Count; j++)
            {
                if (ordered[i].Table.QualifiedName == ordered[j].Table.QualifiedName
                    && ordered[i].Attributes.Any(x => ordered[j].Attributes.Any(y => y.Name == x.Name)))
                {
                    yield return (ordered[i], ordered[j]);
                }
            }
        }
    }

    /// <summary>The current records of a provider's table.</summary>
    public static string Current(CheckedProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var where = provider.Snapshot.Schema.Find("record_status") is null ? "" : $" WHERE record_status = '{BaseTable.CurrentRecord}'";
        return $"SELECT * FROM ({provider.Snapshot.ToDuckDbQuery()}) t{where}";
    }

    private static long CurrentRows(DuckDBConnection connection, CheckedProvider provider) =>
        Convert.ToInt64(LakeDuckDb.Scalar(connection, $"SELECT count(*) FROM ({Current(provider)}) c"), CultureInfo.InvariantCulture);

    // pa/pb: the providers' current records, values as text (dates yyyy-MM-dd); j: the keys both hold.
    private static string Ctes(CheckedProvider a, CheckedProvider b, IReadOnlyList<BaseAttribute> shared, string? keysTable)
    {
        var key = LakeDuckDb.Identifier(a.Table.Key);
        string Side(string name, CheckedProvider p) =>
            $"{name} AS (SELECT {key} AS k, " + string.Join(", ", shared.Select((s, i) => $"CAST({LakeDuckDb.Identifier(s.Name)} AS VARCHAR) AS v{i}")) +
            $" FROM ({Current(p)}) c WHERE {key} IS NOT NULL)";
        var filter = keysTable is null ? "" : $" WHERE pa.k IN (SELECT key FROM {keysTable})";
        return "WITH " + Side("pa", a) + ", " + Side("pb", b) +
            ", j AS (SELECT pa.k, " + string.Join(", ", shared.Select((_, i) => $"pa.v{i} AS a{i}, pb.v{i} AS b{i}")) +
            $" FROM pa JOIN pb ON pa.k = pb.k{filter})";
    }
}

/// <summary>The provider tables the check reads.</summary>
public static class CheckedProviders
{
    /// <summary>Every catalogued provider table that exists in the lake, at its latest version (or at the versions given),
    /// by base table.</summary>
    public static IReadOnlyList<CheckedProvider> Load(LakeLayout layout, Platform.IPlatformStore store, IReadOnlyDictionary<string, long>? versions = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(store);
        var providers = new List<CheckedProvider>();
        foreach (var entry in store.ListCatalogue().Select(r => r.Entry).OrderBy(e => e.Id, StringComparer.Ordinal))
        {
            var path = layout.ProviderTable(entry.Id);
            if (BaseDatabaseCatalog.Find(entry.Target) is not { } table || !DeltaTable.Exists(path))
            {
                continue;
            }

            var snapshot = DeltaTable.Open(path).Snapshot(versions?.TryGetValue(entry.Id, out var v) == true ? v : null);
            providers.Add(new CheckedProvider(entry.Id, entry.Agency.Code, table, snapshot, new HashSet<string>(entry.Authoritative, StringComparer.Ordinal)));
        }

        return providers;
    }
}
