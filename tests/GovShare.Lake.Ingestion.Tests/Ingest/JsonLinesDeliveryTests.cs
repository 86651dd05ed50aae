using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>JSON Lines deliveries: one object per line, keys naming the source columns.</summary>
public sealed class JsonLinesDeliveryTests : IDisposable
{
    private readonly TestLake _lake = new();

    [Fact]
    public void Ingest_Should_ReadNumbersNullsAndMissingKeys_When_DeliveryIsJsonLines()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: jsonl }", extraFields: "  - { source: 户籍地, target: household_division }"));
        var text =
            $"{{\"公民身份号码\":\"{People.A}\",\"姓名\":\"张三\",\"性别\":\"男\",\"出生日期\":19900501,\"户籍地\":410102}}\n" +
            $"{{\"公民身份号码\":\"{People.B}\",\"姓名\":\"李四\",\"性别\":null,\"出生日期\":\"1985-01-31\",\"不相干\":[1,2]}}\n" +
            "\n" +
            $"{{\"姓名\":\"王五\",\"公民身份号码\":\"{People.C}\"}}\n";

        var report = _lake.Ingestor.Ingest(_lake.File("p.jsonl", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal("JSON Lines, utf-8", report.ReadAs);
        Assert.Equal(3, report.Read);
        Assert.Equal(3, report.Accepted);
        Assert.Equal(
            [
                [People.A, "张三", "male", "1990-05-01", "410102", "1"],
                [People.B, "李四", null, "1985-01-31", null, "2"],
                [People.C, "王五", null, null, null, "3"],
            ],
            Provider(_lake, Entries.Persons, "id_number, name, sex, CAST(birth_date AS VARCHAR), household_division, CAST(source_row AS VARCHAR)"));
    }

    [Fact]
    public void Ingest_Should_QuarantineTheLine_When_ItIsNotAJsonObject()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: jsonl }", threshold: "0.9"));
        var broken = $"{{\"公民身份号码\":\"{People.C}\",\"姓名\":\"王五\"";
        var text =
            $"{{\"公民身份号码\":\"{People.A}\",\"姓名\":\"张三\",\"性别\":\"男\",\"出生日期\":\"19900501\"}}\n" +
            "\n" +
            broken + "\n" +
            "[1,2]\n" +
            $"{{\"公民身份号码\":\"{People.D}\",\"性别\":\"女\",\"出生日期\":\"2001-02-03\"}}\n";

        var report = _lake.Ingestor.Ingest(_lake.File("p.jsonl", text), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal(4, report.Read);
        Assert.Equal(1, report.Accepted);
        Assert.Equal(3, report.Quarantined);
        var rows = Quarantine(_lake, Entries.Persons);
        Assert.Equal([2L, 3L, 4L], rows.Select(r => r.SourceRow));
        Assert.Equal([3L, 4L, 5L], rows.Select(r => r.SourceLine));
        Assert.Equal([QuarantineReasons.MalformedRow, QuarantineReasons.MalformedRow, QuarantineReasons.MissingRequired], rows.Select(r => r.Reason));
        Assert.Equal(broken, rows[0].Raw);
        Assert.StartsWith("not valid JSON", rows[0].Message, StringComparison.Ordinal);
        Assert.Equal("[1,2]", rows[1].Raw);
        Assert.Equal("the line is a JSON array, not an object", rows[1].Message);
        Assert.Equal($"{{\"公民身份号码\":\"{People.D}\",\"姓名\":null,\"性别\":\"女\",\"出生日期\":\"2001-02-03\"}}", rows[2].Raw);
        Assert.Equal("姓名", rows[2].Field);
        Assert.Equal("姓名 is required but empty", rows[2].Message);
        Assert.Equal(2, report.QuarantineReasons.Count);
        Assert.Equal((QuarantineReasons.MalformedRow, (string?)null, 2L), (report.QuarantineReasons[0].Code, report.QuarantineReasons[0].Field, report.QuarantineReasons[0].Count));
    }

    [Fact]
    public void Ingest_Should_DetectGbk_When_JsonLinesAreGbkEncoded()
    {
        _lake.Load(Entries.PersonsYaml(source: "{ format: jsonl }"));
        var text = $"{{\"公民身份号码\":\"{People.B}\",\"姓名\":\"李四\",\"性别\":\"女\",\"出生日期\":\"19850131\"}}\n";

        var report = _lake.Ingestor.Ingest(_lake.File("p.jsonl", text, GovShare.Lake.Text.TextEncodings.Gb18030), Entries.Persons);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal("JSON Lines, gb18030", report.ReadAs);
        Assert.Equal([[People.B, "李四", "female"]], Provider(_lake, Entries.Persons, "id_number, name, sex"));
    }

    public void Dispose() => _lake.Dispose();
}
