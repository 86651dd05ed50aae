using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Quality;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary><c>quality.differences</c>: the consistency check's classified differences (<see cref="LakeLayout.DifferencesTable"/>)
/// for analysts' SQL. One view in the quality catalog (<see cref="DifferencesView"/>) reads the table's latest version;
/// each refresh points it at a newer one when the check committed, and before the first check it is empty with the
/// table's column types. Every version catalog's <c>quality.differences</c> reads that view, so the latest check shows
/// whatever <c>asOf</c> pins: the table is the check's own output about provider versions it chose, not a provider or
/// reference table, and making it part of the lake version would add a lake version (and new export ETags for every
/// theme) to each nightly run. An agency sees a difference only when it may read both entries and the attribute under
/// both grants; each value is masked where that entry's grant masks the attribute, the key where either grant masks the
/// key column.</summary>
public sealed partial class LakeEngine
{
    /// <summary>The view of the differences table's latest version, in the quality catalog (not nameable from SQL).</summary>
    private const string DifferencesView = QualityCatalog + ".main.differences";

    private static readonly string DifferencesColumns =
        string.Join(", ", ClassifiedDifferences.Schema.Fields.Select(f => LakeDuckDb.Identifier(f.Name)));

    private readonly Lock _differencesGate = new();

    // The table version the view reads; null: no table yet (or none readable so far).
    private long? _differencesVersion;

    // The table as it is before the check's first run: no rows, the check's column types.
    private static string EmptyDifferences() =>
        "SELECT " + string.Join(", ", ClassifiedDifferences.Schema.Fields.Select(f => $"CAST(NULL AS {f.DuckDbType}) AS {LakeDuckDb.Identifier(f.Name)}")) +
        " WHERE false";

    private static void CreateDifferencesView(DuckDBConnection root) =>
        LakeDuckDb.Execute(root, $"CREATE VIEW {DifferencesView} AS {EmptyDifferences()}");

    /// <summary>Points the differences view at the table's latest version when the check committed since the last look
    /// (a listing of its log otherwise). A table that cannot be read leaves the view as it was, tried again next time.</summary>
    private void RefreshDifferences()
    {
        var path = _layout.DifferencesTable;
        lock (_differencesGate)
        {
            try
            {
                var latest = DeltaTable.Exists(path) ? DeltaTable.Open(path).LatestVersion() : null;
                if (latest == _differencesVersion)
                {
                    return;
                }

                var query = latest is { } version ? DeltaTable.Open(path).Snapshot(version).ToDuckDbQuery() : EmptyDifferences();
                using var connection = _root.Duplicate();
                connection.Open();
                LakeDuckDb.Execute(connection, $"CREATE OR REPLACE VIEW {DifferencesView} AS SELECT {DifferencesColumns} FROM ({query}) d");
                _differencesVersion = latest;
            }
            catch (Exception ex) when (ex is LakeException or IOException or DuckDBException or System.Text.Json.JsonException)
            {
                LogDifferencesUnreadable(ex.GetType().Name, ex.Message);
            }
        }
    }

    // The full view: every difference, unmasked (the engine's own catalogs, agencies that read everything, the operator).
    private static void CreateDifferencesViews(DuckDBConnection connection) =>
        LakeDuckDb.Execute(connection, $"CREATE VIEW quality.differences AS SELECT {DifferencesColumns} FROM {DifferencesView}");

    // An agency's view: the rules of the base views applied to both sides of each difference.
    private static void CreateDifferencesViews(DuckDBConnection connection, VersionCatalog catalog, AccessProfile access)
    {
        var whole = new List<string>();
        var limited = new List<(string Id, string Fields)>();
        var maskedKeys = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var maskedValues = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (id, keyColumn) in catalog.EntryKeys.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (access.Dataset(id) is not { } grant)
            {
                continue;
            }

            if (grant.Fields is null)
            {
                whole.Add(LakeDuckDb.Literal(id));
            }
            else
            {
                limited.Add((LakeDuckDb.Literal(id), string.Join(", ", grant.Fields.Order(StringComparer.Ordinal).Select(LakeDuckDb.Literal).DefaultIfEmpty("NULL"))));
            }

            if (grant.Masked.Contains(keyColumn))
            {
                Add(maskedKeys, keyColumn, id);
            }

            foreach (var attribute in grant.Masked)
            {
                Add(maskedValues, attribute, id);
            }
        }

        string Readable(string side)
        {
            var any = limited.Select(l => $"({side} = {l.Id} AND attribute IN ({l.Fields}))").ToList();
            if (whole.Count > 0)
            {
                any.Insert(0, $"{side} IN ({string.Join(", ", whole)})");
            }

            return any.Count == 0 ? "false" : "(" + string.Join(" OR ", any) + ")";
        }

        string Value(string side, string value)
        {
            var cases = new StringBuilder();
            foreach (var (attribute, ids) in maskedValues)
            {
                cases.Append(CultureInfo.InvariantCulture,
                    $" WHEN attribute = {LakeDuckDb.Literal(attribute)} AND {side} IN ({string.Join(", ", ids.Select(LakeDuckDb.Literal))}) THEN {FieldMask.Sql(attribute, value)}");
            }

            return cases.Length == 0 ? value : $"CASE{cases} ELSE {value} END";
        }

        var keys = new StringBuilder();
        foreach (var (keyColumn, ids) in maskedKeys)
        {
            var list = string.Join(", ", ids.Select(LakeDuckDb.Literal));
            keys.Append(CultureInfo.InvariantCulture, $" WHEN dataset_a IN ({list}) OR dataset_b IN ({list}) THEN {FieldMask.Sql(keyColumn, "key")}");
        }

        var columns = ClassifiedDifferences.Schema.Fields.Select(f => f.Name switch
        {
            "key" when keys.Length > 0 => $"CASE{keys} ELSE key END AS key",
            "value_a" => Value("dataset_a", "value_a") + " AS value_a",
            "value_b" => Value("dataset_b", "value_b") + " AS value_b",
            var name => LakeDuckDb.Identifier(name),
        });
        LakeDuckDb.Execute(connection, $"CREATE VIEW quality.differences AS SELECT {string.Join(", ", columns)} FROM {DifferencesView} " +
            $"WHERE {Readable("dataset_a")} AND {Readable("dataset_b")}");

        static void Add(SortedDictionary<string, List<string>> map, string name, string id)
        {
            if (!map.TryGetValue(name, out var ids))
            {
                map[name] = ids = [];
            }

            ids.Add(id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "quality.differences keeps showing the check's previous table version: the table cannot be read ({ExceptionType}): {Reason}")]
    private partial void LogDifferencesUnreadable(string exceptionType, string reason);
}
