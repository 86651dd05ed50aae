using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Excel deliveries: workbooks written part by part, as Excel stores them.</summary>
public sealed class XlsxDeliveryTests : IDisposable
{
    private readonly TestLake _lake = new();

    private static readonly object?[] HeaderRow = ["公民身份号码", "姓名", "性别", "出生日期", "户籍地"];

    [Fact]
    public void Ingest_Should_ReadSharedInlineNumericAndDateCells_When_DeliveryIsXlsx()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: xlsx }", extraFields: "  - { source: 户籍地, target: household_division }"));
        var bad = People.WithBadCheckCharacter(People.C);
        var file = Xlsx.Write(_lake, "p.xlsx", ("人员",
        [
            HeaderRow,
            [People.A, new InlineText("张三"), "男", new DateOnly(1990, 5, 1), 410102],
            null,
            [People.B, "李四", new InlineText("女"), "19850131", 410105],
            [bad, "王五", "男", new DateOnly(1970, 12, 12), 410103],
        ]));

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal("Excel workbook, sheet '人员', header in row 1", report.ReadAs);
        Assert.Equal(3, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(
            [[People.A, "张三", "male", "1990-05-01", "410102", "1"], [People.B, "李四", "female", "1985-01-31", "410105", "2"]],
            Provider(_lake, Entries.Persons, "id_number, name, sex, CAST(birth_date AS VARCHAR), household_division, CAST(source_row AS VARCHAR)"));
        var rejected = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(3, rejected.SourceRow);
        Assert.Equal(5, rejected.SourceLine); // the sheet row
        Assert.Equal(QuarantineReasons.InvalidIdentifier, rejected.Reason);
        Assert.Equal($"{{\"公民身份号码\":\"{bad}\",\"姓名\":\"王五\",\"性别\":\"男\",\"出生日期\":\"1970-12-12\",\"户籍地\":\"410103\"}}", rejected.Raw);
    }

    [Fact]
    public void Ingest_Should_ReadTheNamedSheet_When_SheetIsDeclared()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: xlsx, sheet: 数据 }"));
        var file = Xlsx.Write(_lake, "p.xlsx",
            ("说明", [["本表为户籍人口数据"], ["数据见第二页"]]),
            ("数据", [HeaderRow[..4], [People.A, "张三", "男", new DateOnly(1990, 5, 1)], [People.B, "李四", "女", new DateOnly(1985, 1, 31)]]));

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal("Excel workbook, sheet '数据', header in row 1", report.ReadAs);
        Assert.Equal(2, report.Accepted);
        Assert.Equal([[People.A, "1990-05-01"], [People.B, "1985-01-31"]], Provider(_lake, Entries.Persons, "id_number, CAST(birth_date AS VARCHAR)"));
    }

    [Fact]
    public void Ingest_Should_Fail_When_TheDeclaredSheetIsMissing()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: xlsx, sheet: 数据 }"));
        var file = Xlsx.Write(_lake, "p.xlsx", ("Sheet1", [HeaderRow[..4], [People.A, "张三", "男", new DateOnly(1990, 5, 1)]]));

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Equal("p.xlsx has no sheet '数据' (its sheets: Sheet1).", report.Message);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_Fail_When_FileIsNotAZip()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: xlsx }"));

        var report = _lake.Ingestor.Ingest(_lake.File("p.xlsx", People.Csv($"{People.A},张三,男,19900501")), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.StartsWith("p.xlsx is not an .xlsx workbook", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    public void Dispose() => _lake.Dispose();
}
