using System.Globalization;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Sample;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Sample;

/// <summary>The generated city through the real ingestion: each delivery is committed, the quarantine holds
/// exactly the rows labels/invalid-rows.csv lists, and the report warns exactly about labels/warnings.csv.</summary>
public sealed class SampleIngestionTests : IDisposable
{
    private readonly TestLake _lake = new();

    [Fact]
    public void Ingest_Should_QuarantineAndWarnExactlyAsTheLabelsSay()
    {
        var folder = Path.Combine(_lake.Root, "city");
        var city = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = folder, Persons = 6_000 });
        CatalogueLoader.Load(_lake.Store, Path.Combine(folder, "catalogue"), _lake.Clock);
        var invalid = File.ReadLines(Path.Combine(folder, "labels", "invalid-rows.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var warnings = File.ReadLines(Path.Combine(folder, "labels", "warnings.csv")).Skip(1).Select(l => l.Split(',')).ToList();

        foreach (var dataset in city.Datasets)
        {
            var report = _lake.Ingestor.Ingest(Path.Combine(folder, dataset.File), dataset.Id);

            Assert.True(report.Status == BatchStatus.Committed, $"{dataset.Id}: {report.Status} {report.Message}");
            Assert.Equal(dataset.Rows, report.Read);
            Assert.Equal(dataset.InvalidRows, report.Quarantined);
            var expected = invalid.Where(r => r[0] == dataset.Id).Select(r => $"{r[2]} {r[3]} {r[4]}").Order(StringComparer.Ordinal);
            var quarantined = Quarantine(_lake, dataset.Id).Select(q => $"{q.SourceRow.ToString(CultureInfo.InvariantCulture)} {q.Field} {q.Reason}").Order(StringComparer.Ordinal);
            Assert.Equal(expected, quarantined);
            var expectedWarnings = warnings.Where(w => w[0] == dataset.Id).GroupBy(w => w[3]).ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.Equal(expectedWarnings.OrderBy(w => w.Key, StringComparer.Ordinal),
                report.Warnings.ToDictionary(w => w.Code, w => w.Count).OrderBy(w => w.Key, StringComparer.Ordinal));
        }
    }

    public void Dispose() => _lake.Dispose();
}
