using System.IO.Compression;
using System.Text;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Formats;
using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>One test per defect found in review of the first ingestion, named after what broke.</summary>
public sealed class ReviewRegressionTests : IDisposable
{
    private readonly TestLake _lake = new();

    private BatchReport Deliver(string name, params string[] lines) =>
        _lake.Ingestor.Ingest(_lake.File(name, People.Csv(lines)), Entries.Persons);

    [Fact]
    public void FullSnapshot_Should_NotEndARecord_When_ItsRowIsMalformedButItsKeyIsReadable()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.6"));
        Deliver("1.csv", $"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131");

        var report = Deliver("2.csv", $"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131,多余");

        Assert.Equal(0, report.Ended);
        Assert.Equal([[People.B, "current"]], Provider(_lake, Entries.Persons, "id_number, record_status", where: $"id_number = '{People.B}'"));
    }

    [Fact]
    public void Ingest_Should_TreatBackslashN_AsEmpty_NotLoadItAsText()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.6"));

        var report = Deliver("p.csv", $"{People.A},张三,男,19900501", $"{People.B},\\N,女,19850131");

        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(QuarantineReasons.MissingRequired, row.Reason);
        Assert.Equal(1, report.Accepted);
    }

    [Fact]
    public void Ingest_Should_QuarantineEveryCopy_When_OneCopyOfADuplicateKeyFailedAnotherCheck()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.9"));

        var report = Deliver("p.csv", $"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131", $"{People.B},李四,女,19850231");

        Assert.Equal(1, report.Accepted);
        Assert.Equal(2, report.Quarantined);
        Assert.Equal([QuarantineReasons.DuplicateKey, QuarantineReasons.InvalidDate], Quarantine(_lake, Entries.Persons).Select(q => q.Reason).Order().ToList());
        Assert.Equal(0, ProviderCount(_lake, Entries.Persons, $"id_number = '{People.B}'"));
    }

    [Fact]
    public void Ingest_Should_MaskAnIdNumber_When_ItLandsInAnotherFieldsMessage()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.9"));

        var report = Deliver("p.csv", $"{People.A},张三,男,19900501", $"{People.B},李四,女,{People.C}");

        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.DoesNotContain(People.C, row.Message, StringComparison.Ordinal);
        Assert.Contains(CitizenIdNumber.Mask(People.C), row.Message, StringComparison.Ordinal);
        Assert.All(report.QuarantineReasons.SelectMany(r => r.Examples), e => Assert.DoesNotContain(People.C, e, StringComparison.Ordinal));
    }

    [Fact]
    public void Ingest_Should_ReadDatesInTheDeclaredFormat_When_ItLooksLikeAnotherCommonOne()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.5").Replace("target: birth_date }", "target: birth_date, format: [ddMMyyyy] }", StringComparison.Ordinal));

        var report = Deliver("p.csv", $"{People.A},张三,男,01051990");

        Assert.Equal(1, report.Accepted);
        Assert.Equal([["1990-05-01"]], Provider(_lake, Entries.Persons, "CAST(birth_date AS VARCHAR)"));
    }

    [Fact]
    public void Ingest_Should_DetectGbk_When_TheFirst64KiBArePlainAscii()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.5").Replace("{ format: csv }", "{ format: csv, encoding: auto }", StringComparison.Ordinal));
        var text = new StringBuilder(People.Header + ",备注\n".Replace("备注", "note", StringComparison.Ordinal));
        text.Append(People.A).Append(",Zhang,男,19900501,").Append(new string('x', 70_000)).Append('\n');
        text.Append(People.B).Append(",李四,女,19850131,-\n");
        var path = _lake.File("gbk.csv", text.ToString(), GovShare.Lake.Text.TextEncodings.Gb18030);

        var report = _lake.Ingestor.Ingest(path, Entries.Persons);

        Assert.Equal(BatchStatus.Committed, report.Status);
        Assert.Contains("gb18030", report.ReadAs, StringComparison.Ordinal);
        Assert.Equal([["李四"]], Provider(_lake, Entries.Persons, "name", where: $"id_number = '{People.B}'"));
    }

    [Fact]
    public void XlsxReader_Should_KeepSharedStringIndexes_When_AnItemIsEmpty_AndLeavePhoneticGuidesOut()
    {
        var path = Path.Combine(_lake.Root, "s.xlsx");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Part(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(xml);
            }

            const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
            Part("xl/workbook.xml", $"<workbook xmlns=\"{ns}\"><sheets><sheet name=\"S\" sheetId=\"1\"/></sheets></workbook>");
            Part("xl/sharedStrings.xml", $"<sst xmlns=\"{ns}\"><si/><si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si><si><r><t>郑</t></r><r><t>州</t></r></si></sst>");
            Part("xl/worksheets/sheet1.xml",
                $"<worksheet xmlns=\"{ns}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row></sheetData></worksheet>");
        }

        using var reader = new XlsxReader(path);
        var (_, cells) = Assert.Single(reader.ReadRows(null));

        Assert.Equal(new string?[] { "", "東京", "郑州" }, cells.ToArray());
    }

    [Fact]
    public void DropFolders_Should_MoveOnToTheNextFile_When_OneCannotBeRead()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.5"));
        var inbox = Path.Combine(_lake.Root, "inbox", "psb", Entries.Persons);
        Directory.CreateDirectory(inbox);
        File.WriteAllBytes(Path.Combine(inbox, "a-broken.csv"), [0xFF, 0xFE, 0x41, 0x00]);
        File.WriteAllText(Path.Combine(inbox, "b-good.csv"), People.Csv($"{People.A},张三,男,19900501"), new UTF8Encoding(false));
        foreach (var file in Directory.GetFiles(inbox))
        {
            File.SetLastWriteTimeUtc(file, _lake.Clock.GetUtcNow().UtcDateTime.AddMinutes(-5));
        }

        var results = new DropFolders(_lake.Layout, _lake.Store, _lake.Ingestor, _lake.Clock).ProcessAll();

        Assert.Equal(2, results.Count);
        Assert.Single(results, r => r.Failed);
        Assert.Single(results, r => !r.Failed && r.Report!.Status == BatchStatus.Committed);
        Assert.Empty(Directory.GetFiles(inbox));
    }

    [Fact]
    public void FullSnapshot_Should_BeRefused_When_ItWouldEndMoreThanMaxEndedShare_AndCommitOnceTheEntryAllowsIt()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.5"));
        Deliver("1.csv", $"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131", $"{People.C},王五,男,19701212", $"{People.D},赵六,女,20010203");
        var version = ProviderVersion(_lake, Entries.Persons);

        var truncated = Deliver("2.csv", $"{People.A},张三,男,19900501");

        Assert.Equal(BatchStatus.Refused, truncated.Status);
        Assert.Contains("would end 3 of the 4 current records", truncated.Message, StringComparison.Ordinal);
        Assert.Equal(version, ProviderVersion(_lake, Entries.Persons));
        Assert.False(QuarantineExists(_lake, Entries.Persons));

        _lake.Load(Entries.PersonsYaml(threshold: "0.5") + "\nmaxEndedShare: 1");
        var allowed = _lake.Ingestor.Ingest(Path.Combine(_lake.Root, "files", "2.csv"), Entries.Persons);

        Assert.Equal(BatchStatus.Committed, allowed.Status);
        Assert.Equal(3, allowed.Ended);
    }

    [Fact]
    public void FullSnapshot_Should_WriteTheProviderTableInKeyOrder()
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.5"));

        Deliver("1.csv", $"{People.D},赵六,女,20010203", $"{People.A},张三,男,19900501", $"{People.C},王五,男,19701212", $"{People.B},李四,女,19850131");

        var keys = Query($"SELECT id_number FROM read_parquet([{string.Join(", ", DeltaFiles())}])").Select(r => r[0]).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal).ToList(), keys);
    }

    private IEnumerable<string> DeltaFiles()
    {
        var snapshot = GovShare.Lake.Delta.DeltaTable.Open(_lake.Layout.ProviderTable(Entries.Persons)).Snapshot();
        return snapshot.Files.Values.Select(f => GovShare.Lake.Engine.LakeDuckDb.Literal(snapshot.FullPath(f)));
    }

    public void Dispose() => _lake.Dispose();
}
