using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml;
using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Sample;

namespace GovShare.Lake.Ingestion.Tests.Sample;

/// <summary>A temporary folder, deleted with the test.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), $"govshare-sample-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Sub(string name) => System.IO.Path.Combine(Root, name);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>One city of 20 000 persons generated once for a test class, read back with independent readers.</summary>
public sealed class SampleCityFixture : IDisposable
{
    private readonly ScratchFolder _folder = new();

    public SampleCityFixture()
    {
        Result = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _folder.Root, Persons = 20_000 });
        Deliveries = Result.Datasets.ToDictionary(d => d.Id, d => SampleFiles.Read(Root, d), StringComparer.Ordinal);
        InvalidRows = SampleFiles.ReadCsv(System.IO.Path.Combine(Root, "labels", "invalid-rows.csv"), Encoding.UTF8);
        Warnings = SampleFiles.ReadCsv(System.IO.Path.Combine(Root, "labels", "warnings.csv"), Encoding.UTF8);
        Disagreements = SampleFiles.ReadCsv(System.IO.Path.Combine(Root, "labels", "disagreements.csv"), Encoding.UTF8);
    }

    public string Root => _folder.Root;

    public SyntheticCityResult Result { get; }

    internal IReadOnlyDictionary<string, Delivery> Deliveries { get; }

    internal Delivery InvalidRows { get; }

    internal Delivery Warnings { get; }

    internal Delivery Disagreements { get; }

    public void Dispose() => _folder.Dispose();
}

/// <summary>A delivered file as header and rows of text (null: empty), whatever its format.</summary>
internal sealed record Delivery(IReadOnlyList<string> Header, IReadOnlyList<string?[]> Rows)
{
    public int Column(string name)
    {
        var index = Header.ToList().IndexOf(name);
        Assert.True(index >= 0, $"no column {name} among {string.Join(", ", Header)}");
        return index;
    }

    public IEnumerable<string?> Values(string column)
    {
        var index = Column(column);
        return Rows.Select(r => r[index]);
    }
}

/// <summary>Reads the generated files without the ingestion's readers: a small RFC 4180 parser, System.Text.Json,
/// DuckDB's Parquet reader, and the xlsx parts unzipped and parsed as XML.</summary>
internal static class SampleFiles
{
    public static readonly Encoding Gbk = CreateGbk();

    public static Delivery Read(string root, SyntheticDataset dataset)
    {
        var path = Path.Combine(root, dataset.File);
        return dataset.Format switch
        {
            "csv" => ReadCsv(path, dataset.Encoding == "gbk" ? Gbk : new UTF8Encoding(false, throwOnInvalidBytes: true)),
            "jsonl" => ReadJsonLines(path),
            "parquet" => ReadParquet(path),
            "xlsx" => ReadXlsx(path),
            _ => throw new InvalidOperationException(dataset.Format),
        };
    }

    public static Delivery ReadCsv(string path, Encoding encoding)
    {
        var text = encoding.GetString(File.ReadAllBytes(path));
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var records = ParseCsv(text);
        return new Delivery(records[0].Select(v => v ?? "").ToArray(), records.Skip(1).ToList());
    }

    public static List<string?[]> ParseCsv(string text)
    {
        var records = new List<string?[]>();
        var fields = new List<string?>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    wasQuoted = true;
                    break;
                case ',':
                    fields.Add(field.Length == 0 && !wasQuoted ? null : field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.Length == 0 && !wasQuoted ? null : field.ToString());
                    records.Add([.. fields]);
                    fields.Clear();
                    field.Clear();
                    wasQuoted = false;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        Assert.False(quoted, "unclosed quote at the end of the file");
        Assert.True(fields.Count == 0 && field.Length == 0, "the last line has no line break");
        return records;
    }

    private static Delivery ReadJsonLines(string path)
    {
        var header = new List<string>();
        var rows = new List<string?[]>();
        foreach (var line in File.ReadLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            using var document = JsonDocument.Parse(line);
            if (header.Count == 0)
            {
                header.AddRange(document.RootElement.EnumerateObject().Select(p => p.Name));
            }

            rows.Add(header.Select(h => document.RootElement.TryGetProperty(h, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetString() : null).ToArray());
        }

        return new Delivery(header, rows);
    }

    private static Delivery ReadParquet(string path)
    {
        using var duck = LakeDuckDb.OpenInMemory();
        var source = $"read_parquet({LakeDuckDb.Literal(path)}, file_row_number = true)";
        var header = LakeDuckDb.Strings(duck, $"SELECT column_name FROM (DESCRIBE SELECT * EXCLUDE (file_row_number) FROM {source})").Select(c => c!).ToList();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", header.Select(h => $"CAST({LakeDuckDb.Identifier(h)} AS VARCHAR)"))} FROM {source} ORDER BY file_row_number";
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, header.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToArray());
        }

        return new Delivery(header, rows);
    }

    public static Delivery ReadXlsx(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var entry = zip.GetEntry("xl/worksheets/sheet1.xml") ?? throw new InvalidDataException("no sheet1.xml");
        using var stream = entry.Open();
        var document = new XmlDocument();
        document.Load(stream);
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("x", "http://schemas.openxmlformats.org/spreadsheetml/2006/main");
        var sheetRows = new List<string?[]>();
        foreach (XmlElement row in document.SelectNodes("//x:sheetData/x:row", ns)!)
        {
            var cells = new List<string?>();
            foreach (XmlElement cell in row.SelectNodes("x:c", ns)!)
            {
                var reference = cell.GetAttribute("r");
                var column = 0;
                foreach (var ch in reference.TakeWhile(char.IsAsciiLetterUpper))
                {
                    column = (column * 26) + (ch - 'A' + 1);
                }

                while (cells.Count < column - 1)
                {
                    cells.Add(null);
                }

                Assert.Equal("inlineStr", cell.GetAttribute("t"));
                cells.Add(cell.SelectSingleNode("x:is/x:t", ns)!.InnerText);
            }

            Assert.Equal((sheetRows.Count + 1).ToString(CultureInfo.InvariantCulture), row.GetAttribute("r"));
            sheetRows.Add([.. cells]);
        }

        var header = sheetRows[0].Select(h => h!).ToArray();
        return new Delivery(header, sheetRows.Skip(1).Select(r => r.Concat(Enumerable.Repeat<string?>(null, header.Length - r.Length)).ToArray()).ToList());
    }

    private static Encoding CreateGbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }
}
