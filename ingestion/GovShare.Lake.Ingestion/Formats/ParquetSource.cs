using System.Data.Common;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>A Parquet delivery, read with DuckDB's Parquet reader; every value becomes text (dates as
/// <c>yyyy-MM-dd</c>), so the same parsing and checks apply as to text formats.</summary>
internal sealed class ParquetSource : IRecordSource
{
    private readonly DuckDBConnection _connection;
    private readonly string _path;
    private readonly long _length;
    private long _rowsRead;
    private readonly long _rowCount;

    private ParquetSource(DuckDBConnection connection, string path, IReadOnlyList<string> columns, long rowCount)
    {
        _connection = connection;
        _path = path;
        Columns = columns;
        _rowCount = rowCount;
        _length = new FileInfo(path).Length;
    }

    public IReadOnlyList<string> Columns { get; }

    public string Description => "Parquet";

    public string? EncodingName => null;

    public long BytesRead => _rowCount == 0 ? 0 : _length * _rowsRead / _rowCount;

    public static ParquetSource Open(string path)
    {
        var connection = LakeDuckDb.OpenInMemory();
        try
        {
            var source = $"read_parquet({LakeDuckDb.Literal(Path.GetFullPath(path))})";
            var columns = LakeDuckDb.Strings(connection, $"SELECT column_name FROM (DESCRIBE SELECT * FROM {source})").Select(c => c!).ToList();
            var rows = Convert.ToInt64(LakeDuckDb.Scalar(connection, $"SELECT count(*) FROM {source}"), System.Globalization.CultureInfo.InvariantCulture);
            return new ParquetSource(connection, path, columns, rows);
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            throw new LakeException(LakeErrorKind.InvalidInput, $"{Path.GetFileName(path)} is not a readable Parquet file: {ex.Message}", ex);
        }
    }

    public IEnumerable<SourceRecord> Records()
    {
        var casts = string.Join(", ", Columns.Select(c => $"CAST({LakeDuckDb.Identifier(c)} AS VARCHAR)"));
        using var command = _connection.CreateCommand();
        command.CommandText =
            $"SELECT file_row_number, {casts} FROM read_parquet({LakeDuckDb.Literal(Path.GetFullPath(_path))}, file_row_number = true)";
        using DbDataReader reader = Reading(command.ExecuteReader);
        while (Reading(reader.Read))
        {
            var values = new string?[Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
            }


            var index = reader.GetInt64(0);
            _rowsRead++;
            yield return new SourceRecord(index + 1, index + 1, values);
        }
    }

    /// <summary>Runs a step of DuckDB's reader, turning its failure (a damaged page, a value it cannot
    /// convert) into an error about the file.</summary>
    private T Reading<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (DuckDBException ex)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{Path.GetFileName(_path)} cannot be read after row {_rowsRead:N0}: {ex.Message}", ex);
        }
    }

    public void Dispose() => _connection.Dispose();
}
