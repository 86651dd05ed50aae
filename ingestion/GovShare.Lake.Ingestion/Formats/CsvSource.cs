using System.Buffers;
using System.Text;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>Delimited text (RFC 4180 quoting, doubled quotes inside quoted fields, CRLF, LF or CR line
/// ends), streamed in 64 KiB blocks. The delimiter (',', tab, ';' or '|') and whether the first row is a
/// header are detected unless the catalogue entry declares them.</summary>
internal sealed class CsvSource : IRecordSource
{
    private const int BufferChars = 1 << 16;

    /// <summary>No real field is this long; a longer quoted field means a stray quote.</summary>
    private const int MaxQuotedChars = 4 << 20;

    private static readonly char[] Candidates = [',', '\t', ';', '|'];

    private readonly DeliveryText _text;
    private readonly string _fileName;
    private readonly char[] _buffer = new char[BufferChars];
    private readonly StringBuilder _scratch = new();
    private readonly char _quote;
    private char _delimiter;
    private SearchValues<char> _stops = SearchValues.Create(",\r\n");
    private int _position;
    private int _length;
    private long _line = 1;
    private List<string>? _pendingFirstRow;
    private long _pendingLine;

    private CsvSource(DeliveryText text, string fileName, char quote)
    {
        _text = text;
        _fileName = fileName;
        _quote = quote;
    }

    public IReadOnlyList<string> Columns { get; private set; } = [];

    public string Description { get; private set; } = "";

    public string? EncodingName => _text.EncodingName;

    public long BytesRead => _text.BytesRead;

    /// <summary>Opens a CSV delivery, detecting what is not declared.</summary>
    public static CsvSource Open(string path, SourceSpec spec, IReadOnlyList<string> mappedColumns)
    {
        var text = DeliveryText.Open(path, RecordSources.DeclaredEncoding(spec));
        var source = new CsvSource(text, Path.GetFileName(path), spec.Quote);
        try
        {
            source.Start(spec, mappedColumns);
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private void Start(SourceSpec spec, IReadOnlyList<string> mappedColumns)
    {
        _length = ReadBlock();
        _delimiter = spec.Delimiter == "auto" ? DetectDelimiter(_buffer.AsSpan(0, _length), _quote) : spec.Delimiter[0];
        _stops = SearchValues.Create([_delimiter, '\r', '\n']);
        var first = new List<string>();
        var firstLine = _line;
        if (!ReadRecord(first))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName} is empty.");
        }

        var columns = HeaderRule.Columns(spec, first, mappedColumns, _fileName);
        var hasHeader = columns is not null;
        if (columns is not null)
        {
            Columns = columns;
        }
        else
        {
            Columns = spec.Columns;
            _pendingFirstRow = first;
            _pendingLine = firstLine;
        }

        Description = $"CSV, {_text.EncodingName}, delimiter {Describe(_delimiter)}, " + (hasHeader ? "header row" : "no header row");
    }

    public IEnumerable<SourceRecord> Records()
    {
        long row = 0;
        if (_pendingFirstRow is not null)
        {
            yield return Record(++row, _pendingLine, _pendingFirstRow);
            _pendingFirstRow = null;
        }

        var fields = new List<string>(Columns.Count);
        while (true)
        {
            var line = _line;
            if (!ReadRecord(fields))
            {
                yield break;
            }

            if (fields is [""])
            {
                continue; // a blank line is not a row
            }

            yield return Record(++row, line, fields);
        }
    }

    private SourceRecord Record(long row, long line, List<string> fields) =>
        fields.Count == Columns.Count
            ? new SourceRecord(row, line, [.. fields])
            : new SourceRecord(row, line, Align(fields),
                $"the row has {fields.Count} field(s), the header has {Columns.Count} (delimiter {Describe(_delimiter)})", Join(fields));

    private string?[] Align(List<string> fields)
    {
        var values = new string?[Columns.Count];
        for (var i = 0; i < values.Length && i < fields.Count; i++)
        {
            values[i] = fields[i];
        }

        return values;
    }

    /// <summary>The fields as one CSV line again (quoted where needed): the raw row of a malformed record.</summary>
    private string Join(List<string> fields) => string.Join(_delimiter, fields.Select(f =>
        f.AsSpan().IndexOfAny([_delimiter, _quote, '\r', '\n']) >= 0 ? $"{_quote}{f.Replace(_quote.ToString(), new string(_quote, 2), StringComparison.Ordinal)}{_quote}" : f));

    /// <summary>Reads one record's fields; false at the end of the file. A record that cannot be split
    /// (a quote never closed) refuses the file.</summary>
    private bool ReadRecord(List<string> fields)
    {
        fields.Clear();
        if (!HasData())
        {
            return false;
        }

        while (true)
        {
            if (!HasData())
            {
                fields.Add("");
                return true;
            }

            if (_buffer[_position] == _quote)
            {
                _position++;
                var quoteLine = _line;
                if (!ReadQuoted(out var quoted))
                {
                    // Everything after a stray quote would be one field: the rows it swallowed would be lost
                    // without a trace, so the file is refused instead.
                    throw new LakeException(LakeErrorKind.InvalidInput,
                        $"{_fileName}, line {quoteLine}: a quote opened here is never closed; the rest of the file would be one field. " +
                        "Nothing was committed: fix the quoting (a quote inside a quoted field is written twice) and deliver the file again.");
                }

                // Text after the closing quote (`"a"b`) is kept, as most spreadsheet programs do.
                fields.Add(quoted + ReadUnquoted());
            }
            else
            {
                fields.Add(ReadUnquoted());
            }

            if (!HasData())
            {
                return true;
            }

            var c = _buffer[_position++];
            if (c == _delimiter)
            {
                continue;
            }

            if (c == '\r' && HasData() && _buffer[_position] == '\n')
            {
                _position++;
            }

            _line++;
            return true;
        }
    }

    private string ReadUnquoted()
    {
        _scratch.Clear();
        while (true)
        {
            var span = _buffer.AsSpan(_position, _length - _position);
            var stop = span.IndexOfAny(_stops);
            if (stop >= 0)
            {
                _position += stop;
                if (_scratch.Length == 0)
                {
                    return new string(span[..stop]);
                }

                return _scratch.Append(span[..stop]).ToString();
            }

            _scratch.Append(span);
            _position = _length;
            if (!HasData())
            {
                return _scratch.ToString();
            }
        }
    }

    /// <summary>Reads a quoted field after its opening quote; false when the file ends inside it.</summary>
    private bool ReadQuoted(out string value)
    {
        _scratch.Clear();
        while (true)
        {
            if (!HasData())
            {
                value = _scratch.ToString();
                return false;
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            var end = span.IndexOf(_quote);
            var chunk = end >= 0 ? span[..end] : span;
            _line += chunk.Count('\n');
            _scratch.Append(chunk);
            if (_scratch.Length > MaxQuotedChars)
            {
                throw new LakeException(LakeErrorKind.InvalidInput,
                    $"{_fileName}: a quoted field is longer than {MaxQuotedChars / 1048576} Mi characters (a quote that is never closed?) near line {_line}; nothing was committed.");
            }

            _position += chunk.Length;
            if (end < 0)
            {
                continue;
            }

            _position++; // the quote
            if (HasData() && _buffer[_position] == _quote)
            {
                _scratch.Append(_quote);
                _position++;
                continue;
            }

            value = _scratch.ToString();
            return true;
        }
    }

    private bool HasData()
    {
        if (_position < _length)
        {
            return true;
        }

        _position = 0;
        _length = ReadBlock();
        return _length > 0;
    }

    private int ReadBlock()
    {
        try
        {
            return _text.Reader.ReadBlock(_buffer, 0, _buffer.Length);
        }
        catch (DecoderFallbackException ex)
        {
            throw _text.DecodingError(_fileName, ex);
        }
    }

    /// <summary>The candidate delimiter that splits the sample's lines most consistently into the most
    /// fields; ',' when none does (a one-column file).</summary>
    internal static char DetectDelimiter(ReadOnlySpan<char> sample, char quote)
    {
        var lines = new List<int[]>();
        var counts = new int[Candidates.Length];
        var inQuotes = false;
        var complete = false;
        foreach (var c in sample)
        {
            if (c == quote)
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && c == '\n')
            {
                lines.Add(counts);
                counts = new int[Candidates.Length];
                complete = true;
                if (lines.Count == 50)
                {
                    break;
                }
            }
            else if (!inQuotes)
            {
                var index = Array.IndexOf(Candidates, c);
                if (index >= 0)
                {
                    counts[index]++;
                }
            }
        }

        if (!complete || counts.Any(n => n > 0))
        {
            lines.Add(counts); // a file of one line, or a last line without its end
        }

        var best = ',';
        var bestScore = 0.0;
        for (var d = 0; d < Candidates.Length; d++)
        {
            var perLine = lines.Select(l => l[d]).ToList();
            var mode = perLine.GroupBy(n => n).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            if (mode.Key == 0)
            {
                continue;
            }

            // Consistency first (share of lines with the usual count), then more fields.
            var score = (double)mode.Count() / perLine.Count * 1000 + mode.Key;
            if (score > bestScore)
            {
                (best, bestScore) = (Candidates[d], score);
            }
        }

        return best;
    }

    private static string Describe(char delimiter) => delimiter switch
    {
        '\t' => "tab",
        _ => $"'{delimiter}'",
    };

    public void Dispose() => _text.Dispose();
}
