using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

/// <summary>Writes the rows of a DuckDB query as Parquet data files of a table (zstd, files of at most
/// about 128 MB or a million rows, hive-style folders per partition) and describes each with an add action and statistics.</summary>
internal static class DeltaFileWriter
{
    /// <summary>DuckDB writes row groups of 122,880 rows: eight make files of about a million rows.</summary>
    public const int RowGroupsPerFile = 8;

    /// <summary>Rows in a full file (<see cref="RowGroupsPerFile"/> row groups).</summary>
    public const long RowsPerFile = RowGroupsPerFile * 122_880L;

    /// <summary>Strings longer than this keep only a truncated minimum and no maximum, as Spark does.</summary>
    private const int StringStatsPrefix = 32;

    public static List<AddAction> Write(
        DuckDBConnection connection, string tablePath, DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        string sourceQuery, bool dataChange)
    {
        var staging = Path.Combine(tablePath, $".staging-{Guid.NewGuid():N}");
        try
        {
            var partitions = new HashSet<string>(partitionColumns, StringComparer.OrdinalIgnoreCase);
            var dataFields = schema.Fields.Where(f => !partitions.Contains(f.Name)).ToList();
            var dataSelect = string.Join(", ", dataFields.Select(f =>
                $"CAST({LakeDuckDb.Identifier(f.Name)} AS {f.DuckDbType}) AS {LakeDuckDb.Identifier(f.Name)}"));
            var result = new List<AddAction>();
            if (partitionColumns.Count == 0)
            {
                var folder = Path.Combine(staging, "all");
                Copy(connection, $"SELECT {dataSelect} FROM ({sourceQuery}) s", folder);
                result.AddRange(Publish(connection, tablePath, folder, string.Empty, new Dictionary<string, string?>(), dataFields, dataChange));
                return result;
            }

            // Each partition is written by its own COPY: run the source once, so that a query that is not
            // repeatable (random(), row_number() OVER ()) cannot lose or duplicate rows between partitions.
            var materialised = "__govshare_source_" + Guid.NewGuid().ToString("N");
            LakeDuckDb.Execute(connection, $"CREATE TEMP TABLE {materialised} AS {sourceQuery}");
            try
            {
                return WritePartitions(connection, tablePath, schema, partitionColumns, $"SELECT * FROM {materialised}", dataSelect, dataFields, staging, dataChange);
            }
            finally
            {
                LakeDuckDb.Execute(connection, $"DROP TABLE IF EXISTS {materialised}");
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static List<AddAction> WritePartitions(
        DuckDBConnection connection, string tablePath, DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        string sourceQuery, string dataSelect, List<DeltaField> dataFields, string staging, bool dataChange)
    {
        var result = new List<AddAction>();
        var partitionFields = partitionColumns.Select(c => schema.Find(c)!).ToList();
        var tupleSql = "SELECT DISTINCT " + string.Join(", ", partitionFields.Select(PartitionText)) + $" FROM ({sourceQuery}) s";
        var tuples = new List<string?[]>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = tupleSql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tuples.Add(Enumerable.Range(0, partitionFields.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToArray());
            }
        }

        var index = 0;
        foreach (var tuple in tuples)
        {
            var where = string.Join(" AND ", partitionFields.Select((f, i) => tuple[i] is null
                ? $"{LakeDuckDb.Identifier(f.Name)} IS NULL"
                : $"{PartitionText(f)} = {LakeDuckDb.Literal(tuple[i]!)}"));
            var folder = Path.Combine(staging, (index++).ToString(CultureInfo.InvariantCulture));
            Copy(connection, $"SELECT {dataSelect} FROM ({sourceQuery}) s WHERE {where}", folder);
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            var relative = new StringBuilder();
            for (var i = 0; i < partitionFields.Count; i++)
            {
                values[partitionFields[i].Name] = tuple[i];
                relative.Append(partitionFields[i].Name).Append('=')
                    .Append(tuple[i] is null ? "__HIVE_DEFAULT_PARTITION__" : EscapePartitionValue(tuple[i]!)).Append('/');
            }

            result.AddRange(Publish(connection, tablePath, folder, relative.ToString(), values, dataFields, dataChange));
        }

        return result;
    }

    /// <summary>A partition value as the protocol writes it: timestamps as <c>yyyy-MM-dd HH:mm:ss.ffffff</c> in
    /// UTC (no offset), everything else in DuckDB's plain text form.</summary>
    private static string PartitionText(DeltaField field)
    {
        var typed = $"CAST({LakeDuckDb.Identifier(field.Name)} AS {field.DuckDbType})";
        return field.Type is "timestamp" or "timestamp_ntz"
            ? $"strftime({typed}, '%Y-%m-%d %H:%M:%S.%f')"
            : $"CAST({typed} AS VARCHAR)";
    }

    private static void Copy(DuckDBConnection connection, string query, string folder)
    {
        // DuckDB creates the target folder but not its parents.
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        LakeDuckDb.Execute(connection,
            $"COPY ({query}) TO {LakeDuckDb.Literal(folder)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES '128MB', ROW_GROUPS_PER_FILE {RowGroupsPerFile}, FILENAME_PATTERN 'part-{{uuid}}')");
    }

    /// <summary>Moves each staged file into the table (after computing its statistics) and describes it.</summary>
    private static IEnumerable<AddAction> Publish(
        DuckDBConnection connection, string tablePath, string folder, string relativeFolder,
        Dictionary<string, string?> partitionValues, List<DeltaField> dataFields, bool dataChange)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var staged in Directory.EnumerateFiles(folder, "*.parquet").Order(StringComparer.Ordinal).ToList())
        {
            var stats = ComputeStatistics(connection, staged, dataFields);
            if (stats.NumRecords == 0)
            {
                File.Delete(staged);
                continue;
            }

            var relative = relativeFolder + "part-" + Guid.NewGuid().ToString("N") + ".zstd.parquet";
            var destination = Path.Combine(tablePath, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(staged, destination);
            var info = new FileInfo(destination);
            yield return new AddAction(
                DeltaPaths.Encode(relative),
                new Dictionary<string, string?>(partitionValues),
                info.Length,
                new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds(),
                dataChange,
                stats.ToJson());
        }
    }

    /// <summary>The statistics of a file just written: from its Parquet footer (no data read) when every
    /// column has footer statistics, otherwise by reading the file.</summary>
    internal static FileStatistics ComputeStatistics(DuckDBConnection connection, string file, IReadOnlyList<DeltaField> fields) =>
        (fields.All(f => DeltaTypes.IsPrimitive(f.Type)) ? FromFooter(connection, file, fields) : null)
        ?? FromScan(connection, file, fields);

    internal static FileStatistics? FromFooter(DuckDBConnection connection, string file, IReadOnlyList<DeltaField> fields)
    {
        var columns = new List<string> { "(SELECT CAST(sum(row_group_num_rows) AS BIGINT) FROM m WHERE column_id = 0)" };
        foreach (var field in fields)
        {
            var where = $"FROM m WHERE path_in_schema = {LakeDuckDb.Literal(field.Name)}";
            // A row group without a null count makes the sum NULL, which sends the file to the scan.
            columns.Add($"(SELECT CASE WHEN count(*) = count(stats_null_count) THEN CAST(sum(stats_null_count) AS BIGINT) END {where})");
            if (HasMinMax(field))
            {
                columns.Add($"(SELECT {StatText($"min(CAST(stats_min_value AS {field.DuckDbType}))", field)} {where})");
                columns.Add($"(SELECT {StatText($"max(CAST(stats_max_value AS {field.DuckDbType}))", field)} {where})");
            }
        }

        var statistics = ReadStatistics(connection,
            $"WITH m AS (SELECT * FROM parquet_metadata({LakeDuckDb.Literal(file)})) SELECT {string.Join(", ", columns)}", fields);
        return statistics.NumRecords is null || statistics.NullCount.Count < fields.Count ? null : statistics;
    }

    internal static FileStatistics FromScan(DuckDBConnection connection, string file, IReadOnlyList<DeltaField> fields)
    {
        var columns = new List<string> { "count(*)" };
        foreach (var field in fields)
        {
            var column = LakeDuckDb.Identifier(field.Name);
            columns.Add($"count(*) - count({column})");
            if (HasMinMax(field))
            {
                columns.Add(StatText($"min({column})", field));
                columns.Add(StatText($"max({column})", field));
            }
        }

        return ReadStatistics(connection, $"SELECT {string.Join(", ", columns)} FROM read_parquet({LakeDuckDb.Literal(file)})", fields);
    }

    /// <summary>Reads one row: the record count, then per field its null count and (where it has them)
    /// its minimum and maximum as text. A null count that is NULL leaves the field out.</summary>
    private static FileStatistics ReadStatistics(DuckDBConnection connection, string sql, IReadOnlyList<DeltaField> fields)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        reader.Read();
        var min = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var max = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var nulls = new Dictionary<string, long>(StringComparer.Ordinal);
        var ordinal = 1;
        foreach (var field in fields)
        {
            if (!reader.IsDBNull(ordinal))
            {
                nulls[field.Name] = Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
            }

            ordinal++;
            if (!HasMinMax(field))
            {
                continue;
            }

            var low = reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
            var high = reader.IsDBNull(ordinal + 1) ? null : reader.GetString(ordinal + 1);
            ordinal += 2;
            if (low is not null)
            {
                min[field.Name] = StatValue(field, field.Type == "string" && low.Length > StringStatsPrefix ? low[..StringStatsPrefix] : low);
            }

            // A truncated maximum would be smaller than the real one; leave it out instead.
            if (high is not null && !(field.Type == "string" && high.Length > StringStatsPrefix))
            {
                max[field.Name] = StatValue(field, high);
            }
        }

        var records = reader.IsDBNull(0) ? (long?)null : Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
        return new FileStatistics(records, min, max, nulls);
    }

    private static bool HasMinMax(DeltaField field) =>
        DeltaTypes.IsPrimitive(field.Type) && field.Type is not ("binary" or "boolean");

    private static string StatText(string expression, DeltaField field) => field.Type switch
    {
        "timestamp" or "timestamp_ntz" => $"strftime({expression}, '%Y-%m-%dT%H:%M:%S.%fZ')",
        _ => $"CAST({expression} AS VARCHAR)",
    };

    private static JsonNode? StatValue(DeltaField field, string text) => field.Type switch
    {
        "long" or "integer" or "short" or "byte" => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
        "float" or "double" => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : null,
        _ when field.Type.StartsWith("decimal", StringComparison.Ordinal) => JsonValue.Create(decimal.Parse(text, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(text),
    };

    /// <summary>Hive-style escaping of a partition value in a folder name (as Spark does).</summary>
    private static string EscapePartitionValue(string value)
    {
        var result = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c < ' ' || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '\u007F' or '{' or '[' or ']' or '^')
            {
                result.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
