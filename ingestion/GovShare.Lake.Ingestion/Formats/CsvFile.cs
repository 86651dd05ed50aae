using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>One row of a <see cref="CsvFile"/>.</summary>
/// <param name="Row">1-based data row number (1 = the row after the header).</param>
/// <param name="Line">The text line the row starts on (the header is line 1).</param>
/// <param name="Values">The row's values, aligned with <see cref="CsvFile.Columns"/>.</param>
/// <param name="Problem">Why the row could not be split into the columns (a field count other than the header's), or
/// null.</param>
public sealed record CsvRow(long Row, long Line, IReadOnlyList<string?> Values, string? Problem);

/// <summary>A CSV file with a header row, read outside the catalogue (by <c>govshare quality link</c>) with the reader
/// deliveries are read with: UTF-8 with or without a byte-order mark or GBK/GB18030 detected, the delimiter detected
/// among ',', tab, ';' and '|', RFC 4180 quoting, streamed. Bytes in neither encoding throw a
/// <see cref="LakeException"/> naming the line.</summary>
public sealed class CsvFile : IDisposable
{
    private readonly CsvSource _source;

    private CsvFile(CsvSource source) => _source = source;

    /// <summary>The column names of the header row, in file order.</summary>
    public IReadOnlyList<string> Columns => _source.Columns;

    /// <summary>How the file was read: encoding, delimiter.</summary>
    public string Description => _source.Description;

    /// <summary>Bytes read so far (for progress).</summary>
    public long BytesRead => _source.BytesRead;

    /// <summary>Opens a file and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">Columns the caller will read: a header naming one of them twice is refused.</param>
    /// <exception cref="LakeException">An empty file, a header repeating one of <paramref name="columns"/>, text in
    /// neither encoding.</exception>
    public static CsvFile Open(string path, IReadOnlyList<string> columns) =>
        new(CsvSource.Open(path, new SourceSpec { Header = "true" }, columns));

    /// <summary>The data rows, read as they are enumerated (once).</summary>
    public IEnumerable<CsvRow> Rows() => _source.Records().Select(record => new CsvRow(record.Row, record.Line, record.Values, record.Malformed));

    /// <inheritdoc/>
    public void Dispose() => _source.Dispose();
}
