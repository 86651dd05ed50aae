using System.Text;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Text;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>CSV deliveries: encodings, delimiters, quoting and headers, detected or declared.</summary>
public sealed class CsvDeliveryTests : IDisposable
{
    private readonly TestLake _lake = new();

    private static readonly string TwoPeople = People.Csv($"{People.A},张三,男,19900501", $"{People.B},李四,女,1985-01-31");

    private void AssertTwoPeopleLoaded(BatchReport report)
    {
        AssertCommittedConsistently(_lake, report);
        Assert.Equal(2, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(0, report.Quarantined);
        Assert.Equal(
            [
                [People.A, "张三", "male", "1990-05-01", "psb", "current", "1"],
                [People.B, "李四", "female", "1985-01-31", "psb", "current", "2"],
            ],
            Provider(_lake, Entries.Persons, "id_number, name, sex, CAST(birth_date AS VARCHAR), providing_agency, record_status, CAST(source_row AS VARCHAR)"));
    }

    [Fact]
    public void Ingest_Should_LoadEveryRow_When_CsvIsUtf8()
    {
        _lake.Load(Entries.PersonsYaml());

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", TwoPeople), Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.Equal("CSV, utf-8, delimiter ',', header row", report.ReadAs);
        Assert.Equal(ProviderVersion(_lake, Entries.Persons), report.Version);
        Assert.Equal(2, report.Inserted);
        Assert.Equal(0, report.Updated);
    }

    [Fact]
    public void Ingest_Should_SkipTheByteOrderMark_When_CsvIsUtf8WithBom()
    {
        _lake.Load(Entries.PersonsYaml());
        var file = Bytes(_lake, "bom.csv", [0xEF, 0xBB, 0xBF, .. new UTF8Encoding(false).GetBytes(TwoPeople)]);

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.Equal("CSV, utf-8 (BOM), delimiter ',', header row", report.ReadAs);
    }

    [Fact]
    public void Ingest_Should_DetectGbk_When_EncodingIsAuto()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, encoding: auto }"));

        var report = _lake.Ingestor.Ingest(_lake.File("gbk.csv", TwoPeople, TextEncodings.Gb18030), Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.Equal("CSV, gb18030, delimiter ',', header row", report.ReadAs);
    }

    [Fact]
    public void Ingest_Should_ReadGbk_When_EncodingIsDeclaredGbk()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, encoding: gbk }"));
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        var report = _lake.Ingestor.Ingest(_lake.File("gbk.csv", TwoPeople, Encoding.GetEncoding("GB18030")), Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.Equal("CSV, gb18030, delimiter ',', header row", report.ReadAs);
    }

    [Theory]
    [InlineData(",", "','")]
    [InlineData(";", "';'")]
    [InlineData("\t", "tab")]
    [InlineData("|", "'|'")]
    public void Ingest_Should_DetectTheDelimiter_When_DelimiterIsAuto(string delimiter, string described)
    {
        _lake.Load(Entries.PersonsYaml());
        var text = TwoPeople.Replace(",", delimiter, StringComparison.Ordinal);

        var report = _lake.Ingestor.Ingest(_lake.File("p.txt", text), Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.Equal($"CSV, utf-8, delimiter {described}, header row", report.ReadAs);
    }

    [Fact]
    public void Ingest_Should_SplitOnTheDeclaredDelimiter_When_ValuesHoldOtherCandidates()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, delimiter: ';' }",
            extraFields: "  - { source: 住址, target: residence_address }"));
        // Every line has more commas than semicolons: detection would pick ','.
        var text = $"公民身份号码;姓名;性别;出生日期;住址\n{People.A};张三;男;19900501;郑州市,金水区,花园路,1号,2单元\n{People.B};李四;女;19850131;郑州市,中原区,建设路,3号,4单元\n";

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal(2, report.Accepted);
        Assert.Equal("CSV, utf-8, delimiter ';', header row", report.ReadAs);
        Assert.Equal(
            [[People.A, "郑州市,金水区,花园路,1号,2单元"], [People.B, "郑州市,中原区,建设路,3号,4单元"]],
            Provider(_lake, Entries.Persons, "id_number, residence_address"));
    }

    [Fact]
    public void Ingest_Should_KeepDelimitersNewlinesAndDoubledQuotes_When_FieldsAreQuoted()
    {
        _lake.Load(Entries.PersonsYaml(extraFields: "  - { source: 住址, target: residence_address }"));
        var text =
            "公民身份号码,姓名,性别,出生日期,住址\r\n" +
            $"{People.A},\"张,三\",男,19900501,\"郑州市\"\"金水区\"\"\n花园路1号\"\r\n" +
            $"\"{People.B}\",李四,女,19850131,\"\"\r\n" +
            $"{People.C},王五,男,19701312,建设路\r\n";

        var report = _lake.Ingestor.Ingest(_lake.File("q.csv", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal(3, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(
            [[People.A, "张,三", "郑州市\"金水区\"\n花园路1号", "1"], [People.B, "李四", null, "2"]],
            Provider(_lake, Entries.Persons, "id_number, name, residence_address, CAST(source_row AS VARCHAR)"));
        // The first record spans lines 2 and 3, so the third record starts on line 5.
        var rejected = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(3, rejected.SourceRow);
        Assert.Equal(5, rejected.SourceLine);
        Assert.Equal(QuarantineReasons.InvalidDate, rejected.Reason);
    }

    [Fact]
    public void Ingest_Should_SkipBlankLines_CountingThemInLinesButNotInRows()
    {
        _lake.Load(Entries.PersonsYaml());
        var text = People.Csv($"{People.A},张三,男,19900501", "", $"{People.B},李四,女,19850231");

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((2L, 1L, 1L), (report.Read, report.Accepted, report.Quarantined));
        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal((2L, (long?)4L), (row.SourceRow, row.SourceLine));
    }

    [Fact]
    public void Ingest_Should_ApplyTheEntrysTransformsAndDateFormats_BeforeParsing()
    {
        _lake.Load(Entries.PersonsYaml(extraFields: "  - { source: 联系电话, target: phone, transform: [halfwidth, remove_spaces] }")
            .Replace("target: birth_date }", "target: birth_date, format: [yyyy年M月d日] }", StringComparison.Ordinal));
        var text = $"{People.Header},联系电话\n {People.A} ,张三,男,1990年5月1日,１３８ ００００ ００００\n";

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal([[People.A, "1990-05-01", "13800000000"]], Provider(_lake, Entries.Persons, "id_number, CAST(birth_date AS VARCHAR), phone"));
    }

    [Fact]
    public void Ingest_Should_FailWithAdviceToDeclareGbk_When_Utf8IsDeclaredForAGbkFile()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, encoding: utf-8 }"));

        var report = _lake.Ingestor.Ingest(_lake.File("gbk.csv", TwoPeople, TextEncodings.Gb18030), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("gbk.csv", report.Message, StringComparison.Ordinal);
        Assert.Contains("encoding: gbk", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_NameColumnsFromTheEntry_When_HeaderIsFalse()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, header: false, columns: [公民身份号码, 姓名, 性别, 出生日期] }"));
        var text = $"{People.A},张三,男,19900501\n{People.B},李四,女,19850131\n";

        var report = _lake.Ingestor.Ingest(_lake.File("noheader.csv", text), Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.Equal("CSV, utf-8, delimiter ',', no header row", report.ReadAs);
    }

    [Fact]
    public void Ingest_Should_TreatTheFirstRowAsData_When_HeaderIsAutoAndColumnsAreDeclared()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, columns: [公民身份号码, 姓名, 性别, 出生日期] }"));
        var text = $"{People.A},张三,男,19900501\n{People.B},李四,女,19850131\n";

        var report = _lake.Ingestor.Ingest(_lake.File("noheader.csv", text), Entries.Persons);

        AssertTwoPeopleLoaded(report);
        Assert.EndsWith("no header row", report.ReadAs, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_Should_Fail_When_HeaderLacksAMappedColumn()
    {
        _lake.Load(Entries.PersonsYaml());
        var text = $"公民身份号码,姓名,性别\n{People.A},张三,男\n";

        var report = _lake.Ingestor.Ingest(_lake.File("short.csv", text), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("short.csv", report.Message, StringComparison.Ordinal);
        Assert.Contains("出生日期", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
        Assert.False(QuarantineExists(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_Fail_When_DeclaredHeaderLacksAMappedColumn()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: csv, header: true }"));
        var text = $"公民身份号码,姓名,性别\n{People.A},张三,男\n";

        var report = _lake.Ingestor.Ingest(_lake.File("short.csv", text), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("short.csv", report.Message, StringComparison.Ordinal);
        Assert.Contains("出生日期", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_Fail_When_HeaderNamesAMappedColumnTwice()
    {
        _lake.Load(Entries.PersonsYaml());
        var text = $"公民身份号码,姓名,性别,出生日期,姓名\n{People.A},张三,男,19900501,张三\n";

        var report = _lake.Ingestor.Ingest(_lake.File("twice.csv", text), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Equal("twice.csv: the header names the column '姓名' twice.", report.Message);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_Fail_When_FileIsEmpty()
    {
        _lake.Load(Entries.PersonsYaml());

        var report = _lake.Ingestor.Ingest(_lake.File("empty.csv", ""), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Equal("empty.csv is empty.", report.Message);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_Fail_When_FileIsUtf16()
    {
        _lake.Load(Entries.PersonsYaml());
        var utf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
        var file = Bytes(_lake, "utf16.csv", [.. utf16.GetPreamble(), .. utf16.GetBytes(TwoPeople)]);

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Equal(0, report.Read);
        Assert.Contains("utf16.csv", report.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-16", report.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8 or GBK", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
        Assert.False(QuarantineExists(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_Fail_When_BytesAreNeitherUtf8NorGbk()
    {
        _lake.Load(Entries.PersonsYaml());
        byte[] noise = [.. "id,x\n"u8, 0xFF, 0xFF, 0x80, 0xFF, (byte)'\n', 0xFF, 0x7F, 0xFF, (byte)'\n'];
        var file = Bytes(_lake, "noise.csv", noise);

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("noise.csv", report.Message, StringComparison.Ordinal);
        Assert.Contains("neither UTF-8 nor GBK", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_FailWithAdviceToDeclareGbk_When_GbkTextFollowsA64KiBUtf8Head()
    {
        _lake.Load(Entries.PersonsYaml());
        var first = _lake.Ingestor.Ingest(_lake.File("first.csv", TwoPeople), Entries.Persons);
        var versionBefore = ProviderVersion(_lake, Entries.Persons);
        var head = new StringBuilder(People.Header + "\n");
        for (var i = 0; head.Length < 70_000; i++)
        {
            head.Append(Ids.Citizen("410102", new DateOnly(1960, 1, 1).AddDays(i), i % 1000)).Append(",张三,男,\n");
        }

        var utf8Head = new UTF8Encoding(false).GetBytes(head.ToString());
        Assert.True(utf8Head.Length > 1 << 16);
        var file = Bytes(_lake, "mixed.csv", [.. utf8Head, .. TextEncodings.Gb18030.GetBytes($"{People.D},赵六,女,20010203\n")]);

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(BatchStatus.Committed, first.Status);
        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("mixed.csv", report.Message, StringComparison.Ordinal);
        Assert.Contains("encoding: gbk", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report, versionBefore);
        Assert.Equal(2, ProviderCount(_lake, Entries.Persons));
    }

    public void Dispose() => _lake.Dispose();
}
