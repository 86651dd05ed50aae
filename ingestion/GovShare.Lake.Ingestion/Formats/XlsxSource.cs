using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>An Excel delivery: the first or named sheet, its first non-empty row the header (unless the
/// entry says otherwise); the data row number counts the non-empty rows after it, the line is the sheet row.</summary>
internal sealed class XlsxSource : IRecordSource
{
    private readonly XlsxReader _reader;
    private readonly IEnumerator<(int Row, string?[] Cells)> _rows;
    private readonly long _length;
    private (int Row, string?[] Cells)? _pending;

    private XlsxSource(XlsxReader reader, IEnumerator<(int Row, string?[] Cells)> rows, string sheet, long length)
    {
        _reader = reader;
        _rows = rows;
        _length = length;
        Description = $"Excel workbook, sheet '{sheet}'";
    }

    public IReadOnlyList<string> Columns { get; private set; } = [];

    public string Description { get; private set; }

    public string? EncodingName => null;

    // The sheet is decompressed as it streams; the compressed position is not exposed, so progress jumps at the end.
    public long BytesRead { get; private set; }

    public static XlsxSource Open(string path, SourceSpec spec, IReadOnlyList<string> mappedColumns)
    {
        var reader = new XlsxReader(path);
        try
        {
            var sheet = spec.Sheet ?? reader.Sheets.FirstOrDefault().Name ?? "";
            var rows = reader.ReadRows(spec.Sheet).GetEnumerator();
            var source = new XlsxSource(reader, rows, sheet, new FileInfo(path).Length);
            if (!rows.MoveNext())
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"{Path.GetFileName(path)}: the sheet '{sheet}' is empty.");
            }

            var columns = HeaderRule.Columns(spec, rows.Current.Cells, mappedColumns, $"{Path.GetFileName(path)}, sheet '{sheet}', row {rows.Current.Row}");
            if (columns is null)
            {
                source.Columns = spec.Columns;
                source._pending = rows.Current;
            }
            else
            {
                source.Columns = columns;
                source.Description += $", header in row {rows.Current.Row}";
            }

            return source;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public IEnumerable<SourceRecord> Records()
    {
        long row = 0;
        if (_pending is { } first)
        {
            yield return Record(++row, first);
        }

        while (_rows.MoveNext())
        {
            yield return Record(++row, _rows.Current);
        }

        BytesRead = _length;
    }

    private SourceRecord Record(long row, (int Row, string?[] Cells) sheetRow)
    {
        var values = new string?[Columns.Count];
        Array.Copy(sheetRow.Cells, values, Math.Min(values.Length, sheetRow.Cells.Length));
        var extra = sheetRow.Cells.Skip(Columns.Count).Any(c => !string.IsNullOrEmpty(c));
        return extra
            ? new SourceRecord(row, sheetRow.Row, values, $"the row has values beyond the {Columns.Count} header columns")
            : new SourceRecord(row, sheetRow.Row, values);
    }

    public void Dispose()
    {
        _rows.Dispose();
        _reader.Dispose();
    }
}
