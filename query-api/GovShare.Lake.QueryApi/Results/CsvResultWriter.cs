using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Native;

namespace GovShare.Lake.QueryApi.Results;

/// <summary>Streams a query result as RFC 4180 CSV.</summary>
/// <remarks>
/// A header row of column names, then one record per row: fields separated by commas, records ended by CRLF,
/// a field quoted when it holds a comma, a quote, CR or LF, with its quotes doubled. NULL is an empty field;
/// an empty string or BLOB is <c>""</c>, so that DuckDB's <c>read_csv</c> (with <c>allow_quoted_nulls = false</c>)
/// reads the two apart. Values read as in <see cref="JsonValues"/>, except that TIMESTAMP is
/// <c>yyyy-MM-dd HH:mm:ss[.fffffff]</c> (with <c>+00:00</c> for TIMESTAMP WITH TIME ZONE) and BLOB is DuckDB's
/// escaped text (<c>\xAA</c> for a byte outside printable ASCII), both of which DuckDB reads back; LIST,
/// STRUCT and MAP are JSON text.
/// No byte-order mark is written.
/// </remarks>
internal static class CsvResultWriter
{
    // Text is encoded and sent once this many characters have built up: a few MB at most even in GB18030,
    // and few enough writes that a large result streams at full speed.
    private const int FlushChars = 1 << 20;

    // Characters handed to the encoder at a time, so that the byte buffer stays small.
    private const int EncodeChars = 1 << 15;

    /// <summary>Writes the reader's rows, from the current one on, to <paramref name="output"/>, reading each
    /// row once and never holding more than about a megabyte of text.</summary>
    /// <param name="reader">A result reader, possibly streaming; it is read forward only.</param>
    /// <param name="output">The response body; written asynchronously only, and not closed.</param>
    /// <param name="encoding">UTF-8 or GB18030 (<see cref="GovShare.Lake.Text.TextEncodings.Gb18030"/>).</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    /// <returns>The number of rows written, not counting the header.</returns>
    /// <exception cref="LakeException">A column of a type query results cannot carry (UNION), before any output.</exception>
    public static async Task<long> WriteAsync(DbDataReader reader, Stream output, Encoding encoding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(encoding);
        var columns = ResultColumns.InspectForWriting(reader);
        var sink = new EncodingSink(output, encoding);
        var text = new StringBuilder(FlushChars + (FlushChars / 8));

        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            AppendField(text, columns[i].Name);
        }

        text.Append("\r\n");

        long rows = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < columns.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                if (!reader.IsDBNull(i))
                {
                    AppendValue(text, reader, i, columns[i].Kind);
                }
            }

            text.Append("\r\n");
            rows++;
            if (text.Length >= FlushChars)
            {
                await sink.WriteAsync(text, final: false, cancellationToken);
            }
        }

        await sink.WriteAsync(text, final: true, cancellationToken);
        await output.FlushAsync(cancellationToken);
        return rows;
    }

    private static void AppendValue(StringBuilder text, DbDataReader reader, int ordinal, ValueKind kind)
    {
        var start = text.Length;
        switch (kind)
        {
            case ValueKind.Text:
                AppendField(text, reader.GetString(ordinal));
                break;
            case ValueKind.Integer:
                text.Append(CultureInfo.InvariantCulture, $"{reader.GetInt32(ordinal)}");
                break;
            case ValueKind.BigInt:
                text.Append(CultureInfo.InvariantCulture, $"{reader.GetInt64(ordinal)}");
                break;
            case ValueKind.Double:
                text.Append(CultureInfo.InvariantCulture, $"{reader.GetDouble(ordinal):R}");
                break;
            case ValueKind.Decimal:
                Span<char> digits = stackalloc char[JsonValues.MaxDecimalChars];
                text.Append(digits[..JsonValues.FormatDecimal(reader.GetFieldValue<DuckDBDecimal>(ordinal), digits)]);
                break;
            case ValueKind.Timestamp:
                text.Append(JsonValues.TimestampText(reader, ordinal, ' ', withOffset: false));
                break;
            case ValueKind.TimestampTz:
                text.Append(JsonValues.TimestampText(reader, ordinal, ' ', withOffset: true));
                break;
            case ValueKind.Blob:
                AppendField(text, BlobText(JsonValues.ReadBlob(reader, ordinal)));
                break;
            default:
                AppendField(text, JsonValues.Text(reader, ordinal, kind));
                break;
        }

        // An empty string or BLOB is a quoted empty field, so that it does not read back as NULL.
        if (text.Length == start)
        {
            text.Append("\"\"");
        }
    }

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    private static void AppendField(StringBuilder text, string value)
    {
        if (value.AsSpan().IndexOfAny(NeedsQuotes) < 0)
        {
            text.Append(value);
            return;
        }

        text.Append('"');
        foreach (var part in value.Split('"'))
        {
            text.Append(part).Append("\"\"");
        }

        // Every part was followed by a doubled quote; the last one closes the field instead.
        text.Length -= 1;
    }

    /// <summary>A BLOB as DuckDB prints it: printable ASCII as is, except the backslash and the quotes, and
    /// <c>\xHH</c> for every other byte; DuckDB casts this text back to the same bytes.</summary>
    private static string BlobText(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'\\' and not (byte)'\'' and not (byte)'"')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
        }

        return text.ToString();
    }

    /// <summary>Encodes text into a small byte buffer and writes it asynchronously: ASP.NET Core's response
    /// body refuses synchronous writes, which a <see cref="StreamWriter"/> makes whenever its buffer fills.
    /// Unlike a <see cref="StreamWriter"/>, it never writes a byte-order mark.</summary>
    private sealed class EncodingSink(Stream output, Encoding encoding)
    {
        private readonly Encoder _encoder = encoding.GetEncoder();
        private readonly byte[] _bytes = new byte[encoding.GetMaxByteCount(EncodeChars)];

        /// <summary>Sends the text and clears it; <paramref name="final"/> also flushes the encoder's state.</summary>
        public async Task WriteAsync(StringBuilder text, bool final, CancellationToken cancellationToken)
        {
            foreach (var chunk in text.GetChunks())
            {
                for (var rest = chunk; !rest.IsEmpty;)
                {
                    var piece = rest[..Math.Min(rest.Length, EncodeChars)];
                    var length = _encoder.GetBytes(piece.Span, _bytes, flush: false);
                    await output.WriteAsync(_bytes.AsMemory(0, length), cancellationToken);
                    rest = rest[piece.Length..];
                }
            }

            text.Clear();
            if (final)
            {
                var length = _encoder.GetBytes([], _bytes, flush: true);
                if (length > 0)
                {
                    await output.WriteAsync(_bytes.AsMemory(0, length), cancellationToken);
                }
            }
        }
    }
}
