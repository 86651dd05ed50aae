using System.Text;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Cli.Commands;

/// <summary>Writes a DuckDB query's rows as CSV (header row, values in their plain text form, nulls empty)
/// or as JSON Lines (one object per row, typed values).</summary>
internal static class QueryOutput
{
    public static long Write(string query, string format, TextWriter output, long? limit = null)
    {
        using var connection = LakeDuckDb.OpenShared();
        var limited = limit is { } n ? $"SELECT * FROM ({query}) q LIMIT {n}" : query;
        using var command = connection.CreateCommand();
        command.CommandText = format == "json"
            ? $"SELECT CAST(to_json(q) AS VARCHAR) FROM ({limited}) q"
            : $"SELECT COLUMNS(*)::VARCHAR FROM ({limited}) q";
        using var reader = command.ExecuteReader();
        if (format != "json")
        {
            output.WriteLine(string.Join(",", Enumerable.Range(0, reader.FieldCount).Select(i => Csv(reader.GetName(i)))));
        }

        long rows = 0;
        var line = new StringBuilder();
        while (reader.Read())
        {
            line.Clear();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (format != "json" && i > 0)
                {
                    line.Append(',');
                }

                line.Append(reader.IsDBNull(i) ? string.Empty : format == "json" ? reader.GetString(i) : Csv(reader.GetString(i)));
            }

            output.WriteLine(line);
            rows++;
        }

        return rows;
    }

    /// <summary>A CSV field: quoted (RFC 4180) only when it holds a comma, quote or line break.</summary>
    public static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
