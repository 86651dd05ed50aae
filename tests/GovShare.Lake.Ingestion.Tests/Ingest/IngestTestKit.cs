using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Catalogue entries the ingestion tests deliver to, as YAML an author would write.</summary>
internal static class Entries
{
    public const string Persons = "psb.household";

    public const string Entities = "amr.entities";

    /// <summary>The household-registration entry: 公民身份号码, 姓名, 性别 and 出生日期 (plus <paramref name="extraFields"/>);
    /// a null <paramref name="threshold"/> leaves the default.</summary>
    public static string PersonsYaml(
        string source = "{ format: csv }", string delivery = "{ mode: full }", string? threshold = "0.5", string extraFields = "") => $$"""
        id: {{Persons}}
        name: { zh: 户籍人口, en: Household registration }
        agency: { code: psb, name: { zh: 市公安局, en: Public Security Bureau } }
        target: population.persons
        key: { column: 公民身份号码, kind: citizen }
        source: {{source}}
        delivery: {{delivery}}
        fields:
          - { source: 公民身份号码, target: id_number, type: string, required: true }
          - { source: 姓名, target: name, required: true }
          - { source: 性别, target: sex, map: { 男: male, 女: female } }
          - { source: 出生日期, target: birth_date }
        {{extraFields}}
        authoritative: [name, sex, birth_date]
        {{(threshold is null ? "" : "quarantineThreshold: " + threshold)}}
        """;

    /// <summary>The market-entity entry keyed by unified social credit code.</summary>
    public static string EntitiesYaml(string threshold = "0.5") => $$"""
        id: {{Entities}}
        name: { zh: 市场主体登记信息, en: Market entity registrations }
        agency: { code: amr, name: { zh: 市市场监督管理局, en: Administration for Market Regulation } }
        target: legal_entity.entities
        key: { column: 统一社会信用代码, kind: uscc }
        source: { format: csv }
        fields:
          - { source: 统一社会信用代码, target: uscc, required: true }
          - { source: 名称, target: name, required: true }
          - { source: 注册资本, target: registered_capital, type: "decimal(20,2)" }
          - { source: 住所行政区划代码, target: registered_division }
        authoritative: [name]
        quarantineThreshold: {{threshold}}
        """;
}

/// <summary>The people of the tests: valid resident identity numbers with known birth dates and sexes.</summary>
internal static class People
{
    /// <summary>Born 1990-05-01, male (odd sequence).</summary>
    public static readonly string A = Ids.Citizen("410102", new DateOnly(1990, 5, 1), 11);

    /// <summary>Born 1985-01-31, female.</summary>
    public static readonly string B = Ids.Citizen("410105", new DateOnly(1985, 1, 31), 22);

    /// <summary>Born 1970-12-12, male.</summary>
    public static readonly string C = Ids.Citizen("410103", new DateOnly(1970, 12, 12), 33);

    /// <summary>Born 2001-02-03, female.</summary>
    public static readonly string D = Ids.Citizen("410105", new DateOnly(2001, 2, 3), 44);

    public const string Header = "公民身份号码,姓名,性别,出生日期";

    /// <summary>A's number with a wrong check character.</summary>
    public static string WithBadCheckCharacter(string id) => id[..17] + (id[17] == '0' ? '1' : '0');

    /// <summary>A CSV of the header and the given lines, LF-terminated.</summary>
    public static string Csv(params string[] lines) => string.Concat(new[] { Header }.Concat(lines).Select(l => l + "\n"));
}

/// <summary>Valid unified social credit codes built from their parts (GB 32100 around a GB 11714 organisation code).</summary>
internal static class Credit
{
    public static string Uscc(string division, string orgBody)
    {
        var org = orgBody + OrganisationCode.ComputeCheckCharacter(orgBody);
        var body = $"91{division}{org}";
        return body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);
    }
}

/// <summary>A row of a quarantine table.</summary>
internal sealed record QuarantineRow(
    string BatchId, string DatasetId, string? SourceFile, long SourceRow, long? SourceLine, string? Raw, string? Field, string Reason, string? Message);

/// <summary>Reads what ingestion left in the lake, with DuckDB, the way any reader of the lake would.</summary>
internal static class LakeReads
{
    public static List<string?[]> Query(string sql)
    {
        using var duck = LakeDuckDb.OpenInMemory();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))
                .ToArray());
        }

        return rows;
    }

    public static bool ProviderExists(TestLake lake, string datasetId) => DeltaTable.Exists(lake.Layout.ProviderTable(datasetId));

    public static bool QuarantineExists(TestLake lake, string datasetId) => DeltaTable.Exists(lake.Layout.QuarantineTable(datasetId));

    public static long? ProviderVersion(TestLake lake, string datasetId) =>
        ProviderExists(lake, datasetId) ? DeltaTable.Open(lake.Layout.ProviderTable(datasetId)).LatestVersion() : null;

    public static string ProviderQuery(TestLake lake, string datasetId) => DeltaTable.Open(lake.Layout.ProviderTable(datasetId)).Snapshot().ToDuckDbQuery();

    /// <summary>Selected columns (cast to text by DuckDB where the caller asks) of the provider table.</summary>
    public static List<string?[]> Provider(TestLake lake, string datasetId, string columns, string orderBy = "source_row", string where = "true") =>
        Query($"SELECT {columns} FROM ({ProviderQuery(lake, datasetId)}) t WHERE {where} ORDER BY {orderBy}");

    public static long ProviderCount(TestLake lake, string datasetId, string where = "true") =>
        ProviderExists(lake, datasetId) ? long.Parse(Provider(lake, datasetId, "count(*)", "1", where).Single()[0]!, CultureInfo.InvariantCulture) : 0;

    /// <summary>The visible quarantined rows (of committed batches), by batch and source row.</summary>
    public static List<QuarantineRow> Quarantine(TestLake lake, string datasetId)
    {
        var visible = QuarantineTables.VisibleQuery(lake.Layout, datasetId);
        if (visible is null)
        {
            return [];
        }

        return Query($"SELECT batch_id, dataset_id, source_file, source_row, source_line, raw, field, reason, message FROM ({visible}) q ORDER BY batch_id, source_row")
            .Select(r => new QuarantineRow(r[0]!, r[1]!, r[2], long.Parse(r[3]!, CultureInfo.InvariantCulture),
                r[4] is null ? null : long.Parse(r[4]!, CultureInfo.InvariantCulture), r[5], r[6], r[7]!, r[8]))
            .ToList();
    }

    /// <summary>Every row of the quarantine table, visible or not.</summary>
    public static long QuarantineTableCount(TestLake lake, string datasetId) =>
        QuarantineExists(lake, datasetId)
            ? long.Parse(Query($"SELECT count(*) FROM ({DeltaTable.Open(lake.Layout.QuarantineTable(datasetId)).Snapshot().ToDuckDbQuery()})").Single()[0]!, CultureInfo.InvariantCulture)
            : 0;

    /// <summary>The report's own arithmetic: every row read is accepted or quarantined.</summary>
    public static void AssertBalanced(BatchReport report) => Assert.Equal(report.Read, report.Accepted + report.Quarantined);

    /// <summary>A committed full delivery: the report balances, the batch's quarantine rows are visible, and the
    /// batch's accepted rows are in the provider table.</summary>
    public static void AssertCommittedConsistently(TestLake lake, BatchReport report)
    {
        Assert.Equal(BatchStatus.Committed, report.Status);
        AssertBalanced(report);
        Assert.Equal(report.Quarantined, Quarantine(lake, report.DatasetId).Count(q => q.BatchId == report.BatchId));
        Assert.Equal(report.Accepted, ProviderCount(lake, report.DatasetId, $"batch_id = {LakeDuckDb.Literal(report.BatchId)}"));
    }

    /// <summary>A rejected delivery (failed or refused) changed nothing in the lake, and the store says why.</summary>
    public static void AssertNothingCommitted(TestLake lake, BatchReport report, long? providerVersionBefore = null, string status = "failed")
    {
        Assert.True(report.IsRejected);
        Assert.Null(report.Version);
        AssertBalanced(report);
        Assert.Equal(providerVersionBefore, ProviderVersion(lake, report.DatasetId));
        Assert.DoesNotContain(Quarantine(lake, report.DatasetId), q => q.BatchId == report.BatchId);
        Assert.Equal(status, lake.Store.FindBatch(report.BatchId)?.Status);
    }

    /// <summary>Writes bytes as a delivery file (for byte-order marks and deliberately broken encodings).</summary>
    public static string Bytes(TestLake lake, string name, byte[] bytes)
    {
        var path = Path.Combine(lake.Root, "files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>An inline-string cell (<c>t="inlineStr"</c>) of a test workbook.</summary>
internal sealed record InlineText(string Text);

/// <summary>Writes small .xlsx workbooks by hand, the parts Excel writes: workbook, relationships, styles
/// (style 1 is the built-in date format 14), shared strings and sheets. Cell values: string → shared string,
/// <see cref="InlineText"/> → inline string, numbers → numeric cells, <see cref="DateOnly"/> → a date serial
/// in style 1, null → no cell. A null row leaves an empty sheet row.</summary>
internal static class Xlsx
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    public static string Write(TestLake lake, string name, params (string Sheet, object?[]?[] Rows)[] sheets)
    {
        var path = Path.Combine(lake.Root, "files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var shared = new List<string>();
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Part(zip, "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
            "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>" +
            "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>");
        Part(zip, "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
            "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
        var workbook = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><workbook xmlns=\"{MainNs}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>");
        var rels = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
        for (var i = 0; i < sheets.Length; i++)
        {
            workbook.Append(CultureInfo.InvariantCulture, $"<sheet name=\"{SecurityElement.Escape(sheets[i].Sheet)}\" sheetId=\"{i + 1}\" r:id=\"rId{i + 1}\"/>");
            rels.Append(CultureInfo.InvariantCulture,
                $"<Relationship Id=\"rId{i + 1}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i + 1}.xml\"/>");
            Part(zip, $"xl/worksheets/sheet{i + 1}.xml", SheetXml(sheets[i].Rows, shared));
        }

        rels.Append(CultureInfo.InvariantCulture,
            $"<Relationship Id=\"rId{sheets.Length + 1}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>");
        rels.Append(CultureInfo.InvariantCulture,
            $"<Relationship Id=\"rId{sheets.Length + 2}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>");
        Part(zip, "xl/workbook.xml", workbook.Append("</sheets></workbook>").ToString());
        Part(zip, "xl/_rels/workbook.xml.rels", rels.Append("</Relationships>").ToString());
        Part(zip, "xl/styles.xml",
            $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"{MainNs}\"><cellXfs count=\"2\">" +
            "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>" +
            "</cellXfs></styleSheet>");
        Part(zip, "xl/sharedStrings.xml",
            $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"{MainNs}\" count=\"{shared.Count}\" uniqueCount=\"{shared.Count}\">" +
            string.Concat(shared.Select(s => $"<si><t>{SecurityElement.Escape(s)}</t></si>")) + "</sst>");
        return path;
    }

    private static string SheetXml(object?[]?[] rows, List<string> shared)
    {
        var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"{MainNs}\"><sheetData>");
        for (var r = 0; r < rows.Length; r++)
        {
            if (rows[r] is not { } cells)
            {
                continue;
            }

            xml.Append(CultureInfo.InvariantCulture, $"<row r=\"{r + 1}\">");
            for (var c = 0; c < cells.Length; c++)
            {
                var reference = $"{(char)('A' + c)}{r + 1}";
                switch (cells[c])
                {
                    case null:
                        break;
                    case string text:
                        var index = shared.IndexOf(text);
                        if (index < 0)
                        {
                            index = shared.Count;
                            shared.Add(text);
                        }

                        xml.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\" t=\"s\"><v>{index}</v></c>");
                        break;
                    case InlineText inline:
                        xml.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\" t=\"inlineStr\"><is><t>{SecurityElement.Escape(inline.Text)}</t></is></c>");
                        break;
                    case DateOnly date:
                        var serial = date.ToDateTime(TimeOnly.MinValue).ToOADate();
                        xml.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\" s=\"1\"><v>{serial}</v></c>");
                        break;
                    case IFormattable number:
                        xml.Append(CultureInfo.InvariantCulture, $"<c r=\"{reference}\"><v>{number.ToString(null, CultureInfo.InvariantCulture)}</v></c>");
                        break;
                    default:
                        throw new ArgumentException($"no cell for {cells[c]!.GetType()}", nameof(rows));
                }
            }

            xml.Append("</row>");
        }

        return xml.Append("</sheetData></worksheet>").ToString();
    }

    private static void Part(ZipArchive zip, string name, string content)
    {
        using var stream = zip.CreateEntry(name).Open();
        var bytes = new UTF8Encoding(false).GetBytes(content);
        stream.Write(bytes);
    }
}
