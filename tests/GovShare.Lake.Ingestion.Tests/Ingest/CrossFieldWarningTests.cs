using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Cross-field disagreements are warnings in the report; the rows are accepted as delivered.</summary>
public sealed class CrossFieldWarningTests : IDisposable
{
    private readonly TestLake _lake = new();

    [Fact]
    public void Ingest_Should_WarnAndAccept_When_BirthDateOrSexDiffersFromTheIdNumber()
    {
        _lake.Load(Entries.PersonsYaml());
        var text = People.Csv($"{People.A},张三,男,19900502", $"{People.B},李四,男,19850131", $"{People.C},王五,男,19701212");

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((3L, 3L, 0L), (report.Read, report.Accepted, report.Quarantined));
        Assert.Equal(2, report.WarningCount);
        var warnings = report.Warnings.ToDictionary(w => w.Code);
        Assert.Equal(("出生日期", 1L), (warnings[IngestionWarnings.BirthDateDiffersFromId].Field, warnings[IngestionWarnings.BirthDateDiffersFromId].Count));
        Assert.Equal(("性别", 1L), (warnings[IngestionWarnings.SexDiffersFromId].Field, warnings[IngestionWarnings.SexDiffersFromId].Count));
        Assert.Equal(["row 1: 出生日期 1990-05-02 differs from the birth date in the ID number (1990-05-01)"], warnings[IngestionWarnings.BirthDateDiffersFromId].Examples);
        Assert.Equal(["row 2: 性别 says male, the ID number's sequence digit says female"], warnings[IngestionWarnings.SexDiffersFromId].Examples);
        Assert.Equal([[People.A, "1990-05-02", "male"], [People.B, "1985-01-31", "male"], [People.C, "1970-12-12", "male"]],
            Provider(_lake, Entries.Persons, "id_number, CAST(birth_date AS VARCHAR), sex"));
        Assert.Equal(2, _lake.Store.FindBatch(report.BatchId)!.Warnings);
        Assert.Empty(Quarantine(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_WarnAndAccept_When_TheCreditCodesDivisionDiffersFromTheRegisteredDivision()
    {
        _lake.Load(Entries.EntitiesYaml());
        var jinshui = Credit.Uscc("410105", "12345678");
        var zhongyuan = Credit.Uscc("410102", "23456789");
        var text = "统一社会信用代码,名称,注册资本,住所行政区划代码\n" +
            $"{jinshui},郑州甲公司,100,410102\n" +
            $"{zhongyuan},郑州乙公司,200,410102\n";

        var report = _lake.Ingestor.Ingest(_lake.File("e.csv", text), Entries.Entities);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((2L, 2L, 0L), (report.Read, report.Accepted, report.Quarantined));
        var warning = Assert.Single(report.Warnings);
        Assert.Equal(IngestionWarnings.UsccDivisionDiffers, warning.Code);
        Assert.Equal("住所行政区划代码", warning.Field);
        Assert.Equal(1, warning.Count);
        Assert.Equal(["row 1: the credit code's registration division 410105 differs from 住所行政区划代码 410102"], warning.Examples);
        Assert.Equal([[jinshui, "410102"], [zhongyuan, "410102"]], Provider(_lake, Entries.Entities, "uscc, registered_division"));
    }

    [Fact]
    public void Ingest_Should_NotWarn_When_DeclaredColumnsAgreeWithTheIdNumber()
    {
        _lake.Load(Entries.PersonsYaml());

        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", People.Csv($"{People.A},张三,男,1990-05-01", $"{People.B},李四,女,1985/1/31")), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Empty(report.Warnings);
        Assert.Equal(0, report.WarningCount);
    }

    public void Dispose() => _lake.Dispose();
}
