using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Ingest;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

public sealed class SmokeTests : IDisposable
{
    private readonly TestLake _lake = new();

    private const string Yaml = """
        id: psb.household
        name: { zh: 户籍人口, en: Household registration }
        agency: { code: psb, name: { zh: 市公安局, en: Public Security Bureau } }
        target: population.persons
        key: { column: 公民身份号码, kind: citizen }
        source: { format: csv }
        delivery: { mode: full }
        fields:
          - { source: 公民身份号码, target: id_number, type: string, required: true }
          - { source: 姓名, target: name, required: true }
          - { source: 性别, target: sex, map: { 男: male, 女: female } }
          - { source: 出生日期, target: birth_date, format: [yyyyMMdd] }
        authoritative: [name, sex, birth_date]
        quarantineThreshold: 0.5
        """;

    [Fact]
    public void Ingest_Should_CommitValidRows_And_QuarantineTheRest()
    {
        _lake.Load(Yaml);
        var a = Ids.Citizen("410102", new DateOnly(1990, 5, 1), 11);
        var b = Ids.Citizen("410105", new DateOnly(1985, 1, 31), 22);
        var bad = a[..17] + (a[17] == '0' ? '1' : '0');
        var file = _lake.File("p.csv", $"公民身份号码,姓名,性别,出生日期\n{a},张三,男,19900501\n{b},李四,女,19850131\n{bad},王五,男,19900501\n");
        var report = _lake.Ingestor.Ingest(file, "psb.household");
        Assert.Equal(BatchStatus.Committed, report.Status);
        Assert.Equal(3, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(1, report.Quarantined);
        using var duck = LakeDuckDb.OpenInMemory();
        var q = QuarantineTables.VisibleQuery(_lake.Layout, "psb.household")!;
        Assert.Equal(1L, Convert.ToInt64(LakeDuckDb.Scalar(duck, $"SELECT count(*) FROM ({q})"), System.Globalization.CultureInfo.InvariantCulture));
        var again = _lake.Ingestor.Ingest(file, "psb.household");
        Assert.Equal(BatchStatus.AlreadyCommitted, again.Status);
    }

    public void Dispose() => _lake.Dispose();
}
