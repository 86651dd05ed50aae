using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>One data row of a delivered file.</summary>
/// <param name="Row">1-based data row number (1 = the first row after any header).</param>
/// <param name="Line">Where the row starts in the file: the text line (CSV, JSON Lines), the sheet row (xlsx)
/// or the row index + 1 (Parquet).</param>
/// <param name="Values">The row's values, aligned with <see cref="IRecordSource.Columns"/>; null where the row
/// has no value (a missing JSON key, an empty cell).</param>
/// <param name="Malformed">Why the row could not be split into the columns (wrong field count, bad JSON), or null.</param>
/// <param name="RawText">The row's text as delivered, for rows that cannot be split (null otherwise).</param>
internal sealed record SourceRecord(long Row, long Line, string?[] Values, string? Malformed = null, string? RawText = null)
{
    private static readonly JsonSerializerOptions RawJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The row as quarantine keeps it: its text when it could not be split, otherwise a JSON
    /// object of column → value in file order.</summary>
    public string Raw(IReadOnlyList<string> columns)
    {
        if (RawText is not null)
        {
            return RawText;
        }

        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            row.TryAdd(columns[i], i < Values.Length ? Values[i] : null);
        }

        return JsonSerializer.Serialize(row, RawJson);
    }
}

/// <summary>A delivered file read as rows of text values, whatever its format.</summary>
internal interface IRecordSource : IDisposable
{
    /// <summary>The column names, in file order.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>How the file was read (format, encoding, delimiter, header), for the batch report.</summary>
    string Description { get; }

    /// <summary>The detected or declared text encoding (CSV, JSON Lines), else null.</summary>
    string? EncodingName { get; }

    /// <summary>Bytes of the file consumed so far (for progress).</summary>
    long BytesRead { get; }

    /// <summary>The rows, in file order, read as they are enumerated.</summary>
    IEnumerable<SourceRecord> Records();
}

/// <summary>Opens a delivered file with the reader its catalogue entry names.</summary>
internal static class RecordSources
{
    /// <summary>Opens <paramref name="path"/> per the entry's source spec. Whole-file problems (an encoding
    /// that is neither UTF-8 nor GBK, a header without the mapped columns, a file that is not the declared
    /// format) throw <see cref="LakeException"/> naming the file.</summary>
    public static IRecordSource Open(string path, CatalogueEntry entry)
    {
        var fileName = Path.GetFileName(path);
        // The production-time column is read too, mapped or not.
        var required = entry.Fields.Select(f => f.Source)
            .Concat(entry.Delivery.DeletionColumn is { } marker ? [marker] : [])
            .Concat(entry.ProducedAt is { } produced && !entry.Fields.Any(f => f.Source == produced) ? [produced] : [])
            .ToList();
        IRecordSource source = entry.Source.Format switch
        {
            SourceFormat.Csv => CsvSource.Open(path, entry.Source, required),
            SourceFormat.JsonLines => new JsonLinesSource(path, entry.Source, required),
            SourceFormat.Parquet => ParquetSource.Open(path),
            SourceFormat.Xlsx => XlsxSource.Open(path, entry.Source, required),
            _ => throw new LakeException(LakeErrorKind.Unsupported, $"{fileName}: format {entry.Source.Format} is not supported."),
        };
        // A file with a header (or a Parquet schema) names its columns: every mapped one must be there (and the
        // deletion marker of an incremental entry, and the production-time column: a file without it would escape the
        // 3-day judgement). JSON Lines objects may leave out optional keys.
        var missing = entry.Fields.Where(f => entry.Source.Format != SourceFormat.JsonLines || f.Required || f.Source == entry.KeyColumn)
            .Select(f => f.Source)
            .Concat(entry.Delivery.DeletionColumn is { } deletionColumn ? [deletionColumn] : [])
            .Concat(entry.ProducedAt is { } producedColumn && entry.Source.Format != SourceFormat.JsonLines ? [producedColumn] : [])
            .Distinct(StringComparer.Ordinal)
            .Where(c => !source.Columns.Contains(c, StringComparer.Ordinal))
            .ToList();
        if (missing.Count > 0)
        {
            source.Dispose();
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"{fileName}: the column(s) {string.Join(", ", missing)} that the catalogue entry {entry.Id} " +
                $"{(entry.ProducedAt is { } named && missing.Contains(named) ? "maps or names as producedAt" : "maps")} are not in the file " +
                $"(its columns: {CitizenIdNumber.MaskWithin(string.Join(", ", source.Columns.Take(40)))}).");
        }

        return source;
    }

    /// <summary>The text encoding named by a source spec, or null to detect it.</summary>
    public static Encoding? DeclaredEncoding(SourceSpec spec) => spec.Encoding switch
    {
        "auto" => null,
        "utf-8" => Text.TextEncodings.StrictUtf8,
        _ => Text.TextEncodings.StrictGb18030,
    };
}

/// <summary>Whether the first row of a CSV file or sheet is a header, and the column names.</summary>
internal static class HeaderRule
{
    /// <summary>The column names when the first row is a header, or null when it is data (the entry's
    /// <c>columns:</c> name the columns then).</summary>
    /// <exception cref="LakeException">A header that lacks mapped columns or repeats one.</exception>
    public static IReadOnlyList<string>? Columns(SourceSpec spec, IReadOnlyList<string?> first, IReadOnlyList<string> mappedColumns, string fileName)
    {
        var names = first.Select(n => (n ?? "").Trim().Trim('\uFEFF')).ToList();
        var namesMapped = mappedColumns.All(names.Contains);
        var hasHeader = spec.Header switch
        {
            "true" => true,
            "false" => false,
            _ => namesMapped || spec.Columns.Count == 0,
        };
        if (!hasHeader)
        {
            return null;
        }

        if (!namesMapped && spec.Header == "auto")
        {
            var missing = mappedColumns.Where(c => !names.Contains(c)).ToList();
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"{fileName}: the first row does not name the mapped column(s) {string.Join(", ", missing)} " +
                $"(it holds: {CitizenIdNumber.MaskWithin(string.Join(", ", names.Take(40)))}); if the file has no header, declare `header: false` and `columns:` in the catalogue entry.");
        }

        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 && mappedColumns.Contains(g.Key));
        if (duplicate is not null)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{fileName}: the header names the column '{duplicate.Key}' twice.");
        }

        return names.Select((n, i) => n.Length == 0 ? $"column {i + 1}" : n).ToList();
    }
}
