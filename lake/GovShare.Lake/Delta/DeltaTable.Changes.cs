using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

/// <summary>The change feed between two versions, as a DuckDB query.</summary>
/// <param name="FromVersion">The version the consumer has.</param>
/// <param name="ToVersion">The version the consumer moves to.</param>
/// <param name="KeyColumns">The key the rows are matched on; empty when rows are compared whole.</param>
/// <param name="Query">Columns: <c>change_type</c> (insert, update, delete), the key columns, then
/// <c>before_X</c> and <c>after_X</c> for every other column X (without a key: <c>change_type</c> and the
/// row's columns).</param>
public sealed record DeltaChanges(long FromVersion, long ToVersion, IReadOnlyList<string> KeyColumns, string Query);

public sealed partial class DeltaTable
{
    /// <summary>The configuration key under which a table records its key columns (comma-separated).</summary>
    public const string KeyColumnsConfiguration = "govshare.keyColumns";

    /// <summary>Columns that say where a row came from, not what it says: ignored when deciding whether a
    /// row with the same key was updated (<c>record_status</c> is compared: ending a record is a change).</summary>
    private static readonly HashSet<string> ProvenanceColumns = new(
        BaseDatabases.BaseTable.ProvenanceColumns.Select(c => c.Name).Where(c => c != "record_status"), StringComparer.OrdinalIgnoreCase);

    /// <summary>The rows inserted, updated and deleted between two versions: the net effect, computed from the
    /// files that differ between the two versions only (copy-on-write keeps both sides readable), so
    /// rewritten but unchanged rows do not appear. Rows are matched on <paramref name="keyColumns"/>, or on
    /// the table's recorded key; a table without a key reports changed rows as a delete and an insert.</summary>
    public DeltaChanges Changes(long fromVersion, long toVersion, IReadOnlyList<string>? keyColumns = null)
    {
        if (toVersion < fromVersion)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"--to ({toVersion}) is before --from ({fromVersion}).");
        }

        var before = Snapshot(fromVersion);
        var after = Snapshot(toVersion);
        if (before.Schema.ToJson() != after.Schema.ToJson())
        {
            throw new LakeException(LakeErrorKind.Unsupported, $"the schema changed between versions {fromVersion} and {toVersion}; read both versions instead.");
        }

        var keys = keyColumns is { Count: > 0 }
            ? keyColumns
            : after.Metadata.Configuration?.GetValueOrDefault(KeyColumnsConfiguration)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (var key in keys)
        {
            if (after.Schema.Find(key) is null)
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"the key column '{key}' is not in the table.");
            }
        }

        var gone = before.Files.Where(pair => !after.Files.ContainsKey(pair.Key)).Select(pair => pair.Value);
        var come = after.Files.Where(pair => !before.Files.ContainsKey(pair.Key)).Select(pair => pair.Value);
        var old = $"({before.ToDuckDbQuery(gone)})";
        var @new = $"({after.ToDuckDbQuery(come)})";
        var columns = after.Schema.Fields.Select(f => f.Name).ToList();
        string query;
        if (keys.Count == 0)
        {
            var list = string.Join(", ", columns.Select(LakeDuckDb.Identifier));
            query = $"SELECT 'insert' AS change_type, {list} FROM (SELECT {list} FROM {@new} n EXCEPT ALL SELECT {list} FROM {old} o) i " +
                $"UNION ALL SELECT 'delete' AS change_type, {list} FROM (SELECT {list} FROM {old} o EXCEPT ALL SELECT {list} FROM {@new} n) d";
        }
        else
        {
            var keySet = new HashSet<string>(keys, StringComparer.OrdinalIgnoreCase);
            var others = columns.Where(c => !keySet.Contains(c)).ToList();
            var keyList = string.Join(", ", keys.Select(k => $"coalesce(n.{LakeDuckDb.Identifier(k)}, o.{LakeDuckDb.Identifier(k)}) AS {LakeDuckDb.Identifier(k)}"));
            var join = string.Join(" AND ", keys.Select(k => $"n.{LakeDuckDb.Identifier(k)} = o.{LakeDuckDb.Identifier(k)}"));
            var beforeAfter = string.Join(", ", others.Select(c => $"o.{LakeDuckDb.Identifier(c)} AS {LakeDuckDb.Identifier("before_" + c)}")
                .Concat(others.Select(c => $"n.{LakeDuckDb.Identifier(c)} AS {LakeDuckDb.Identifier("after_" + c)}")));
            var firstKey = LakeDuckDb.Identifier(keys[0]);
            // A row delivered again with the same values is no change, whatever its provenance says.
            var compared = others.Where(c => !ProvenanceColumns.Contains(c)).ToList();
            var differs = compared.Count == 0
                ? "false"
                : string.Join(" OR ", compared.Select(c => $"n.{LakeDuckDb.Identifier(c)} IS DISTINCT FROM o.{LakeDuckDb.Identifier(c)}"));
            query = $"SELECT CASE WHEN o.{firstKey} IS NULL THEN 'insert' WHEN n.{firstKey} IS NULL THEN 'delete' ELSE 'update' END AS change_type, " +
                $"{keyList}{(beforeAfter.Length > 0 ? ", " + beforeAfter : string.Empty)} " +
                $"FROM {@new} n FULL OUTER JOIN {old} o ON {join} " +
                $"WHERE o.{firstKey} IS NULL OR n.{firstKey} IS NULL OR {differs}";
        }

        return new DeltaChanges(fromVersion, toVersion, keys, query);
    }
}
