using System.Text;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Cli.Tests;

/// <summary>`govshare catalogue …`, `ingest` and `inbox process` in-process on a lake of their own.</summary>
public sealed class IngestCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "govshare-cli-ingest-" + Guid.NewGuid().ToString("N"));

    private string Lake => Path.Combine(_root, "lake");

    private string CatalogueFolder => Path.Combine(_root, "catalogue");

    public IngestCommandTests()
    {
        Directory.CreateDirectory(CatalogueFolder);
        File.WriteAllText(Path.Combine(CatalogueFolder, "psb.household.yaml"), """
            id: psb.household
            name: { zh: 户籍人口, en: Household registration }
            agency: { code: psb, name: { zh: 市公安局, en: Public Security Bureau } }
            target: population.persons
            key: { column: 公民身份号码, kind: citizen }
            source: { format: csv }
            fields:
              - { source: 公民身份号码, target: id_number, required: true }
              - { source: 姓名, target: name, required: true }
              - { source: 性别, target: sex, map: { 男: male, 女: female } }
            quarantineThreshold: 0.4
            """);
    }

    [Fact]
    public async Task CatalogueValidate_Should_PrintFileLineAndColumn_AndExit1_When_AnEntryIsWrong()
    {
        var bad = Path.Combine(_root, "bad");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "x.yaml"), "id: x\nname: { zh: 甲, en: X }\nagency: { code: psb, name: { zh: 甲, en: X } }\n" +
            "target: population.persons\nkey: { column: id, kind: citizen }\nfields:\n  - { source: id, target: id_numbr, requried: true }\n");

        var result = await CliRunner.RunInProcessAsync(["catalogue", "validate", bad]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("x.yaml:7:", result.Out, StringComparison.Ordinal);
        Assert.Contains("did you mean 'id_number'", result.Out, StringComparison.Ordinal);
        Assert.Contains("did you mean 'required'", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scorecard_Should_CountTheSameFileAgainAsADeliveryWithoutRows()
    {
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["catalogue", "load", CatalogueFolder, "--lake", Lake])).ExitCode);
        var file = Delivery("p.csv", 3, broken: 1);
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["ingest", file, "--dataset", "psb.household", "--lake", Lake])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["ingest", file, "--dataset", "psb.household", "--lake", Lake])).ExitCode);
        var year = ChinaTime.ToChina(DateTimeOffset.UtcNow).Year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var report = Path.Combine(_root, "report.html");

        var csv = await CliRunner.RunInProcessAsync(["scorecard", "--period", year, "--format", "csv", "--table", "datasets", "--lake", Lake]);
        var html = await CliRunner.RunInProcessAsync(["scorecard", "--period", year, "--format", "html", "--english", "--out", report, "--lake", Lake]);
        var bad = await CliRunner.RunInProcessAsync(["scorecard", "--period", "2026-Q5", "--lake", Lake]);

        Assert.True(csv.ExitCode == 0, csv.Error);
        var lines = csv.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var row = lines.Single(l => l.Contains(",psb.household,", StringComparison.Ordinal)).Split(',');
        string Column(string name) => row[Array.IndexOf(header, name)];
        Assert.Equal(("2", "1", "1", "3", "1"), (Column("deliveries"), Column("committed"), Column("unchanged"), Column("rows_provided"), Column("rows_quarantined")));
        Assert.Equal(0, html.ExitCode);
        Assert.Contains("Providing agencies", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("is not a year (2026), a quarter (2026-Q3) or a month", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_Should_PrintTheReport_AndExit0_Then_Exit0AgainWithAlreadyCommitted()
    {
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["catalogue", "load", CatalogueFolder, "--lake", Lake])).ExitCode);
        var file = Delivery("p.csv", 3, broken: 1);

        var first = await CliRunner.RunInProcessAsync(["ingest", file, "--dataset", "psb.household", "--lake", Lake]);
        var second = await CliRunner.RunInProcessAsync(["ingest", file, "--dataset", "psb.household", "--lake", Lake]);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("status     committed", first.Out, StringComparison.Ordinal);
        Assert.Contains("read 4 = accepted 3 + quarantined 1", first.Out, StringComparison.Ordinal);
        Assert.Contains("invalid_identifier", first.Out, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("already_committed", second.Out, StringComparison.Ordinal);
        var list = await CliRunner.RunInProcessAsync(["catalogue", "list", "--lake", Lake]);
        Assert.Contains("psb.household\tpsb\tpopulation.persons", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_Should_Exit1_When_TheDeliveryIsRefused()
    {
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["catalogue", "load", CatalogueFolder, "--lake", Lake])).ExitCode);
        var file = Delivery("p.csv", 1, broken: 2);

        var result = await CliRunner.RunInProcessAsync(["ingest", file, "--dataset", "psb.household", "--lake", Lake]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("status     refused", result.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Lake, "src", "psb.household")));
    }

    [Fact]
    public async Task InboxProcess_Should_ArchiveGoodFiles_AndFailFilesOfTheWrongAgency_WithReportsBeside()
    {
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["catalogue", "load", CatalogueFolder, "--lake", Lake])).ExitCode);
        var good = Path.Combine(Lake, "inbox", "psb", "psb.household");
        var wrong = Path.Combine(Lake, "inbox", "tax", "psb.household");
        Directory.CreateDirectory(good);
        Directory.CreateDirectory(wrong);
        File.Copy(Delivery("a.csv", 2, broken: 0), Path.Combine(good, "a.csv"));
        File.Copy(Delivery("b.csv", 2, broken: 0), Path.Combine(wrong, "b.csv"));
        File.SetLastWriteTimeUtc(Path.Combine(good, "a.csv"), DateTime.UtcNow.AddMinutes(-1));
        File.SetLastWriteTimeUtc(Path.Combine(wrong, "b.csv"), DateTime.UtcNow.AddMinutes(-1));

        var result = await CliRunner.RunInProcessAsync(["inbox", "process", "--lake", Lake]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(Directory.GetFiles(good));
        var archived = Assert.Single(Directory.GetFiles(Path.Combine(Lake, "archive", "psb", "psb.household"), "*.csv"));
        Assert.True(File.Exists(archived + ".report.txt"));
        var failed = Assert.Single(Directory.GetFiles(Path.Combine(Lake, "failed", "tax", "psb.household"), "*.csv"));
        Assert.Contains("provided by psb, not tax", File.ReadAllText(failed + ".report.txt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleGenerate_Then_LoadAndIngest_Should_CommitEveryDemoDelivery()
    {
        var city = Path.Combine(_root, "city");

        var generated = await CliRunner.RunInProcessAsync(["sample", "generate", "--out", city, "--persons", "400"]);
        Assert.Equal(0, generated.ExitCode);
        Assert.Equal(0, (await CliRunner.RunInProcessAsync(["catalogue", "load", Path.Combine(city, "catalogue"), "--lake", Lake])).ExitCode);
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(city, "manifest.json")));
        foreach (var dataset in manifest.RootElement.GetProperty("datasets").EnumerateArray())
        {
            var file = Path.Combine(city, dataset.GetProperty("file").GetString()!);
            var result = await CliRunner.RunInProcessAsync(["ingest", file, "--dataset", dataset.GetProperty("id").GetString()!, "--lake", Lake]);

            Assert.True(result.ExitCode == 0, result.Out + result.Error);
            Assert.Contains("status     committed", result.Out, StringComparison.Ordinal);
        }
    }

    private string Delivery(string name, int valid, int broken)
    {
        var text = new StringBuilder("公民身份号码,姓名,性别\n");
        for (var i = 0; i < valid + broken; i++)
        {
            var body = $"410105{new DateOnly(1990, 1, 1).AddDays(i):yyyyMMdd}{i % 1000:D3}";
            var id = body + CitizenIdNumber.ComputeCheckCharacter(body);
            if (i >= valid)
            {
                id = body + (id[17] == '0' ? '1' : '0');
            }

            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{id},人{i},{(i % 2 == 0 ? "女" : "男")}\n");
        }

        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
