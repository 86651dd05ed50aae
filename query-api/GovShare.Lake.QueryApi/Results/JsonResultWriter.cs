using System.Data.Common;
using System.Text.Json;

namespace GovShare.Lake.QueryApi.Results;

/// <summary>Writes a query result into a JSON response the caller frames: the columns as
/// <c>[{"name":..,"type":..}]</c> and the rows as an array of row arrays, <c>[[v1,v2],[..]]</c>, with values
/// as <see cref="JsonValues"/> writes them.</summary>
internal static class JsonResultWriter
{
    // The caller's flush is called this often, and whenever the writer holds this much, so that neither a long
    // result nor a wide one builds up in memory.
    private const int FlushRows = 1000;
    private const int FlushBytes = 1 << 20;

    /// <summary>Writes at most <paramref name="maxRows"/> rows, from the reader's current position, as a JSON
    /// array of row arrays.</summary>
    /// <param name="reader">A result reader, possibly streaming; it is read forward only.</param>
    /// <param name="writer">The writer to write the array to, positioned where a value may go.</param>
    /// <param name="maxRows">The most rows to write.</param>
    /// <param name="flush">Called every 1000 rows (and when the writer holds a megabyte), so that the caller can
    /// flush the writer to the response.</param>
    /// <param name="ct">Stops between rows.</param>
    /// <returns>The rows written, and whether the result had a further row that was left out. One row past
    /// <paramref name="maxRows"/> is read to know.</returns>
    /// <exception cref="LakeException">A column of a type query results cannot carry (UNION), before any output.</exception>
    public static async Task<(long Rows, bool Truncated)> WriteRowsAsync(DbDataReader reader, Utf8JsonWriter writer, int maxRows, Func<Task> flush, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(flush);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var columns = ResultColumns.InspectForWriting(reader);

        writer.WriteStartArray();
        long rows = 0;
        while (rows < maxRows && reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            writer.WriteStartArray();
            for (var i = 0; i < columns.Length; i++)
            {
                JsonValues.Write(writer, reader, i, columns[i].Kind);
            }

            writer.WriteEndArray();
            rows++;
            if (rows % FlushRows == 0 || writer.BytesPending >= FlushBytes)
            {
                await flush();
            }
        }

        writer.WriteEndArray();
        var truncated = rows == maxRows && reader.Read();
        return (rows, truncated);
    }

    /// <summary>Writes the columns as an array of <c>{"name":..,"type":..}</c> objects.</summary>
    public static void WriteColumns(Utf8JsonWriter writer, IReadOnlyList<ResultColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(columns);
        writer.WriteStartArray();
        foreach (var column in columns)
        {
            writer.WriteStartObject();
            writer.WriteString("name", column.Name);
            writer.WriteString("type", column.Type);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
