using System.Buffers;
using System.Data.Common;
using System.Text.Json;

namespace GovShare.Lake.QueryApi.Results;

/// <summary>Streams a query result as JSON Lines: one UTF-8 JSON object per row, <c>{"column":value,...}</c>,
/// each ended by <c>\n</c>, with values as <see cref="JsonValues"/> writes them and Chinese unescaped.</summary>
internal static class JsonLinesResultWriter
{
    // Rows are sent once this many bytes have built up: large enough for few writes, small enough to bound memory.
    private const int FlushBytes = 1 << 20;

    /// <summary>Writes the reader's rows, from the current one on, to <paramref name="output"/>, reading each
    /// row once and holding at most about a megabyte of output.</summary>
    /// <param name="reader">A result reader, possibly streaming; it is read forward only.</param>
    /// <param name="output">The response body; written asynchronously only, and not closed.</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    /// <returns>The number of rows written.</returns>
    /// <exception cref="LakeException">A column of a type query results cannot carry (UNION), before any output.</exception>
    public static async Task<long> WriteAsync(DbDataReader reader, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var columns = ResultColumns.InspectForWriting(reader);
        var names = Array.ConvertAll(columns, column => JsonEncodedText.Encode(column.Name, JsonValues.WriterOptions.Encoder));

        var buffer = new ArrayBufferWriter<byte>(FlushBytes + (FlushBytes / 4));
        using var writer = new Utf8JsonWriter(buffer, JsonValues.WriterOptions);
        long rows = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteStartObject();
            for (var i = 0; i < columns.Length; i++)
            {
                writer.WritePropertyName(names[i]);
                JsonValues.Write(writer, reader, i, columns[i].Kind);
            }

            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);

            // A writer accepts one top-level value; Reset lets the next row be another.
            writer.Reset();
            rows++;
            if (buffer.WrittenCount >= FlushBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        if (buffer.WrittenCount > 0)
        {
            await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
        return rows;
    }
}
