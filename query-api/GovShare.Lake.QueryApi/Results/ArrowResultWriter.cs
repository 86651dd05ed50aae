using System.Buffers.Binary;
using System.Data.Common;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using DuckDB.NET.Native;

namespace GovShare.Lake.QueryApi.Results;

/// <summary>Streams a query result in the Apache Arrow IPC stream format, in record batches of at most
/// <see cref="BatchRows"/> rows, holding one batch at a time.</summary>
/// <remarks>
/// Every field is nullable. Types map as follows:
/// <list type="bullet">
/// <item>VARCHAR (and ENUM, BIT, JSON) → Utf8; BOOLEAN → Boolean; TINYINT, SMALLINT, INTEGER, BIGINT →
/// Int8, Int16, Int32, Int64; UTINYINT … UBIGINT → UInt8 … UInt64; FLOAT → Float; DOUBLE → Double;
/// BLOB → Binary.</item>
/// <item>DECIMAL(p,s) → Decimal128(p,s), every digit kept.</item>
/// <item>DATE → Date32; TIMESTAMP (any precision) → Timestamp(microsecond) with no zone; TIMESTAMP WITH TIME
/// ZONE → Timestamp(microsecond, "UTC"). An infinite DATE or TIMESTAMP, which Arrow's types cannot tell
/// from a real instant, is null; so is a DATE outside the years 1 to 9999.</item>
/// <item>Any other type (LIST, ARRAY, STRUCT, MAP, HUGEINT, UHUGEINT, INTERVAL, UUID, TIME, TIME WITH TIME
/// ZONE, ...) → Utf8 holding the text the JSON writer produces for the value (<see cref="JsonValues"/>): a
/// string value without its quotes (<c>1 day 02:00:00</c>, a UUID), a LIST, STRUCT or MAP as JSON text
/// (<c>[1,2,null]</c>).</item>
/// </list>
/// </remarks>
internal static class ArrowResultWriter
{
    /// <summary>The most rows in one record batch: DuckDB's own Arrow export uses a similar size, small enough
    /// to bound memory and large enough for Arrow's columnar layout to pay off.</summary>
    public const int BatchRows = 8192;

    /// <summary>Writes the reader's rows, from the current one on, to <paramref name="output"/>: the schema,
    /// then the batches, then the end-of-stream marker. An empty result is a stream with the schema alone.</summary>
    /// <param name="reader">A result reader, possibly streaming; it is read forward only.</param>
    /// <param name="output">The response body; written asynchronously only, and not closed.</param>
    /// <param name="ct">Stops between rows.</param>
    /// <returns>The number of rows written.</returns>
    /// <exception cref="LakeException">A column of a type query results cannot carry (UNION), before any output.</exception>
    public static async Task<long> WriteAsync(DbDataReader reader, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        var columns = ResultColumns.InspectForWriting(reader);
        var builders = new ColumnBuilder[columns.Length];
        var fields = new Field[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            builders[i] = ColumnBuilder.For(columns[i], i);
            fields[i] = new Field(columns[i].Name, builders[i].Type, nullable: true);
        }

        var schema = new Schema(fields, metadata: null);
        using var writer = new ArrowStreamWriter(output, schema, leaveOpen: true);
        await writer.WriteStartAsync(ct);

        long rows = 0;
        var batchRows = 0;
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            foreach (var builder in builders)
            {
                builder.Append(reader);
            }

            rows++;
            if (++batchRows == BatchRows)
            {
                await WriteBatchAsync(writer, schema, builders, batchRows, ct);
                batchRows = 0;
            }
        }

        if (batchRows > 0)
        {
            await WriteBatchAsync(writer, schema, builders, batchRows, ct);
        }

        await writer.WriteEndAsync(ct);
        await output.FlushAsync(ct);
        return rows;
    }

    private static async Task WriteBatchAsync(ArrowStreamWriter writer, Schema schema, ColumnBuilder[] builders, int rows, CancellationToken ct)
    {
        using var batch = new RecordBatch(schema, System.Array.ConvertAll(builders, builder => builder.Build()), rows);
        await writer.WriteRecordBatchAsync(batch, ct);
    }

    /// <summary>Collects one column's values for the current batch.</summary>
    private abstract class ColumnBuilder(int ordinal, IArrowType type)
    {
        public IArrowType Type { get; } = type;

        protected int Ordinal { get; } = ordinal;

        /// <summary>Appends the current row's value, or a null.</summary>
        public abstract void Append(DbDataReader reader);

        /// <summary>The batch's array; the builder starts over for the next batch.</summary>
        public abstract IArrowArray Build();

        public static ColumnBuilder For(ColumnShape column, int ordinal) => column.Kind switch
        {
            ValueKind.Text => new TextColumn(ordinal, static (reader, i) => reader.GetString(i)),
            ValueKind.Boolean => new BooleanColumn(ordinal),
            ValueKind.TinyInt => Primitive<sbyte, Int8Array, Int8Array.Builder>(ordinal, Int8Type.Default, static (r, i) => r.GetFieldValue<sbyte>(i)),
            ValueKind.SmallInt => Primitive<short, Int16Array, Int16Array.Builder>(ordinal, Int16Type.Default, static (r, i) => r.GetInt16(i)),
            ValueKind.Integer => Primitive<int, Int32Array, Int32Array.Builder>(ordinal, Int32Type.Default, static (r, i) => r.GetInt32(i)),
            ValueKind.BigInt => Primitive<long, Int64Array, Int64Array.Builder>(ordinal, Int64Type.Default, static (r, i) => r.GetInt64(i)),
            ValueKind.UTinyInt => Primitive<byte, UInt8Array, UInt8Array.Builder>(ordinal, UInt8Type.Default, static (r, i) => r.GetByte(i)),
            ValueKind.USmallInt => Primitive<ushort, UInt16Array, UInt16Array.Builder>(ordinal, UInt16Type.Default, static (r, i) => r.GetFieldValue<ushort>(i)),
            ValueKind.UInteger => Primitive<uint, UInt32Array, UInt32Array.Builder>(ordinal, UInt32Type.Default, static (r, i) => r.GetFieldValue<uint>(i)),
            ValueKind.UBigInt => Primitive<ulong, UInt64Array, UInt64Array.Builder>(ordinal, UInt64Type.Default, static (r, i) => r.GetFieldValue<ulong>(i)),
            ValueKind.Float => Primitive<float, FloatArray, FloatArray.Builder>(ordinal, FloatType.Default, static (r, i) => r.GetFloat(i)),
            ValueKind.Double => Primitive<double, DoubleArray, DoubleArray.Builder>(ordinal, DoubleType.Default, static (r, i) => r.GetDouble(i)),
            ValueKind.Decimal => new DecimalColumn(ordinal, new Decimal128Type(column.Precision, column.Scale)),
            ValueKind.Date => new DateColumn(ordinal),
            ValueKind.Timestamp => new TimestampColumn(ordinal, new TimestampType(TimeUnit.Microsecond, (string?)null)),
            ValueKind.TimestampTz => new TimestampColumn(ordinal, new TimestampType(TimeUnit.Microsecond, "UTC")),
            ValueKind.Blob => new BlobColumn(ordinal),
            _ => new TextColumn(ordinal, (reader, i) => JsonValues.Text(reader, i, column.Kind)),
        };

        private static PrimitiveColumn<T, TArray, TBuilder> Primitive<T, TArray, TBuilder>(int ordinal, IArrowType type, Func<DbDataReader, int, T> read)
            where T : struct
            where TArray : IArrowArray
            where TBuilder : PrimitiveArrayBuilder<T, TArray, TBuilder>, new() => new(ordinal, type, read);
    }

    private sealed class PrimitiveColumn<T, TArray, TBuilder>(int ordinal, IArrowType type, Func<DbDataReader, int, T> read) : ColumnBuilder(ordinal, type)
        where T : struct
        where TArray : IArrowArray
        where TBuilder : PrimitiveArrayBuilder<T, TArray, TBuilder>, new()
    {
        private TBuilder _values = new();

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal))
            {
                _values.AppendNull();
            }
            else
            {
                _values.Append(read(reader, Ordinal));
            }
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new TBuilder();
            return array;
        }
    }

    private sealed class BooleanColumn(int ordinal) : ColumnBuilder(ordinal, BooleanType.Default)
    {
        private BooleanArray.Builder _values = new();

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal))
            {
                _values.AppendNull();
            }
            else
            {
                _values.Append(reader.GetBoolean(Ordinal));
            }
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new BooleanArray.Builder();
            return array;
        }
    }

    private sealed class TextColumn(int ordinal, Func<DbDataReader, int, string> read) : ColumnBuilder(ordinal, StringType.Default)
    {
        private StringArray.Builder _values = new();

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal))
            {
                _values.AppendNull();
            }
            else
            {
                _values.Append(read(reader, Ordinal));
            }
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new StringArray.Builder();
            return array;
        }
    }

    private sealed class BlobColumn(int ordinal) : ColumnBuilder(ordinal, BinaryType.Default)
    {
        private BinaryArray.Builder _values = new();

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal))
            {
                _values.AppendNull();
            }
            else
            {
                _values.Append(JsonValues.ReadBlob(reader, Ordinal).AsSpan());
            }
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new BinaryArray.Builder();
            return array;
        }
    }

    /// <summary>DECIMALs as Arrow's 16-byte little-endian two's complement, straight from DuckDB's unscaled
    /// 128-bit integer: exact for every width, where <see cref="decimal"/> stops at 28 digits.</summary>
    private sealed class DecimalColumn(int ordinal, Decimal128Type type) : ColumnBuilder(ordinal, type)
    {
        private Decimal128Array.Builder _values = new(type);

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal))
            {
                _values.AppendNull();
                return;
            }

            var unscaled = reader.GetFieldValue<DuckDBDecimal>(Ordinal).Value;
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, unscaled.Lower);
            BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], unscaled.Upper);
            _values.Append(bytes);
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new Decimal128Array.Builder(type);
            return array;
        }
    }

    private sealed class DateColumn(int ordinal) : ColumnBuilder(ordinal, Date32Type.Default)
    {
        private Date32Array.Builder _values = new();

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal))
            {
                _values.AppendNull();
                return;
            }

            var date = reader.GetFieldValue<DuckDBDateOnly>(Ordinal);
            if (date.IsInfinity || date.Year is < 1 or > 9999)
            {
                _values.AppendNull();
            }
            else
            {
                _values.Append(new DateOnly(date.Year, date.Month, date.Day));
            }
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new Date32Array.Builder();
            return array;
        }
    }

    /// <summary>TIMESTAMPs as microseconds since the epoch; a TIMESTAMP without a zone counts its wall-clock
    /// time as if it were UTC, as Arrow defines for zone-less timestamps.</summary>
    private sealed class TimestampColumn(int ordinal, TimestampType type) : ColumnBuilder(ordinal, type)
    {
        private TimestampArray.Builder _values = new(type);

        public override void Append(DbDataReader reader)
        {
            if (reader.IsDBNull(Ordinal) || reader.GetFieldValue<DuckDBTimestamp>(Ordinal).IsInfinity)
            {
                _values.AppendNull();
                return;
            }

            _values.Append(new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(Ordinal), DateTimeKind.Utc)));
        }

        public override IArrowArray Build()
        {
            var array = _values.Build(allocator: null);
            _values = new TimestampArray.Builder(type);
            return array;
        }
    }
}
