using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.Engine;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>An open mismatch report as the <c>quality.mismatch_reports</c> view shows it.</summary>
/// <param name="Id">The report id.</param>
/// <param name="EntryId">The entry the doubted value comes from.</param>
/// <param name="Provider">The provider verifying it.</param>
/// <param name="BaseTable">The base table.</param>
/// <param name="Attribute">The attribute.</param>
/// <param name="Status"><c>reported</c> or <c>in_verification</c>.</param>
/// <param name="Source"><c>consumer</c> or <c>check:&lt;name&gt;</c>.</param>
/// <param name="Class">A check's class.</param>
/// <param name="Score">A check's score.</param>
/// <param name="ReportedAt">When it was filed.</param>
/// <param name="Due">When the provider's verification is due.</param>
/// <param name="Escalated">True once escalated to the operator.</param>
/// <param name="Key">The record's key.</param>
public sealed record QualityRow(string Id, string EntryId, string Provider, string BaseTable, string Attribute, string Status, string Source, string? Class,
    double? Score, DateTimeOffset ReportedAt, DateTimeOffset? Due, bool Escalated, string Key);

/// <summary>The <c>quality</c> schema: open mismatch reports for analysts' SQL (and the check's differences:
/// <c>LakeEngine.Differences.cs</c>). The rows live once, in a table of an
/// in-memory catalog of their own (<see cref="QualityCatalog"/>, not nameable from SQL: the sandbox refuses catalogs),
/// replaced whole whenever the reports change (<see cref="ReplaceMismatchReports"/>); every version catalog has a view of
/// it. An agency's view shows only reports on entries it may read, on attributes its grant includes, with the key masked
/// where its grant masks the entry's key column; the operator's shows all, like the full catalog.</summary>
public sealed partial class LakeEngine
{
    /// <summary>The catalog holding the open reports' table.</summary>
    internal const string QualityCatalog = "govshare_quality";

    private const string QualityTable = QualityCatalog + ".main.mismatch_reports";

    // The view's columns, in order.
    private const string QualityColumns = "id, entry_id, provider, base_table, attribute, status, source, class, score, reported_at, due, escalated";

    private readonly Lock _qualityGate = new();

    private static void CreateQualityTable(DuckDBConnection root)
    {
        LakeDuckDb.Execute(root, $"ATTACH ':memory:' AS {QualityCatalog}");
        LakeDuckDb.Execute(root, $"""
            CREATE TABLE {QualityTable} (
                id VARCHAR NOT NULL, entry_id VARCHAR NOT NULL, provider VARCHAR NOT NULL, base_table VARCHAR NOT NULL, attribute VARCHAR NOT NULL,
                status VARCHAR NOT NULL, source VARCHAR NOT NULL, class VARCHAR, score DOUBLE, reported_at TIMESTAMPTZ NOT NULL, due TIMESTAMPTZ,
                escalated BOOLEAN NOT NULL, key VARCHAR NOT NULL)
            """);
    }

    /// <summary>Replaces the open reports the <c>quality</c> views show (in one transaction: a statement reads the old
    /// rows or the new ones, never a mix).</summary>
    public void ReplaceMismatchReports(IReadOnlyList<QualityRow> rows)
    {
        lock (_qualityGate)
        {
            using var connection = _root.Duplicate();
            connection.Open();
            using var transaction = connection.BeginTransaction();
            LakeDuckDb.Execute(connection, $"DELETE FROM {QualityTable}");
            using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO {QualityTable} VALUES ({string.Join(", ", Enumerable.Range(0, 13).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
            foreach (var row in rows)
            {
                insert.Parameters.Clear();
                object?[] values =
                [
                    row.Id, row.EntryId, row.Provider, row.BaseTable, row.Attribute, row.Status, row.Source, row.Class, row.Score,
                    row.ReportedAt.UtcDateTime, row.Due?.UtcDateTime, row.Escalated, row.Key,
                ];
                for (var i = 0; i < values.Length; i++)
                {
                    insert.Parameters.Add(new DuckDBParameter("p" + i.ToString(CultureInfo.InvariantCulture), values[i] ?? DBNull.Value));
                }

                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    // The full view: every open report (the engine's own catalogs, agencies that read everything, the operator).
    private static void CreateQualityViews(DuckDBConnection connection)
    {
        LakeDuckDb.Execute(connection, "CREATE SCHEMA quality");
        LakeDuckDb.Execute(connection, $"CREATE VIEW quality.mismatch_reports AS SELECT {QualityColumns}, key FROM {QualityTable}");
        CreateDifferencesViews(connection);
    }

    // An agency's view: reports on entries it may read and attributes its grant includes; keys masked as its grant masks
    // the entry's key column.
    private static void CreateQualityViews(DuckDBConnection connection, VersionCatalog catalog, AccessProfile access)
    {
        var readable = new List<string>();
        var maskedKeys = new StringBuilder();
        foreach (var (id, keyColumn) in catalog.EntryKeys.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (access.Dataset(id) is not { } grant)
            {
                continue;
            }

            readable.Add(grant.Fields is null
                ? $"entry_id = {LakeDuckDb.Literal(id)}"
                : $"(entry_id = {LakeDuckDb.Literal(id)} AND attribute IN ({string.Join(", ", grant.Fields.Order(StringComparer.Ordinal).Select(LakeDuckDb.Literal).DefaultIfEmpty("NULL"))}))");
            if (grant.Masked.Contains(keyColumn))
            {
                maskedKeys.Append(CultureInfo.InvariantCulture, $" WHEN {LakeDuckDb.Literal(id)} THEN {FieldMask.Sql(keyColumn, "key")}");
            }
        }

        var key = maskedKeys.Length == 0 ? "key" : $"CASE entry_id{maskedKeys} ELSE key END";
        var where = readable.Count == 0 ? "false" : string.Join(" OR ", readable);
        LakeDuckDb.Execute(connection, "CREATE SCHEMA quality");
        LakeDuckDb.Execute(connection, $"CREATE VIEW quality.mismatch_reports AS SELECT {QualityColumns}, {key} AS key FROM {QualityTable} WHERE {where}");
        CreateDifferencesViews(connection, catalog, access);
    }
}
