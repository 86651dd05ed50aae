using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DuckDB.NET.Native;

namespace GovShare.Lake.QueryApi.Results;

/// <summary>Renders query result values as JSON. This is the one rendering of values that the JSON, JSON Lines,
/// CSV and Arrow writers share, so that a value reads the same whichever format an analyst asks for.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>NULL is <c>null</c>; booleans are <c>true</c>/<c>false</c>; integers up to UBIGINT and DECIMALs are
/// numbers (a DECIMAL keeps all its digits and its scale: <c>1.50</c>).</item>
/// <item>HUGEINT, UHUGEINT and BIGNUM are strings, as JavaScript would round them as numbers.</item>
/// <item>FLOAT and DOUBLE are shortest round-trip numbers; NaN and infinities are the strings <c>"NaN"</c>,
/// <c>"Infinity"</c>, <c>"-Infinity"</c>.</item>
/// <item>DATE is <c>"yyyy-MM-dd"</c>; TIME <c>"HH:mm:ss[.fffffff]"</c>; TIME WITH TIME ZONE adds <c>+hh:mm</c>;
/// TIMESTAMP (any precision) is <c>"yyyy-MM-ddTHH:mm:ss[.fffffff]"</c> with no offset; TIMESTAMP WITH TIME
/// ZONE is the UTC instant with <c>+00:00</c>. Fractions appear only when non-zero. Infinite dates and
/// timestamps are <c>"infinity"</c> and <c>"-infinity"</c>, as DuckDB prints them.</item>
/// <item>INTERVAL is DuckDB's own text (<c>"1 year 2 months 3 days 04:05:06.789"</c>); BLOB is base64;
/// UUID is its 36-character text.</item>
/// <item>LIST and ARRAY are arrays; STRUCT is an object; MAP is an object keyed by the key's text. Inside
/// them, DuckDB.NET reads TIMESTAMP WITH TIME ZONE like TIMESTAMP, so it has no offset there.</item>
/// </list>
/// </remarks>
internal static class JsonValues
{
    /// <summary>The writer options of every JSON body: Chinese text is written as is, not as <c>\uXXXX</c>.</summary>
    internal static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The most characters <see cref="FormatDecimal"/> writes: a sign, 38 digits, a point and a zero.</summary>
    internal const int MaxDecimalChars = 48;

    /// <summary>Writes the value of a column of the reader's current row.</summary>
    public static void Write(Utf8JsonWriter writer, DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        Write(writer, reader, ordinal, ResultColumns.KindOf(reader, ordinal));
    }

    /// <summary>Writes a value whose kind the caller looked up once for the whole result.</summary>
    internal static void Write(Utf8JsonWriter writer, DbDataReader reader, int ordinal, ValueKind kind)
    {
        if (reader.IsDBNull(ordinal))
        {
            writer.WriteNullValue();
            return;
        }

        switch (kind)
        {
            case ValueKind.Boolean:
                writer.WriteBooleanValue(reader.GetBoolean(ordinal));
                break;
            case ValueKind.TinyInt:
                writer.WriteNumberValue(reader.GetFieldValue<sbyte>(ordinal));
                break;
            case ValueKind.SmallInt:
                writer.WriteNumberValue(reader.GetInt16(ordinal));
                break;
            case ValueKind.Integer:
                writer.WriteNumberValue(reader.GetInt32(ordinal));
                break;
            case ValueKind.BigInt:
                writer.WriteNumberValue(reader.GetInt64(ordinal));
                break;
            case ValueKind.UTinyInt:
                writer.WriteNumberValue(reader.GetByte(ordinal));
                break;
            case ValueKind.USmallInt:
                writer.WriteNumberValue(reader.GetFieldValue<ushort>(ordinal));
                break;
            case ValueKind.UInteger:
                writer.WriteNumberValue(reader.GetFieldValue<uint>(ordinal));
                break;
            case ValueKind.UBigInt:
                writer.WriteNumberValue(reader.GetFieldValue<ulong>(ordinal));
                break;
            case ValueKind.Float:
                WriteFloatingPoint(writer, reader.GetFloat(ordinal));
                break;
            case ValueKind.Double:
                WriteFloatingPoint(writer, reader.GetDouble(ordinal));
                break;
            case ValueKind.Decimal:
                Span<char> digits = stackalloc char[MaxDecimalChars];
                var length = FormatDecimal(reader.GetFieldValue<DuckDBDecimal>(ordinal), digits);
                writer.WriteRawValue(digits[..length], skipInputValidation: true);
                break;
            case ValueKind.Blob:
                writer.WriteBase64StringValue(ReadBlob(reader, ordinal));
                break;
            case ValueKind.Nested:
                WriteObject(writer, ReadNested(reader, ordinal));
                break;
            case ValueKind.Clr:
                WriteObject(writer, reader.GetValue(ordinal));
                break;
            default:
                writer.WriteStringValue(Text(reader, ordinal, kind));
                break;
        }
    }

    /// <summary>The text of a non-NULL value as JSON writes it: a string without its quotes, a number's
    /// digits, a LIST, STRUCT or MAP as JSON text. Formats without those types (CSV, Arrow) carry this.</summary>
    internal static string Text(DbDataReader reader, int ordinal, ValueKind kind) => kind switch
    {
        ValueKind.Text => reader.GetString(ordinal),
        ValueKind.Boolean => reader.GetBoolean(ordinal) ? "true" : "false",
        ValueKind.TinyInt => reader.GetFieldValue<sbyte>(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.SmallInt => reader.GetInt16(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.Integer => reader.GetInt32(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.BigInt => reader.GetInt64(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.UTinyInt => reader.GetByte(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.USmallInt => reader.GetFieldValue<ushort>(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.UInteger => reader.GetFieldValue<uint>(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.UBigInt => reader.GetFieldValue<ulong>(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.BigInteger => reader.GetFieldValue<BigInteger>(ordinal).ToString(CultureInfo.InvariantCulture),
        ValueKind.Float => reader.GetFloat(ordinal).ToString("R", CultureInfo.InvariantCulture),
        ValueKind.Double => reader.GetDouble(ordinal).ToString("R", CultureInfo.InvariantCulture),
        ValueKind.Decimal => DecimalText(reader.GetFieldValue<DuckDBDecimal>(ordinal)),
        ValueKind.Date => DateText(reader.GetFieldValue<DuckDBDateOnly>(ordinal)),
        ValueKind.Time => TimeText(reader.GetFieldValue<TimeOnly>(ordinal)),
        ValueKind.TimeTz => TimeTzText(reader.GetFieldValue<DuckDBTimeTz>(ordinal)),
        ValueKind.Timestamp => TimestampText(reader, ordinal, 'T', withOffset: false),
        ValueKind.TimestampTz => TimestampText(reader, ordinal, 'T', withOffset: true),
        ValueKind.Interval => IntervalText(reader.GetFieldValue<DuckDBInterval>(ordinal)),
        ValueKind.Blob => Convert.ToBase64String(ReadBlob(reader, ordinal)),
        ValueKind.Uuid => reader.GetGuid(ordinal).ToString("D", CultureInfo.InvariantCulture),
        ValueKind.Nested => JsonText(ReadNested(reader, ordinal)),
        ValueKind.Clr => ObjectText(reader.GetValue(ordinal)),
        _ => throw new LakeException(LakeErrorKind.Unsupported, $"column '{reader.GetName(ordinal)}' has a type query results cannot carry; cast it to VARCHAR"),
    };

    /// <summary>A TIMESTAMP or TIMESTAMP WITH TIME ZONE with the given separator between date and time
    /// (CSV uses a space, as DuckDB prints it). DuckDB.NET throws on infinite timestamps when asked for a
    /// <see cref="DateTime"/>, so those are checked first.</summary>
    internal static string TimestampText(DbDataReader reader, int ordinal, char separator, bool withOffset)
    {
        var timestamp = reader.GetFieldValue<DuckDBTimestamp>(ordinal);
        if (timestamp.IsInfinity)
        {
            return timestamp.IsPositiveInfinity ? "infinity" : "-infinity";
        }

        // GetDateTime keeps TIMESTAMP_NS to the tick; DuckDB returns TIMESTAMP WITH TIME ZONE as UTC.
        var text = TimestampText(reader.GetDateTime(ordinal), separator);
        return withOffset ? text + "+00:00" : text;
    }

    /// <summary>The exact digits of a DECIMAL of any width. DuckDB.NET's <see cref="decimal"/> cannot hold a
    /// DECIMAL wider than 28 digits, so the unscaled 128-bit integer is formatted instead.</summary>
    internal static int FormatDecimal(DuckDBDecimal value, Span<char> destination)
    {
        var unscaled = value.Value.ToInt128();
        var negative = unscaled < 0;
        var magnitude = (UInt128)(negative ? -unscaled : unscaled);
        Span<char> digits = stackalloc char[40];
        magnitude.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
        int scale = value.Scale;

        var written = 0;
        if (negative)
        {
            destination[written++] = '-';
        }

        if (count <= scale)
        {
            destination[written++] = '0';
            destination[written++] = '.';
            destination.Slice(written, scale - count).Fill('0');
            written += scale - count;
            digits[..count].CopyTo(destination[written..]);
            return written + count;
        }

        var integral = count - scale;
        digits[..integral].CopyTo(destination[written..]);
        written += integral;
        if (scale > 0)
        {
            destination[written++] = '.';
            digits[integral..count].CopyTo(destination[written..]);
            written += scale;
        }

        return written;
    }

    internal static string DecimalText(DuckDBDecimal value)
    {
        Span<char> text = stackalloc char[MaxDecimalChars];
        return new string(text[..FormatDecimal(value, text)]);
    }

    internal static string DateText(DuckDBDateOnly date)
    {
        if (date.IsInfinity)
        {
            return date.IsPositiveInfinity ? "infinity" : "-infinity";
        }

        // From the parts, not DateOnly: DuckDB's dates run far past the year 9999.
        return string.Create(CultureInfo.InvariantCulture, $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2}");
    }

    internal static string TimeText(TimeOnly time) => time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    internal static string TimestampText(DateTime timestamp, char separator) =>
        timestamp.ToString(separator == 'T' ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    /// <summary>A TIME WITH TIME ZONE. DuckDB.NET's <see cref="DateTimeOffset"/> for it carries a made-up
    /// date, so the time and offset are taken from DuckDB's own parts.</summary>
    internal static string TimeTzText(DuckDBTimeTz value)
    {
        var time = new TimeOnly(value.Time.Hour, value.Time.Min, value.Time.Sec).Add(TimeSpan.FromMicroseconds(value.Time.Microsecond));
        var offset = TimeSpan.FromSeconds(value.Offset);
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        return string.Create(CultureInfo.InvariantCulture, $"{TimeText(time)}{sign}{offset.Duration():hh\\:mm}");
    }

    /// <summary>An INTERVAL as DuckDB prints it. DuckDB.NET's <see cref="TimeSpan"/> cannot hold months
    /// (it throws), so DuckDB's three parts are read instead.</summary>
    internal static string IntervalText(DuckDBInterval interval) =>
        IntervalText(interval.Months, interval.Days, unchecked((long)interval.Micros));

    internal static string IntervalText(int months, int days, long micros)
    {
        var text = new StringBuilder();
        AppendIntervalPart(text, months / 12, "year");
        AppendIntervalPart(text, months % 12, "month");
        AppendIntervalPart(text, days, "day");
        if (micros != 0)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            if (micros < 0)
            {
                text.Append('-');
            }

            var magnitude = micros == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(micros);
            var hours = magnitude / 3_600_000_000UL;
            var minutes = magnitude / 60_000_000UL % 60;
            var seconds = magnitude / 1_000_000UL % 60;
            var fraction = magnitude % 1_000_000UL;
            text.Append(CultureInfo.InvariantCulture, $"{hours:D2}:{minutes:D2}:{seconds:D2}");
            if (fraction != 0)
            {
                text.Append('.').Append(fraction.ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0'));
            }
        }
        else if (text.Length == 0)
        {
            text.Append("00:00:00");
        }

        return text.ToString();
    }

    private static void AppendIntervalPart(StringBuilder text, int value, string unit)
    {
        if (value == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(' ');
        }

        text.Append(CultureInfo.InvariantCulture, $"{value} {unit}");
        if (value is not 1 and not -1)
        {
            text.Append('s');
        }
    }

    /// <summary>A BLOB's bytes. DuckDB.NET hands out a stream over the current chunk's memory, valid only
    /// until the next row is read, so it is copied at once.</summary>
    internal static byte[] ReadBlob(DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        return ReadAll(stream);
    }

    private static byte[] ReadAll(Stream stream)
    {
        if (stream.CanSeek)
        {
            var bytes = new byte[stream.Length - stream.Position];
            stream.ReadExactly(bytes);
            return bytes;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Reads a LIST, ARRAY, STRUCT or MAP value. DuckDB.NET's own type for a LIST of INTEGER is
    /// <c>List&lt;int&gt;</c>, which throws on a NULL element, so the value is read as a list of nullable
    /// elements (and a MAP with nullable values) instead.</summary>
    internal static object? ReadNested(DbDataReader reader, int ordinal) =>
        NestedReaders.GetOrAdd(reader.GetFieldType(ordinal), CreateNestedReader)(reader, ordinal);

    private static readonly ConcurrentDictionary<Type, Func<DbDataReader, int, object?>> NestedReaders = new();

    private static Func<DbDataReader, int, object?> CreateNestedReader(Type clrType)
    {
        var target = AllowingNullElements(clrType);
        if (target == clrType)
        {
            return static (reader, ordinal) => reader.GetValue(ordinal);
        }

        return typeof(JsonValues)
            .GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(target)
            .CreateDelegate<Func<DbDataReader, int, object?>>();
    }

    private static object? ReadAs<T>(DbDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal);

    private static Type AllowingNullElements(Type type)
    {
        if (!type.IsGenericType || type == typeof(Dictionary<string, object>))
        {
            return type;
        }

        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        if (definition == typeof(List<>))
        {
            return typeof(List<>).MakeGenericType(AllowingNull(arguments[0]));
        }

        if (definition == typeof(Dictionary<,>))
        {
            return typeof(Dictionary<,>).MakeGenericType(arguments[0], AllowingNull(arguments[1]));
        }

        return type;
    }

    private static Type AllowingNull(Type type) =>
        type.IsValueType && Nullable.GetUnderlyingType(type) is null
            ? typeof(Nullable<>).MakeGenericType(type)
            : AllowingNullElements(type);

    /// <summary>Writes a value DuckDB.NET read as a CLR object: the parts of a LIST, STRUCT or MAP, or a
    /// column of a type without a kind of its own.</summary>
    internal static void WriteObject(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                writer.WriteNumberValue(number);
                break;
            case float number:
                WriteFloatingPoint(writer, number);
                break;
            case double number:
                WriteFloatingPoint(writer, number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case Stream stream:
                writer.WriteBase64StringValue(ReadAll(stream));
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(ObjectText(entry.Key));
                    WriteObject(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteObject(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(ObjectText(value));
                break;
        }
    }

    /// <summary>The text of a value read as a CLR object, as <see cref="WriteObject"/> would write it.</summary>
    private static string ObjectText(object? value) => value switch
    {
        null or DBNull => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        float number => number.ToString("R", CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly time => TimeText(time),
        DateTime timestamp => TimestampText(timestamp, 'T'),
        DateTimeOffset time => TimeText(TimeOnly.FromTimeSpan(time.TimeOfDay)) + time.ToString("zzz", CultureInfo.InvariantCulture),
        TimeSpan interval => IntervalText(0, interval.Days, (interval - TimeSpan.FromDays(interval.Days)).Ticks / TimeSpan.TicksPerMicrosecond),
        Guid id => id.ToString("D", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        Stream stream => Convert.ToBase64String(ReadAll(stream)),
        IEnumerable => JsonText(value),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string JsonText(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteObject(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteFloatingPoint(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void WriteFloatingPoint(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }
}
