using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace GovShare.Lake.Ingestion.Formats;

/// <summary>Writes a one-sheet Excel workbook (Office Open XML, .xlsx), streaming: the rows go straight into
/// the compressed sheet part, every value as an inline string (<c>t="inlineStr"</c>), so nothing but the
/// current row is held in memory. The parts carry a fixed time stamp, so the same rows give the same bytes.</summary>
internal static class XlsxWriter
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelationshipsNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelationshipsNs = "http://schemas.openxmlformats.org/package/2006/relationships";
    private static readonly DateTimeOffset PartTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the workbook: a header row, then the rows (null: an empty cell).</summary>
    /// <exception cref="ArgumentException">The sheet name is not one Excel accepts.</exception>
    public static void Write(Stream output, string sheetName, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        if (sheetName.Length is 0 or > 31 || sheetName.AsSpan().IndexOfAny("[]:*?/\\") >= 0)
        {
            throw new ArgumentException($"'{sheetName}' is not a sheet name: 1 to 31 characters, none of []:*?/\\.", nameof(sheetName));
        }

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8);
        WritePart(zip, "[Content_Types].xml", xml =>
        {
            xml.WriteStartElement("Types", "http://schemas.openxmlformats.org/package/2006/content-types");
            Default(xml, "rels", "application/vnd.openxmlformats-package.relationships+xml");
            Default(xml, "xml", "application/xml");
            Override(xml, "/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml");
            Override(xml, "/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
            Override(xml, "/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml");
            xml.WriteEndElement();
        });
        WritePart(zip, "_rels/.rels", xml =>
        {
            xml.WriteStartElement("Relationships", PackageRelationshipsNs);
            Relationship(xml, "rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "xl/workbook.xml");
            xml.WriteEndElement();
        });
        WritePart(zip, "xl/workbook.xml", xml =>
        {
            xml.WriteStartElement("workbook", MainNs);
            xml.WriteAttributeString("xmlns", "r", null, RelationshipsNs);
            xml.WriteStartElement("sheets", MainNs);
            xml.WriteStartElement("sheet", MainNs);
            xml.WriteAttributeString("name", sheetName);
            xml.WriteAttributeString("sheetId", "1");
            xml.WriteAttributeString("id", RelationshipsNs, "rId1");
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        });
        WritePart(zip, "xl/_rels/workbook.xml.rels", xml =>
        {
            xml.WriteStartElement("Relationships", PackageRelationshipsNs);
            Relationship(xml, "rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet", "worksheets/sheet1.xml");
            Relationship(xml, "rId2", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles", "styles.xml");
            xml.WriteEndElement();
        });
        WritePart(zip, "xl/styles.xml", WriteStyles);
        WritePart(zip, "xl/worksheets/sheet1.xml", xml =>
        {
            xml.WriteStartElement("worksheet", MainNs);
            xml.WriteStartElement("sheetData", MainNs);
            var rowNumber = 1;
            WriteRow(xml, rowNumber, header);
            foreach (var row in rows)
            {
                WriteRow(xml, ++rowNumber, row);
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
        });
    }

    /// <summary>The column letters of a 0-based column index: A … Z, AA ….</summary>
    internal static string ColumnName(int index)
    {
        var name = new StringBuilder();
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name.Insert(0, (char)('A' + ((n - 1) % 26)));
        }

        return name.ToString();
    }

    private static void WriteRow(XmlWriter xml, int rowNumber, IReadOnlyList<string?> values)
    {
        var row = rowNumber.ToString(CultureInfo.InvariantCulture);
        xml.WriteStartElement("row", MainNs);
        xml.WriteAttributeString("r", row);
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrEmpty(values[i]))
            {
                continue;
            }

            var text = XmlSafe(values[i]!);
            xml.WriteStartElement("c", MainNs);
            xml.WriteAttributeString("r", ColumnName(i) + row);
            xml.WriteAttributeString("t", "inlineStr");
            xml.WriteStartElement("is", MainNs);
            xml.WriteStartElement("t", MainNs);
            if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
            {
                xml.WriteAttributeString("xml", "space", null, "preserve");
            }

            xml.WriteString(text);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    /// <summary>XML 1.0 cannot carry most control characters; they are dropped rather than failing the file.</summary>
    private static string XmlSafe(string value)
    {
        foreach (var c in value)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            {
                return new string(value.Where(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch)).ToArray());
            }
        }

        return value;
    }

    private static void WriteStyles(XmlWriter xml)
    {
        xml.WriteStartElement("styleSheet", MainNs);
        xml.WriteStartElement("fonts", MainNs);
        xml.WriteAttributeString("count", "1");
        xml.WriteStartElement("font", MainNs);
        xml.WriteStartElement("sz", MainNs);
        xml.WriteAttributeString("val", "11");
        xml.WriteEndElement();
        xml.WriteStartElement("name", MainNs);
        xml.WriteAttributeString("val", "等线");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("fills", MainNs);
        xml.WriteAttributeString("count", "2");
        foreach (var pattern in new[] { "none", "gray125" })
        {
            xml.WriteStartElement("fill", MainNs);
            xml.WriteStartElement("patternFill", MainNs);
            xml.WriteAttributeString("patternType", pattern);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteStartElement("borders", MainNs);
        xml.WriteAttributeString("count", "1");
        xml.WriteStartElement("border", MainNs);
        foreach (var side in new[] { "left", "right", "top", "bottom", "diagonal" })
        {
            xml.WriteElementString(side, MainNs, string.Empty);
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("cellStyleXfs", MainNs);
        xml.WriteAttributeString("count", "1");
        Xf(xml, withXfId: false);
        xml.WriteEndElement();
        xml.WriteStartElement("cellXfs", MainNs);
        xml.WriteAttributeString("count", "1");
        Xf(xml, withXfId: true);
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void Xf(XmlWriter xml, bool withXfId)
    {
        xml.WriteStartElement("xf", MainNs);
        xml.WriteAttributeString("numFmtId", "0");
        xml.WriteAttributeString("fontId", "0");
        xml.WriteAttributeString("fillId", "0");
        xml.WriteAttributeString("borderId", "0");
        if (withXfId)
        {
            xml.WriteAttributeString("xfId", "0");
        }

        xml.WriteEndElement();
    }

    private static void Default(XmlWriter xml, string extension, string contentType)
    {
        xml.WriteStartElement("Default", "http://schemas.openxmlformats.org/package/2006/content-types");
        xml.WriteAttributeString("Extension", extension);
        xml.WriteAttributeString("ContentType", contentType);
        xml.WriteEndElement();
    }

    private static void Override(XmlWriter xml, string partName, string contentType)
    {
        xml.WriteStartElement("Override", "http://schemas.openxmlformats.org/package/2006/content-types");
        xml.WriteAttributeString("PartName", partName);
        xml.WriteAttributeString("ContentType", contentType);
        xml.WriteEndElement();
    }

    private static void Relationship(XmlWriter xml, string id, string type, string target)
    {
        xml.WriteStartElement("Relationship", PackageRelationshipsNs);
        xml.WriteAttributeString("Id", id);
        xml.WriteAttributeString("Type", type);
        xml.WriteAttributeString("Target", target);
        xml.WriteEndElement();
    }

    private static void WritePart(ZipArchive zip, string name, Action<XmlWriter> write)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = PartTimestamp;
        using var stream = entry.Open();
        using var xml = XmlWriter.Create(stream, new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = false,
            CloseOutput = false,
        });
        xml.WriteStartDocument(standalone: true);
        write(xml);
        xml.WriteEndDocument();
    }
}
