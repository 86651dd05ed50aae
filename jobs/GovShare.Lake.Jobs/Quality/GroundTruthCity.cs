using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>A deliberate disagreement the synthetic city wrote into two providers' deliveries, with its true class
/// (<c>labels/disagreements.csv</c>).</summary>
/// <param name="Key">The key (for a mistyped key: the wrong one the second provider delivered).</param>
/// <param name="Attribute">The base attribute (<c>id_number</c> for a mistyped key).</param>
/// <param name="DatasetA">The first provider's entry.</param>
/// <param name="ValueA">Its value.</param>
/// <param name="DatasetB">The second provider's entry.</param>
/// <param name="ValueB">Its value.</param>
/// <param name="Label">equivalent, minor_variant, material_conflict, missing or mis_keyed.</param>
/// <param name="Variant">How the value was changed (traditional_chars, province_prefix, id_typo, …).</param>
public sealed record LabelledDifference(string Key, string Attribute, string DatasetA, string? ValueA, string DatasetB, string? ValueB, string Label, string Variant);

/// <summary>A synthetic city generated and ingested into a lake of its own, with its ground truth: the labelled data
/// the classifier is trained and evaluated on.</summary>
public sealed class GroundTruthCity
{
    private readonly DuckDbPlatformStore _store;

    private GroundTruthCity(string folder, LakeLayout layout, DuckDbPlatformStore store, IReadOnlyList<LabelledDifference> labels)
    {
        Folder = folder;
        Layout = layout;
        _store = store;
        Labels = labels;
    }

    /// <summary>The folder holding the generated files (<c>city/</c>) and the lake (<c>lake/</c>).</summary>
    public string Folder { get; }

    /// <summary>The lake.</summary>
    public LakeLayout Layout { get; }

    /// <summary>Its platform store.</summary>
    public IPlatformStore Store => _store;

    /// <summary>The deliberate disagreements.</summary>
    public IReadOnlyList<LabelledDifference> Labels { get; }

    /// <summary>Generates a city of <paramref name="persons"/> persons from <paramref name="seed"/> into
    /// <paramref name="folder"/> and ingests every delivery into a new lake there.</summary>
    public static GroundTruthCity Build(string folder, long persons, long seed, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var cityFolder = Path.Combine(folder, "city");
        var layout = new LakeLayout(Path.GetFullPath(Path.Combine(folder, "lake")));
        Directory.CreateDirectory(layout.Root);
        var store = DuckDbPlatformStore.Open(layout.Root);
        log.WriteLine($"Generating a city of {persons:N0} persons (seed {seed}) in {cityFolder} ...");
        var city = SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = cityFolder, Persons = persons, Seed = seed }, null, cancellationToken);
        var ingestor = new DeliveryIngestor(layout, store, IdentifierValidator.Default, TimeProvider.System);
        DemoLake.Ingest(store, ingestor, city, cityFolder, TimeProvider.System, log, cancellationToken);
        return new GroundTruthCity(folder, layout, store, ReadLabels(Path.Combine(cityFolder, "labels", "disagreements.csv")));
    }

    /// <summary>Reads <c>labels/disagreements.csv</c>.</summary>
    public static IReadOnlyList<LabelledDifference> ReadLabels(string path)
    {
        using var connection = LakeDuckDb.OpenInMemory();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT key, attribute, dataset_a, value_a, dataset_b, value_b, label, coalesce(variant, '') FROM read_csv({LakeDuckDb.Literal(path)}, header = true, all_varchar = true, quote = '\"', escape = '\"')";
        using var reader = command.ExecuteReader();
        var labels = new List<LabelledDifference>();
        while (reader.Read())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            labels.Add(new LabelledDifference(reader.GetString(0), reader.GetString(1), reader.GetString(2), Text(3), reader.GetString(4), Text(5), reader.GetString(6), reader.GetString(7)));
        }

        return labels;
    }
}
