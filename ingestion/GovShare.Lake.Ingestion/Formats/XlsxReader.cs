using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>Reads the cells of one worksheet of an Excel workbook (Office Open XML, .xlsx) as text, streamed
/// row by row: shared and inline strings, numbers as written, booleans, and numbers in a date format as
/// <c>yyyy-MM-dd</c> (with the time when there is one). Formulas give their cached value.</summary>
internal sealed class XlsxReader : IDisposable
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    private readonly ZipArchive _zip;
    private readonly string _fileName;
    private readonly List<string> _sharedStrings = [];
    private readonly List<bool> _dateStyles = [];
    private bool _date1904;

    public XlsxReader(string path)
    {
        _fileName = Path.GetFileName(path);
        try
        {
            _zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException ex)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName} is not an .xlsx workbook (not a zip archive): {ex.Message}", ex);
        }

        try
        {
            Sheets = ReadSheets();
            ReadSharedStrings();
            ReadStyles();
        }
        catch (XmlException ex)
        {
            _zip.Dispose();
            throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName}: the workbook is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>The sheets' names and their parts, in workbook order.</summary>
    public IReadOnlyList<(string Name, string Part)> Sheets { get; }

    /// <summary>The rows of a sheet (the first when <paramref name="sheetName"/> is null): sheet row number
    /// (1-based) and the cells by column (null for empty cells). Empty rows are not returned.</summary>
    public IEnumerable<(int Row, string?[] Cells)> ReadRows(string? sheetName)
    {
        var sheet = sheetName is null ? Sheets.FirstOrDefault() : Sheets.FirstOrDefault(s => s.Name == sheetName);
        if (sheet.Part is null)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, sheetName is null
                ? $"{_fileName} has no worksheet."
                : $"{_fileName} has no sheet '{sheetName}' (its sheets: {string.Join(", ", Sheets.Select(s => s.Name))}).");
        }

        var entry = _zip.GetEntry(sheet.Part) ?? throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName}: the sheet part {sheet.Part} is missing.");
        using var stream = entry.Open();
        using var xml = XmlReader.Create(stream, new XmlReaderSettings { IgnoreWhitespace = false, DtdProcessing = DtdProcessing.Prohibit });
        var cells = new List<string?>();
        var rowNumber = 0;
        while (Next(xml))
        {
            if (xml.NodeType != XmlNodeType.Element || xml.NamespaceURI != MainNs)
            {
                continue;
            }

            if (xml.LocalName == "row")
            {
                rowNumber = int.TryParse(xml.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : rowNumber + 1;
                cells.Clear();
                if (xml.IsEmptyElement)
                {
                    continue;
                }

                var depth = xml.Depth;
                while (Next(xml) && !(xml.NodeType == XmlNodeType.EndElement && xml.Depth == depth))
                {
                    if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "c")
                    {
                        var column = ColumnIndex(xml.GetAttribute("r"), cells.Count);
                        var value = ReadCell(xml);
                        while (cells.Count <= column)
                        {
                            cells.Add(null);
                        }

                        cells[column] = value;
                    }
                }

                if (cells.Any(c => !string.IsNullOrEmpty(c)))
                {
                    yield return (rowNumber, cells.ToArray());
                }
            }
        }
    }

    private bool Next(XmlReader xml)
    {
        try
        {
            return xml.Read();
        }
        catch (XmlException ex)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName}: the worksheet is damaged near line {ex.LineNumber}: {ex.Message}", ex);
        }
    }

    private string? ReadCell(XmlReader xml)
    {
        var type = xml.GetAttribute("t");
        var style = int.TryParse(xml.GetAttribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        if (xml.IsEmptyElement)
        {
            return null;
        }

        string? value = null;
        var inline = new StringBuilder();
        var depth = xml.Depth;
        while (Next(xml) && !(xml.NodeType == XmlNodeType.EndElement && xml.Depth == depth))
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (xml.LocalName == "v")
            {
                value = xml.ReadElementContentAsString();
                if (xml.NodeType == XmlNodeType.EndElement && xml.Depth == depth)
                {
                    break;
                }
            }
            else if (xml.LocalName == "is")
            {
                // An inline string: runs of text, maybe rich text, maybe with phonetic guides.
                inline.Append(xml.IsEmptyElement ? "" : Text(xml));
            }
        }

        return type switch
        {
            "s" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < _sharedStrings.Count
                ? _sharedStrings[index]
                : throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName}: a cell refers to shared string {value}, which does not exist."),
            "inlineStr" => inline.ToString(),
            "b" => value == "1" ? "true" : "false",
            "str" or "e" => value,
            _ when value is not null && style < _dateStyles.Count && _dateStyles[style]
                && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) => FormatDate(serial),
            _ => value,
        };
    }

    private string FormatDate(double serial)
    {
        if (serial is < 0 or > 2958465)
        {
            return serial.ToString("R", CultureInfo.InvariantCulture); // not a date Excel can show: the number, for the checks to report
        }

        var date = DateTime.FromOADate(serial + (_date1904 ? 1462 : 0));
        return date.TimeOfDay == TimeSpan.Zero
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>The 0-based column of a cell reference such as <c>AB12</c>; the next column when absent.</summary>
    internal static int ColumnIndex(string? reference, int next)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return next;
        }

        var column = 0;
        foreach (var c in reference)
        {
            if (c is < 'A' or > 'Z')
            {
                break;
            }

            column = column * 26 + (c - 'A' + 1);
        }

        return column == 0 ? next : column - 1;
    }

    private List<(string Name, string Part)> ReadSheets()
    {
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var rels = OpenXml("xl/_rels/workbook.xml.rels"))
        {
            while (rels?.Read() == true)
            {
                if (rels.NodeType == XmlNodeType.Element && rels.LocalName == "Relationship" && rels.GetAttribute("Id") is { } id && rels.GetAttribute("Target") is { } target)
                {
                    targets[id] = target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
                }
            }
        }

        var sheets = new List<(string, string)>();
        using var workbook = OpenXml("xl/workbook.xml")
            ?? throw new LakeException(LakeErrorKind.InvalidInput, $"{_fileName} is not an .xlsx workbook (no xl/workbook.xml).");
        while (workbook.Read())
        {
            if (workbook.NodeType == XmlNodeType.Element && workbook.LocalName == "workbookPr")
            {
                // Workbooks from old Mac Excel count days from 1904-01-01.
                _date1904 = workbook.GetAttribute("date1904") is "1" or "true";
            }

            if (workbook.NodeType == XmlNodeType.Element && workbook.LocalName == "sheet")
            {
                var name = workbook.GetAttribute("name") ?? $"Sheet{sheets.Count + 1}";
                var id = workbook.GetAttribute("id", RelNs);
                sheets.Add((name, id is not null && targets.TryGetValue(id, out var part) ? part : $"xl/worksheets/sheet{sheets.Count + 1}.xml"));
            }
        }

        return sheets;
    }

    private void ReadSharedStrings()
    {
        using var xml = OpenXml("xl/sharedStrings.xml");
        if (xml is null)
        {
            return;
        }

        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "si")
            {
                // Every <si>, even an empty one, holds an index: skipping one would shift all later strings.
                _sharedStrings.Add(xml.IsEmptyElement ? "" : Text(xml));
            }
        }
    }

    /// <summary>The text of a string item (<c>si</c> or <c>is</c>) the reader is on: its <c>t</c> runs, without
    /// phonetic guides (<c>rPh</c>).</summary>
    private static string Text(XmlReader xml)
    {
        var text = new StringBuilder();
        using var item = xml.ReadSubtree();
        item.Read();
        item.Read();
        while (!item.EOF)
        {
            if (item.NodeType == XmlNodeType.Element && item.LocalName == "rPh")
            {
                item.Skip();
            }
            else if (item.NodeType == XmlNodeType.Element && item.LocalName == "t")
            {
                text.Append(item.ReadElementContentAsString()); // moves past </t> itself
            }
            else
            {
                item.Read();
            }
        }

        return text.ToString();
    }

    private void ReadStyles()
    {
        using var xml = OpenXml("xl/styles.xml");
        if (xml is null)
        {
            return;
        }

        var customDates = new HashSet<int>();
        var inCellXfs = false;
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "numFmt"
                && int.TryParse(xml.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && IsDateFormat(xml.GetAttribute("formatCode") ?? ""))
            {
                customDates.Add(id);
            }
            else if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "cellXfs")
            {
                inCellXfs = !xml.IsEmptyElement;
            }
            else if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "cellXfs")
            {
                inCellXfs = false;
            }
            else if (inCellXfs && xml.NodeType == XmlNodeType.Element && xml.LocalName == "xf")
            {
                var format = int.TryParse(xml.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : 0;
                _dateStyles.Add(format is (>= 14 and <= 22) or (>= 45 and <= 47) or (>= 27 and <= 36) or (>= 50 and <= 58) || customDates.Contains(format));
            }
        }
    }

    /// <summary>A custom number format shows a date when it has date parts outside quoted text and brackets.</summary>
    internal static bool IsDateFormat(string code)
    {
        var inQuotes = false;
        var inBracket = false;
        foreach (var c in code)
        {
            switch (c)
            {
                case '"': inQuotes = !inQuotes; break;
                case '[' when !inQuotes: inBracket = true; break;
                case ']' when !inQuotes: inBracket = false; break;
                case 'y' or 'Y' or 'd' or 'D' or 'm' or 'M' when !inQuotes && !inBracket: return true;
                default: break;
            }
        }

        return false;
    }

    private XmlReader? OpenXml(string part)
    {
        var entry = _zip.GetEntry(part);
        return entry is null ? null : XmlReader.Create(entry.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, CloseInput = true });
    }

    public void Dispose() => _zip.Dispose();
}
