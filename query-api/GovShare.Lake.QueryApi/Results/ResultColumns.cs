using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace GovShare.Lake.QueryApi.Results;

/// <summary>A column of a query result: its name and its type as DuckDB prints it
/// (<c>VARCHAR</c>, <c>DECIMAL(20,2)</c>, <c>TIMESTAMP WITH TIME ZONE</c>, <c>INTEGER[]</c>, ...).</summary>
internal sealed record ResultColumn(string Name, string Type);

/// <summary>How the result writers read and render a column's values. DuckDB types that share a
/// rendering share a kind (ENUM, BIT and JSON are text; the TIMESTAMP precisions are one kind).</summary>
internal enum ValueKind
{
    Boolean,
    TinyInt,
    SmallInt,
    Integer,
    BigInt,
    UTinyInt,
    USmallInt,
    UInteger,
    UBigInt,

    /// <summary>HUGEINT, UHUGEINT and BIGNUM: wider than any JSON parser's integers, so written as text.</summary>
    BigInteger,
    Float,
    Double,
    Decimal,
    Text,
    Date,
    Time,
    TimeTz,
    Timestamp,
    TimestampTz,
    Interval,
    Blob,
    Uuid,

    /// <summary>LIST, ARRAY, STRUCT and MAP.</summary>
    Nested,

    /// <summary>A type DuckDB.NET cannot read at all (UNION).</summary>
    Unsupported,

    /// <summary>Anything else, or a reader that is not DuckDB's: read with <see cref="DbDataReader.GetValue"/>.</summary>
    Clr,
}

/// <summary>What the writers need to know about a column before its first value.</summary>
internal readonly record struct ColumnShape(string Name, string Type, ValueKind Kind, byte Precision, byte Scale);

/// <summary>Describes the columns of a query result from its reader, before any row is read, so that an
/// empty result still has a header, a schema and column types.</summary>
internal static class ResultColumns
{
    /// <summary>The columns of the reader's current result, with DuckDB's type names.</summary>
    /// <remarks>DuckDB.NET only exposes its own enum names (<c>Varchar</c>, <c>TimestampTz</c>) and does not
    /// expose the logical type of nested columns, so LIST, ARRAY and MAP types are rebuilt from the CLR
    /// types DuckDB.NET reads them as: <c>INTEGER[]</c> (also for a fixed-size <c>INTEGER[3]</c>),
    /// <c>MAP(VARCHAR, INTEGER)</c>; a STRUCT is just <c>STRUCT</c>, an ENUM just <c>ENUM</c>, and JSON
    /// reads as <c>VARCHAR</c>.</remarks>
    public static IReadOnlyList<ResultColumn> Describe(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Array.ConvertAll(Inspect(reader), column => new ResultColumn(column.Name, column.Type));
    }

    /// <summary>The columns with how to read them.</summary>
    internal static ColumnShape[] Inspect(DbDataReader reader)
    {
        var columns = new ColumnShape[reader.FieldCount];
        DataTable? schema = null;
        for (var i = 0; i < columns.Length; i++)
        {
            var name = reader.GetName(i);
            if (reader is not DuckDBDataReader)
            {
                columns[i] = new ColumnShape(name, reader.GetDataTypeName(i).ToUpperInvariant(), ValueKind.Clr, 0, 0);
                continue;
            }

            var duckName = reader.GetDataTypeName(i);
            if (Simple.TryGetValue(duckName, out var simple))
            {
                columns[i] = new ColumnShape(name, simple.Type, simple.Kind, 0, 0);
            }
            else if (duckName == "Decimal")
            {
                // Only the schema table carries a DECIMAL's width and scale before a row is read.
                schema ??= SchemaTable(reader);
                if (schema is null)
                {
                    columns[i] = new ColumnShape(name, "DECIMAL", ValueKind.Decimal, 38, 0);
                    continue;
                }

                var row = schema.Rows[i];
                var precision = Convert.ToByte(row[SchemaTableColumn.NumericPrecision], CultureInfo.InvariantCulture);
                var scale = Convert.ToByte(row[SchemaTableColumn.NumericScale], CultureInfo.InvariantCulture);
                if (precision == 0)
                {
                    // An empty result's schema table gives 0 and 0 (DuckDB.NET reads them from the first chunk): the
                    // widest decimal holds any value, and there are no values to misread.
                    columns[i] = new ColumnShape(name, "DECIMAL", ValueKind.Decimal, 38, 0);
                    continue;
                }

                columns[i] = new ColumnShape(name, string.Create(CultureInfo.InvariantCulture, $"DECIMAL({precision},{scale})"), ValueKind.Decimal, precision, scale);
            }
            else if (duckName is "List" or "Array" or "Struct" or "Map")
            {
                columns[i] = NestedShape(reader, i, name);
            }
            else if (duckName == "Union")
            {
                columns[i] = new ColumnShape(name, "UNION", ValueKind.Unsupported, 0, 0);
            }
            else
            {
                columns[i] = new ColumnShape(name, duckName.ToUpperInvariant(), ValueKind.Clr, 0, 0);
            }
        }

        return columns;
    }

    /// <summary>The columns, refusing a result with a column no writer can read, before a byte is written,
    /// so that the API can still answer with an error status instead of a broken body.</summary>
    /// <exception cref="LakeException">A column of a type DuckDB.NET cannot read (UNION).</exception>
    internal static ColumnShape[] InspectForWriting(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var columns = Inspect(reader);
        foreach (var column in columns)
        {
            if (column.Kind == ValueKind.Unsupported)
            {
                throw new LakeException(
                    LakeErrorKind.Unsupported,
                    $"column '{column.Name}' has type {column.Type}, which query results cannot carry; cast it to VARCHAR");
            }
        }

        return columns;
    }

    /// <summary>How to read one column; for callers that write a single value.</summary>
    internal static ValueKind KindOf(DbDataReader reader, int ordinal)
    {
        if (reader is not DuckDBDataReader)
        {
            return ValueKind.Clr;
        }

        var duckName = reader.GetDataTypeName(ordinal);
        return duckName switch
        {
            "Decimal" => ValueKind.Decimal,
            "List" or "Array" or "Struct" or "Map" => ValueKind.Nested,
            "Union" => ValueKind.Unsupported,
            _ => Simple.TryGetValue(duckName, out var simple) ? simple.Kind : ValueKind.Clr,
        };
    }

    private static DataTable? SchemaTable(DbDataReader reader)
    {
        try
        {
            return reader.GetSchemaTable();
        }
        catch (ArgumentException)
        {
            // DuckDB.NET builds the table from every column's CLR type and throws on a UNION column; the
            // writers refuse such a result anyway, and Describe then names a DECIMAL without its width.
            return null;
        }
    }

    private static ColumnShape NestedShape(DbDataReader reader, int ordinal, string name)
    {
        Type clrType;
        try
        {
            clrType = reader.GetFieldType(ordinal);
        }
        catch (ArgumentException)
        {
            // DuckDB.NET throws for a nested type it cannot read, such as a LIST of UNION.
            return new ColumnShape(name, reader.GetDataTypeName(ordinal).ToUpperInvariant(), ValueKind.Unsupported, 0, 0);
        }

        return new ColumnShape(name, ClrTypeName(clrType), ValueKind.Nested, 0, 0);
    }

    /// <summary>DuckDB's name for the type DuckDB.NET reads a nested value's part as.</summary>
    private static string ClrTypeName(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return ClrTypeName(type.GetGenericArguments()[0]) + "[]";
        }

        if (type == typeof(Dictionary<string, object>))
        {
            return "STRUCT";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var arguments = type.GetGenericArguments();
            return $"MAP({ClrTypeName(arguments[0])}, {ClrTypeName(arguments[1])})";
        }

        return ClrScalarNames.TryGetValue(type, out var scalar) ? scalar : type.Name.ToUpperInvariant();
    }

    private static readonly Dictionary<string, (string Type, ValueKind Kind)> Simple = new(StringComparer.Ordinal)
    {
        ["Boolean"] = ("BOOLEAN", ValueKind.Boolean),
        ["TinyInt"] = ("TINYINT", ValueKind.TinyInt),
        ["SmallInt"] = ("SMALLINT", ValueKind.SmallInt),
        ["Integer"] = ("INTEGER", ValueKind.Integer),
        ["BigInt"] = ("BIGINT", ValueKind.BigInt),
        ["UnsignedTinyInt"] = ("UTINYINT", ValueKind.UTinyInt),
        ["UnsignedSmallInt"] = ("USMALLINT", ValueKind.USmallInt),
        ["UnsignedInteger"] = ("UINTEGER", ValueKind.UInteger),
        ["UnsignedBigInt"] = ("UBIGINT", ValueKind.UBigInt),
        ["HugeInt"] = ("HUGEINT", ValueKind.BigInteger),
        ["UnsignedHugeInt"] = ("UHUGEINT", ValueKind.BigInteger),
        ["VarInt"] = ("BIGNUM", ValueKind.BigInteger),
        ["Float"] = ("FLOAT", ValueKind.Float),
        ["Double"] = ("DOUBLE", ValueKind.Double),
        ["Varchar"] = ("VARCHAR", ValueKind.Text),
        ["Enum"] = ("ENUM", ValueKind.Text),
        ["Bit"] = ("BIT", ValueKind.Text),
        ["Date"] = ("DATE", ValueKind.Date),
        ["Time"] = ("TIME", ValueKind.Time),
        ["TimeTz"] = ("TIME WITH TIME ZONE", ValueKind.TimeTz),
        ["Timestamp"] = ("TIMESTAMP", ValueKind.Timestamp),
        ["TimestampS"] = ("TIMESTAMP_S", ValueKind.Timestamp),
        ["TimestampMs"] = ("TIMESTAMP_MS", ValueKind.Timestamp),
        ["TimestampNs"] = ("TIMESTAMP_NS", ValueKind.Timestamp),
        ["TimestampTz"] = ("TIMESTAMP WITH TIME ZONE", ValueKind.TimestampTz),
        ["Interval"] = ("INTERVAL", ValueKind.Interval),
        ["Blob"] = ("BLOB", ValueKind.Blob),
        ["Uuid"] = ("UUID", ValueKind.Uuid),

        // SELECT NULL is typed INTEGER by DuckDB; an untyped NULL column only reaches here from a VALUES list.
        ["SqlNull"] = ("NULL", ValueKind.Clr),
    };

    private static readonly Dictionary<Type, string> ClrScalarNames = new()
    {
        [typeof(bool)] = "BOOLEAN",
        [typeof(sbyte)] = "TINYINT",
        [typeof(short)] = "SMALLINT",
        [typeof(int)] = "INTEGER",
        [typeof(long)] = "BIGINT",
        [typeof(byte)] = "UTINYINT",
        [typeof(ushort)] = "USMALLINT",
        [typeof(uint)] = "UINTEGER",
        [typeof(ulong)] = "UBIGINT",
        [typeof(BigInteger)] = "HUGEINT",
        [typeof(float)] = "FLOAT",
        [typeof(double)] = "DOUBLE",
        [typeof(decimal)] = "DECIMAL",
        [typeof(string)] = "VARCHAR",
        [typeof(DateOnly)] = "DATE",
        [typeof(TimeOnly)] = "TIME",
        [typeof(DateTimeOffset)] = "TIME WITH TIME ZONE",
        [typeof(DateTime)] = "TIMESTAMP",
        [typeof(TimeSpan)] = "INTERVAL",
        [typeof(Stream)] = "BLOB",
        [typeof(Guid)] = "UUID",
    };
}
