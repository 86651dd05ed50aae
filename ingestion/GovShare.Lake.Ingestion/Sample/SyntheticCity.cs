using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>What to generate. Sizes left null follow the persons count (the proportions of a real city:
/// 3 entities and 5 licences for every 13 persons).</summary>
public sealed class SyntheticCityOptions
{
    /// <summary>The folder the city is written to (created when missing; files of an earlier run are overwritten).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Number of persons (default 50 000). At most what the city's unique identity numbers allow (about 190 million).</summary>
    public long Persons { get; init; } = 50_000;

    /// <summary>Number of market entities (default persons × 3 / 13, at least 1; at most 10 million).</summary>
    public long? Entities { get; init; }

    /// <summary>Number of licences, split 60 / 25 / 15 % among business licences, practising certificates
    /// and construction qualifications (default persons × 5 / 13).</summary>
    public long? Licences { get; init; }

    /// <summary>Number of places (default persons × 2 / 13).</summary>
    public long? Places { get; init; }

    /// <summary>The seed: the same seed and sizes give byte-identical files (default 20261122).</summary>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>The day the city is "as of": births, deaths and registrations are before it. Default: the seed
    /// read as yyyyMMdd when it is such a date, otherwise a day of 2026 picked by the seed.</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>How many files are written at once (default: the number of processors).</summary>
    public int? MaxParallelism { get; init; }

    /// <summary>The default seed.</summary>
    public const long DefaultSeed = 20261122;

    internal long EntityCount => Entities ?? Math.Max(1, Persons * 3 / 13);

    internal long LicenceCount => Licences ?? Persons * 5 / 13;

    internal long PlaceCount => Places ?? Persons * 2 / 13;

    internal DateOnly ReferenceDate => AsOf ?? DateFromSeed(Seed);

    internal static DateOnly DateFromSeed(long seed) =>
        seed is >= 20000101 and <= 20991231
            && DateOnly.TryParseExact(seed.ToString(CultureInfo.InvariantCulture), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : new DateOnly(2026, 1, 1).AddDays((int)((ulong)seed % 365));

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "the output folder is required.");
        }

        if (Persons < 1 || EntityCount < 1 || EntityCount > EntitySpace.MaxCount || LicenceCount < 0 || PlaceCount < 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"sizes out of range: persons {Persons:N0} (at least 1), entities {EntityCount:N0} (1 to {EntitySpace.MaxCount:N0}), licences {LicenceCount:N0} and places {PlaceCount:N0} (not negative).");
        }
    }
}

/// <summary>Progress of one dataset's file: items walked through (persons, entities or licences) out of all.</summary>
/// <param name="Dataset">The dataset id.</param>
/// <param name="Done">Items done.</param>
/// <param name="Total">Items in all.</param>
public readonly record struct SyntheticCityProgress(string Dataset, long Done, long Total);

/// <summary>One delivery file written.</summary>
/// <param name="Id">Dataset id (the catalogue entry's id).</param>
/// <param name="Agency">Providing agency code.</param>
/// <param name="File">Path relative to the output folder, '/'-separated.</param>
/// <param name="Format">csv, jsonl, parquet or xlsx.</param>
/// <param name="Encoding">utf-8, utf-8-bom or gbk for text files; null for Parquet and xlsx.</param>
/// <param name="Rows">Data rows written (header excluded; copies of duplicated keys included).</param>
/// <param name="InvalidRows">Rows listed for this file in labels/invalid-rows.csv.</param>
public sealed record SyntheticDataset(string Id, string Agency, string File, string Format, string? Encoding, long Rows, long InvalidRows);

/// <summary>What was generated.</summary>
/// <param name="OutputDirectory">The folder, as a full path.</param>
/// <param name="GeneratedAt">The city's fixed "generated at" instant (derived from the seed, not the clock).</param>
/// <param name="Datasets">The delivery files, in catalogue order.</param>
public sealed record SyntheticCityResult(string OutputDirectory, DateTimeOffset GeneratedAt, IReadOnlyList<SyntheticDataset> Datasets);

/// <summary>Generates a deterministic synthetic city (Zhengzhou-like): the deliveries of ten agency datasets,
/// their catalogue entries, and the ground truth of what is deliberately wrong or inconsistent in them. Every
/// person, entity and licence is derived from (seed, index) alone and written as it is derived, so memory
/// stays flat however large the city (13 million persons work).</summary>
/// <remarks>Layout under the output folder: <c>catalogue/&lt;id&gt;.yaml</c>,
/// <c>deliveries/&lt;agency&gt;/&lt;id&gt;/&lt;file&gt;</c>, <c>labels/disagreements.csv</c>,
/// <c>labels/invalid-rows.csv</c>, <c>labels/warnings.csv</c> and <c>manifest.json</c>.</remarks>
public static class SyntheticCity
{
    private const string DisagreementsHeader = "key_kind,key,attribute,dataset_a,value_a,dataset_b,value_b,label,variant";
    private const string InvalidRowsHeader = "dataset,file,source_row,field,reason";
    private const string WarningsHeader = "dataset,file,source_row,warning";

    /// <summary>Writes the city. Same options, same bytes.</summary>
    /// <exception cref="LakeException">The options are out of range (<see cref="LakeErrorKind.InvalidInput"/>).</exception>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the folder is left incomplete.</exception>
    public static SyntheticCityResult Generate(SyntheticCityOptions options, IProgress<SyntheticCityProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var root = Path.GetFullPath(options.OutputDirectory);
        var city = new SampleCity(options.Seed, options.ReferenceDate, options.Persons, options.EntityCount, options.LicenceCount, options.PlaceCount);
        SampleDataset[] datasets =
        [
            new HouseholdDataset(city), new MarriageDataset(city), new InsuredDataset(city), new VitalDataset(city),
            new EntityRegisterDataset(city), new TaxpayerDataset(city), new PlaceDataset(city),
            new BusinessLicenceDataset(city), new PractisingCertificateDataset(city), new QualificationDataset(city),
        ];

        Directory.CreateDirectory(root);
        var catalogue = Directory.CreateDirectory(Path.Combine(root, "catalogue")).FullName;
        var labels = Directory.CreateDirectory(Path.Combine(root, "labels")).FullName;
        var parts = Directory.CreateDirectory(Path.Combine(root, ".parts")).FullName;
        try
        {
            foreach (var dataset in datasets)
            {
                File.WriteAllText(Path.Combine(catalogue, dataset.Id + ".yaml"), dataset.CatalogueYaml.ReplaceLineEndings("\n"), new UTF8Encoding(false));
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, dataset.RelativePath))!);
            }

            var counts = new (long Rows, long Invalid)[datasets.Length];
            // The largest files first, so that parallel writers finish at about the same time.
            var order = Enumerable.Range(0, datasets.Length).OrderByDescending(i => datasets[i].Units * Cost(datasets[i])).ToArray();
            var parallel = new ParallelOptions
            {
                MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism ?? Environment.ProcessorCount),
                CancellationToken = cancellationToken,
            };
            try
            {
                Parallel.ForEach(order, parallel, i =>
                {
                    var dataset = datasets[i];
                    using var run = new DatasetRun(dataset, parts, i,
                        done => progress?.Report(new SyntheticCityProgress(dataset.Id, done, dataset.Units)), cancellationToken);
                    SampleFileWriter.Write(run, Path.Combine(root, dataset.RelativePath));
                    run.Finish();
                    counts[i] = (run.Rows, run.InvalidRows);
                });
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
            {
                // Callers map IOException, LakeException and cancellation to messages: hand them the first cause.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
                throw;
            }

            Concatenate(parts, datasets.Length, "disagreements", DisagreementsHeader, Path.Combine(labels, "disagreements.csv"));
            Concatenate(parts, datasets.Length, "invalid-rows", InvalidRowsHeader, Path.Combine(labels, "invalid-rows.csv"));
            Concatenate(parts, datasets.Length, "warnings", WarningsHeader, Path.Combine(labels, "warnings.csv"));

            var generatedAt = new DateTimeOffset(city.AsOf.ToDateTime(new TimeOnly(9, 0)), ChinaTime.Offset);
            var files = datasets.Select((d, i) => new SyntheticDataset(d.Id, d.Agency, d.RelativePath, d.FormatName, d.EncodingName, counts[i].Rows, counts[i].Invalid)).ToArray();
            WriteManifest(Path.Combine(root, "manifest.json"), options, city, generatedAt, files);
            return new SyntheticCityResult(root, generatedAt, files);
        }
        finally
        {
            if (Directory.Exists(parts))
            {
                Directory.Delete(parts, recursive: true);
            }
        }
    }

    /// <summary>Rough relative cost of one item of a dataset, for scheduling only.</summary>
    private static int Cost(SampleDataset dataset) => dataset switch
    {
        HouseholdDataset => 4,
        InsuredDataset => 4,
        EntityRegisterDataset or TaxpayerDataset => 3,
        _ => 2,
    };

    private static void Concatenate(string parts, int count, string kind, string header, string target)
    {
        using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        output.Write(Encoding.UTF8.GetBytes(header + "\n"));
        for (var i = 0; i < count; i++)
        {
            using var part = File.OpenRead(DatasetRun.PartPath(parts, i, kind));
            part.CopyTo(output);
        }
    }

    private static void WriteManifest(string path, SyntheticCityOptions options, SampleCity city, DateTimeOffset generatedAt, IReadOnlyList<SyntheticDataset> files)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("seed", options.Seed);
        json.WriteNumber("persons", city.Persons.Count);
        json.WriteNumber("entities", city.Entities.Count);
        json.WriteNumber("licences", city.LicenceCount);
        json.WriteNumber("places", city.PlaceCount);
        json.WriteString("asOf", SampleCity.Iso(city.AsOf));
        json.WriteString("generatedAt", generatedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        json.WriteStartArray("datasets");
        foreach (var file in files)
        {
            json.WriteStartObject();
            json.WriteString("id", file.Id);
            json.WriteString("agency", file.Agency);
            json.WriteString("file", file.File);
            json.WriteString("format", file.Format);
            if (file.Encoding is null)
            {
                json.WriteNull("encoding");
            }
            else
            {
                json.WriteString("encoding", file.Encoding);
            }

            json.WriteNumber("rows", file.Rows);
            json.WriteNumber("invalidRows", file.InvalidRows);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("labels");
        json.WriteString("disagreements", "labels/disagreements.csv");
        json.WriteString("invalidRows", "labels/invalid-rows.csv");
        json.WriteString("warnings", "labels/warnings.csv");
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}
