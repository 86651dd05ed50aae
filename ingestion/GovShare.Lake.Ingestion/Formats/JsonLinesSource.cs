using System.Text;
using System.Text.Json;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>JSON Lines: one object per line, keys naming the source columns. Blank lines are skipped; a
/// line that is not a JSON object is a malformed row (quarantined), not the end of the file.</summary>
internal sealed class JsonLinesSource(string path, SourceSpec spec, IReadOnlyList<string> mappedColumns) : IRecordSource
{
    private readonly DeliveryText _text = DeliveryText.Open(path, RecordSources.DeclaredEncoding(spec));
    private readonly string _fileName = Path.GetFileName(path);

    /// <summary>The mapped columns (other keys of the objects are not read).</summary>
    public IReadOnlyList<string> Columns { get; } = mappedColumns;

    public string Description => $"JSON Lines, {_text.EncodingName}";

    public string? EncodingName => _text.EncodingName;

    public long BytesRead => _text.BytesRead;

    public IEnumerable<SourceRecord> Records()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Columns.Count; i++)
        {
            index.TryAdd(Columns[i], i);
        }

        long row = 0;
        for (long line = 1; ; line++)
        {
            string? text;
            try
            {
                text = _text.Reader.ReadLine();
            }
            catch (DecoderFallbackException ex)
            {
                throw _text.DecodingError(_fileName, ex);
            }

            if (text is null)
            {
                yield break;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            yield return Parse(++row, line, text, index);
        }
    }

    private SourceRecord Parse(long row, long line, string text, Dictionary<string, int> index)
    {
        var values = new string?[Columns.Count];
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new SourceRecord(row, line, values, $"the line is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object", text);
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (index.TryGetValue(property.Name, out var i))
                {
                    values[i] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Null or JsonValueKind.Undefined => null,
                        _ => property.Value.GetRawText(),
                    };
                }
            }

            return new SourceRecord(row, line, values);
        }
        catch (JsonException ex)
        {
            return new SourceRecord(row, line, values, $"not valid JSON at position {ex.BytePositionInLine}: {FirstSentence(ex.Message)}", text);
        }
        catch (InvalidOperationException ex)
        {
            // A string System.Text.Json can parse but not turn into text (a lone surrogate such as "\ud800").
            return new SourceRecord(row, line, values, $"a JSON string cannot be read as text: {FirstSentence(ex.Message)}", text);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message.TrimEnd('.');
    }

    public void Dispose() => _text.Dispose();
}
