using System.Text;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

/// <summary>One committed version of a Delta table: its schema and exactly the data files that were live.</summary>
public sealed class DeltaSnapshot
{
    internal DeltaSnapshot(
        string tablePath, long version, DateTimeOffset timestamp, ProtocolAction protocol, MetadataAction metadata,
        IReadOnlyDictionary<string, AddAction> files, IReadOnlyDictionary<string, long> transactions)
    {
        TablePath = tablePath;
        Version = version;
        Timestamp = timestamp;
        Protocol = protocol;
        Metadata = metadata;
        Schema = DeltaSchema.Parse(metadata.SchemaString);
        Files = files;
        Transactions = transactions;
    }

    /// <summary>The table folder.</summary>
    public string TablePath { get; }

    /// <summary>The version this snapshot shows.</summary>
    public long Version { get; }

    /// <summary>When this version was committed.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The protocol in force.</summary>
    public ProtocolAction Protocol { get; }

    /// <summary>The table's metadata in force.</summary>
    public MetadataAction Metadata { get; }

    /// <summary>The table schema (partition columns included).</summary>
    public DeltaSchema Schema { get; }

    /// <summary>The live data files, keyed by their decoded path relative to the table.</summary>
    public IReadOnlyDictionary<string, AddAction> Files { get; }

    /// <summary>Application id → the last transaction version it committed (Delta <c>txn</c>).</summary>
    public IReadOnlyDictionary<string, long> Transactions { get; }

    /// <summary>Files removed and not added again, with their remove actions (the protocol's tombstones):
    /// checkpoints carry the recent ones so that other engines' vacuum keeps what time travel needs.</summary>
    internal IReadOnlyDictionary<string, RemoveAction> Tombstones { get; init; } = new Dictionary<string, RemoveAction>();

    /// <summary>The partition columns, in order.</summary>
    public IReadOnlyList<string> PartitionColumns => Metadata.PartitionColumns;

    /// <summary>The rows according to the file statistics (null when any live file has no count).</summary>
    public long? RecordCountFromStats
    {
        get
        {
            long total = 0;
            foreach (var file in Files.Values)
            {
                if (FileStatistics.Parse(file.Stats)?.NumRecords is not { } count)
                {
                    return null;
                }

                total += count;
            }

            return total;
        }
    }

    /// <summary>The absolute path of a data file.</summary>
    public string FullPath(AddAction file) => DeltaPaths.ToFullPath(TablePath, file.Path);

    /// <summary>A DuckDB query that returns exactly the rows of this version, in schema column order:
    /// data columns from the live Parquet files, partition columns typed from the log's values.</summary>
    public string ToDuckDbQuery() => ToDuckDbQuery(Files.Values);

    /// <summary>The same query restricted to some of the live files (change feed, merge). With
    /// <paramref name="withFileColumn"/>, a last column <c>__govshare_file</c> names each row's file.</summary>
    public string ToDuckDbQuery(IEnumerable<AddAction> files, bool withFileColumn = false)
    {
        var fileList = files.ToList();
        var partitionColumns = new HashSet<string>(PartitionColumns, StringComparer.OrdinalIgnoreCase);
        var selectList = string.Join(", ", Schema.Fields.Select(field => partitionColumns.Contains(field.Name)
            ? $"p.{LakeDuckDb.Identifier(field.Name)}"
            : $"CAST(d.{LakeDuckDb.Identifier(field.Name)} AS {field.DuckDbType}) AS {LakeDuckDb.Identifier(field.Name)}"))
            + (withFileColumn ? $", {FileColumn}" : string.Empty);
        if (fileList.Count == 0)
        {
            return "SELECT " + string.Join(", ", Schema.Fields.Select(field =>
                $"CAST(NULL AS {field.DuckDbType}) AS {LakeDuckDb.Identifier(field.Name)}"))
                + (withFileColumn ? $", CAST(NULL AS VARCHAR) AS {FileColumn}" : string.Empty) + " WHERE false";
        }

        var paths = "[" + string.Join(", ", fileList.Select(file => LakeDuckDb.Literal(FullPath(file)))) + "]";
        // The file-name column costs a string per row: only when partition values must be joined on or the
        // caller asked for it.
        var fileName = partitionColumns.Count > 0 || withFileColumn ? $", filename = '{FileColumn}'" : string.Empty;

        // UNION ALL BY NAME with an empty row of every data column gives a column that no file has yet (added
        // to the schema after the files were written, as Spark's ADD COLUMNS does) as NULL instead of an error.
        var allColumns = string.Join(", ", Schema.Fields.Where(f => !partitionColumns.Contains(f.Name))
            .Select(f => $"CAST(NULL AS {f.DuckDbType}) AS {LakeDuckDb.Identifier(f.Name)}")
            .Append(fileName.Length > 0 ? $"CAST(NULL AS VARCHAR) AS {FileColumn}" : null)
            .OfType<string>());
        var reader = allColumns.Length == 0
            ? $"read_parquet({paths}, union_by_name = true{fileName})"
            : $"(SELECT * FROM read_parquet({paths}, union_by_name = true{fileName}) UNION ALL BY NAME SELECT {allColumns} WHERE false)";
        if (partitionColumns.Count == 0)
        {
            return $"SELECT {selectList} FROM {reader} d";
        }

        var values = new StringBuilder();
        foreach (var file in fileList)
        {
            values.Append(values.Length == 0 ? "(" : ", (").Append(LakeDuckDb.Literal(FullPath(file)));
            foreach (var column in PartitionColumns)
            {
                var field = Schema.Find(column)!;
                file.PartitionValues.TryGetValue(field.Name, out var text);
                values.Append(", ").Append(PartitionLiteral(text, field));
            }

            values.Append(')');
        }

        var partitionNames = string.Join(", ", PartitionColumns.Select(LakeDuckDb.Identifier));
        return $"SELECT {selectList} FROM {reader} d JOIN (VALUES {values}) p({FileColumn}, {partitionNames}) USING ({FileColumn})";
    }

    /// <summary>The column that carries each row's file (its full path) in <see cref="ToDuckDbQuery(IEnumerable{AddAction}, bool)"/>.</summary>
    public const string FileColumn = "__govshare_file";

    private static string PartitionLiteral(string? text, DeltaField field)
    {
        // The protocol writes a null partition value as JSON null or as an empty string.
        if (string.IsNullOrEmpty(text))
        {
            return $"CAST(NULL AS {field.DuckDbType})";
        }

        return field.Type == "binary"
            ? $"CAST({LakeDuckDb.Literal(text)} AS BLOB)"
            : $"CAST({LakeDuckDb.Literal(text)} AS {field.DuckDbType})";
    }
}

/// <summary>Data file paths: the log holds URI-encoded paths relative to the table folder.</summary>
internal static class DeltaPaths
{
    public static string Decode(string path) => Uri.UnescapeDataString(path);

    public static string ToFullPath(string tablePath, string path)
    {
        if (path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri(path).LocalPath;
        }

        return Path.GetFullPath(Path.Combine(tablePath, Decode(path)));
    }

    /// <summary>Encodes a relative path for the log: every segment escaped, the slashes kept.</summary>
    public static string Encode(string relativePath) =>
        string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString));
}
