using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Parquet deliveries, written by DuckDB as an agency's export would be.</summary>
public sealed class ParquetDeliveryTests : IDisposable
{
    private readonly TestLake _lake = new();

    private string Parquet(string name, string select)
    {
        var path = Path.Combine(_lake.Root, "files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var duck = LakeDuckDb.OpenInMemory();
        LakeDuckDb.Execute(duck, $"COPY ({select}) TO {LakeDuckDb.Literal(path)} (FORMAT parquet)");
        return path;
    }

    [Fact]
    public void Ingest_Should_ReadDateAndVarcharColumns_When_DeliveryIsParquet()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: parquet }", extraFields: "  - { source: 户籍地, target: household_division }"));
        var bad = People.WithBadCheckCharacter(People.C);
        var file = Parquet("p.parquet", $"""
            SELECT * FROM (VALUES
              ('{People.A}', '张三', '男', DATE '1990-05-01', 410102),
              ('{People.B}', '李四', '女', DATE '1985-01-31', NULL),
              ('{bad}', '王五', '男', DATE '1970-12-12', 410103),
              ('{People.D}', NULL, '女', DATE '2001-02-03', 410105))
            v("公民身份号码", "姓名", "性别", "出生日期", "户籍地")
            """);

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal("Parquet", report.ReadAs);
        Assert.Equal(4, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(2, report.Quarantined);
        Assert.Equal(
            [[People.A, "张三", "male", "1990-05-01", "410102", "1"], [People.B, "李四", "female", "1985-01-31", null, "2"]],
            Provider(_lake, Entries.Persons, "id_number, name, sex, CAST(birth_date AS VARCHAR), household_division, CAST(source_row AS VARCHAR)"));
        var rows = Quarantine(_lake, Entries.Persons);
        Assert.Equal([3L, 4L], rows.Select(r => r.SourceRow));
        Assert.Equal([3L, 4L], rows.Select(r => r.SourceLine));
        Assert.Equal([QuarantineReasons.InvalidIdentifier, QuarantineReasons.MissingRequired], rows.Select(r => r.Reason));
        Assert.Equal($"{{\"公民身份号码\":\"{People.D}\",\"姓名\":null,\"性别\":\"女\",\"出生日期\":\"2001-02-03\",\"户籍地\":\"410105\"}}", rows[1].Raw);
    }

    [Fact]
    public void Ingest_Should_Fail_When_ParquetLacksARequiredColumn()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: parquet }"));
        var file = Parquet("p.parquet", $"SELECT '{People.A}' AS 公民身份号码, '男' AS 性别, DATE '1990-05-01' AS 出生日期");

        var report = _lake.Ingestor.Ingest(file, Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("p.parquet", report.Message, StringComparison.Ordinal);
        Assert.Contains("姓名", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    [Fact]
    public void Ingest_Should_Fail_When_FileIsNotParquet()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: parquet }"));

        var report = _lake.Ingestor.Ingest(_lake.File("p.parquet", People.Csv($"{People.A},张三,男,19900501")), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("p.parquet is not a readable Parquet file", report.Message, StringComparison.Ordinal);
        AssertNothingCommitted(_lake, report);
    }

    public void Dispose() => _lake.Dispose();
}
