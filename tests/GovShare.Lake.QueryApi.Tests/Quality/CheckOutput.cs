using System.Globalization;
using System.Text.Json;
using GovShare.Lake.Consistency;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.QueryApi.Tests.Quality;

/// <summary>A classified difference as the consistency check keeps it.</summary>
internal sealed record Difference(
    string BaseTable, string Key, string Attribute, string DatasetA, string? ValueA, string DatasetB, string? ValueB,
    string Class = "material_conflict", double Score = 0.9, string ModelVersion = "m-test")
{
    /// <summary>The rows of a <c>SELECT * FROM quality.differences</c> answer.</summary>
    public static List<Difference> Read(JsonElement answer) =>
        answer.GetProperty("rows").EnumerateArray().Select(r => new Difference(
            r[0].GetString()!, r[1].GetString()!, r[2].GetString()!, r[3].GetString()!, r[4].GetString(), r[5].GetString()!, r[6].GetString(),
            r[7].GetString()!, r[8].GetDouble(), r[9].GetString()!)).ToList();
}

/// <summary>Writes what the consistency check writes, without running it (the model, the scan of every provider pair):
/// the Delta table at the check's path, in the check's schema.</summary>
internal static class CheckOutput
{
    /// <summary>When the tests' check ran.</summary>
    public static readonly DateTimeOffset CheckedAt = new(2031, 10, 1, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Adds rows as a new table version, creating the table on the first write.</summary>
    public static void Append(LakeLayout layout, params Difference[] rows) => Write(layout, rows, overwrite: false);

    /// <summary>Replaces every row, as each run of the check does.</summary>
    public static void Overwrite(LakeLayout layout, params Difference[] rows) => Write(layout, rows, overwrite: true);

    /// <summary>The first row of a query over the city's provider tables (<c>{psb.household}</c> names one).</summary>
    public static object[] FirstRow(LakeLayout layout, string sql)
    {
        foreach (var id in new[] { "psb.household", "hrss.insured", "amr.business_licence", "amr.entities", "tax.taxpayers" })
        {
            sql = sql.Replace("{" + id + "}", "(" + DeltaTable.Open(layout.ProviderTable(id)).Snapshot().ToDuckDbQuery() + ")", StringComparison.Ordinal);
        }

        using var connection = LakeDuckDb.OpenInMemory();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), "the city has no row for: " + sql);
        var row = new object[reader.FieldCount];
        reader.GetValues(row);
        return row;
    }

    private static void Write(LakeLayout layout, Difference[] rows, bool overwrite)
    {
        var path = layout.DifferencesTable;
        var table = DeltaTable.Exists(path) ? DeltaTable.Open(path) : DeltaTable.Create(path, ConsistencyCheck.DifferencesSchema, name: "quality.differences");
        static string Text(string? value) => value is null ? "CAST(NULL AS VARCHAR)" : LakeDuckDb.Literal(value);
        var values = string.Join(", ", rows.Select(r =>
            $"({Text(r.BaseTable)}, {Text(r.Key)}, {Text(r.Attribute)}, {Text(r.DatasetA)}, {Text(r.ValueA)}, {Text(r.DatasetB)}, {Text(r.ValueB)}, " +
            $"{Text(r.Class)}, CAST({r.Score.ToString("R", CultureInfo.InvariantCulture)} AS DOUBLE), {Text(r.ModelVersion)}, " +
            $"CAST({LakeDuckDb.Literal(CheckedAt.ToString("O", CultureInfo.InvariantCulture))} AS TIMESTAMPTZ))"));
        var columns = string.Join(", ", ConsistencyCheck.DifferencesSchema.Fields.Select(f => LakeDuckDb.Identifier(f.Name)));
        var query = $"SELECT * FROM (VALUES {values}) v({columns})";
        using var connection = LakeDuckDb.OpenInMemory();
        if (overwrite)
        {
            table.Overwrite(connection, query);
        }
        else
        {
            table.Append(connection, query);
        }
    }
}
