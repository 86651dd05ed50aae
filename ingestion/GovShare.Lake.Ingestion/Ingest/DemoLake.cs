using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>Fills an empty lake with a small synthetic city so that a newcomer sees data at once: the city is
/// generated into <c>demo-city/</c> in the lake folder, its catalogue loaded, each delivery ingested.</summary>
public static class DemoLake
{
    /// <summary>The folder, under the lake folder, the demo city's files are written to.</summary>
    public const string FolderName = "demo-city";

    /// <summary>True when the lake has no catalogue entry and no provider table yet.</summary>
    public static bool IsEmpty(LakeLayout layout, IPlatformStore store) =>
        store.ListCatalogue().Count == 0 && !Directory.Exists(Path.Combine(layout.Root, "src"));

    /// <summary>Generates and ingests the demo city, telling <paramref name="log"/> what it does; returns the
    /// batch reports.</summary>
    public static IReadOnlyList<BatchReport> Seed(
        LakeLayout layout, IPlatformStore store, DeliveryIngestor ingestor, long persons, TimeProvider clock, TextWriter log,
        CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(layout.Root, FolderName);
        log.WriteLine($"The lake is empty: generating a demo city of {persons:N0} persons in {folder} ...");
        var city = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = folder, Persons = persons, AsOf = ChinaTime.Today(clock) }, null, cancellationToken);
        var loaded = CatalogueLoader.Load(store, Path.Combine(folder, "catalogue"), clock);
        log.WriteLine($"Loaded {loaded.Count} catalogue entries.");
        var reports = new List<BatchReport>();
        foreach (var dataset in city.Datasets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var report = ingestor.Ingest(Path.Combine(folder, dataset.File), dataset.Id, null, cancellationToken);
            log.WriteLine($"  {dataset.Id,-24} {BatchReport.StatusName(report.Status),-9} read {report.Read,9:N0}  accepted {report.Accepted,9:N0}  " +
                $"quarantined {report.Quarantined,6:N0}  warnings {report.WarningCount,5:N0}");
            reports.Add(report);
        }

        return reports;
    }
}
