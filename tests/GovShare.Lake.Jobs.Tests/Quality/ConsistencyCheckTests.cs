using System.Text.RegularExpressions;
using GovShare.Lake.Consistency;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Quality;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Tests.Quality;

/// <summary>Two synthetic cities: the classifier trained on one, the other (its lake, its ground truth) checked. Built once
/// for the tests of this class, deleted afterwards.</summary>
public sealed class TrainedCities : IDisposable
{
    public TrainedCities()
    {
        Work = Path.Combine(Path.GetTempPath(), $"govshare-consistency-{Guid.NewGuid():N}");
        Outcome = ModelTraining.Run(new TrainingOptions { Persons = 8_000, TrainSeed = 20250630, TestSeed = 20261122, WorkFolder = Work }, DivisionRegistry.Embedded, TextWriter.Null);
        Layout = new LakeLayout(Path.Combine(Work, "test", "lake"));
        Store = DuckDbPlatformStore.Open(Layout.Root);
        Labels = GroundTruthCity.ReadLabels(Path.Combine(Work, "test", "city", "labels", "disagreements.csv"));
    }

    public string Work { get; }

    public TrainingOutcome Outcome { get; }

    public LakeLayout Layout { get; }

    public DuckDbPlatformStore Store { get; }

    public IReadOnlyList<LabelledDifference> Labels { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
            // A DuckDB file still mapped on a slow runner: the temp folder is cleaned by the system.
        }
    }
}

/// <summary>The difference classifier against the naive exact compare on a city it never saw, and the consistency check
/// over a real lake: every difference classified and kept, material conflicts raised with the doubted value on the side
/// that is not the authority, and a second run comparing only the keys the change feed says changed.</summary>
public sealed class ConsistencyCheckTests(TrainedCities cities) : IClassFixture<TrainedCities>
{
    [Fact]
    public void Classifier_Should_FindMaterialConflicts_Where_TheNaiveCompareBuriesThem()
    {
        var model = cities.Outcome.Model.ToDictionary(m => m.Class);
        var naive = cities.Outcome.Naive.ToDictionary(m => m.Class);

        // Every kind of difference is in the held-out city.
        foreach (var @class in new[] { DifferenceClass.Equivalent, DifferenceClass.MinorVariant, DifferenceClass.MaterialConflict, DifferenceClass.Missing })
        {
            Assert.True(model[@class].Support > 0, @class);
        }

        Assert.True(model[DifferenceClass.MaterialConflict].F1 >= 0.95, $"material-conflict F1 {model[DifferenceClass.MaterialConflict].F1:F3}");
        Assert.True(model[DifferenceClass.Equivalent].F1 >= 0.95, $"equivalent F1 {model[DifferenceClass.Equivalent].F1:F3}");

        // The naive compare calls every difference a conflict: full recall, precision no better than the conflicts' share.
        Assert.Equal(1.0, naive[DifferenceClass.MaterialConflict].Recall);
        Assert.True(naive[DifferenceClass.MaterialConflict].Precision < 0.5);
        Assert.Equal(0, naive[DifferenceClass.Equivalent].Correct);
        Assert.True(cities.Outcome.Unlabelled.HeldOut == 0, $"{cities.Outcome.Unlabelled.HeldOut} differences the held-out ground truth does not explain");
    }

    [Fact]
    public void Check_Should_KeepEveryDifference_RaiseTheMaterialConflicts_AndCompareOnlyChangedKeysNextTime()
    {
        var check = new ConsistencyCheck(cities.Layout, cities.Store, DivisionRegistry.Embedded);
        var flags = new List<Flag>();
        var first = check.Run(cities.Outcome.Classifier, "test-model", f => { flags.Add(f); return true; }, DateTimeOffset.UtcNow, new CheckOptions { Full = true });

        Assert.False(first.Incremental);
        Assert.True(first.KeysCompared > 10_000);
        var truth = new GroundTruth(cities.Labels);
        var conflicts = cities.Labels.Count(l => l.Label == DifferenceClass.MaterialConflict);
        Assert.Equal(flags.Count, first.Raised);

        // Mistyped keys: each one found is a labelled one, linked to the right key.
        var misKeyed = flags.Where(f => f.Classified.Class == DifferenceClass.MisKeyed).ToList();
        var typos = cities.Labels.Where(l => l.Label == DifferenceClass.MisKeyed).ToDictionary(l => l.Key, l => l.ValueA);
        Assert.NotEmpty(misKeyed);
        Assert.All(misKeyed, f => Assert.Equal(typos[f.Classified.Pair.Key], f.SuggestedKey));
        Assert.True(misKeyed.Count >= 0.8 * typos.Count, $"{misKeyed.Count} of {typos.Count} mistyped keys found");
        flags = [.. flags.Where(f => f.Classified.Class == DifferenceClass.MaterialConflict)];

        // Precision and recall of what is raised, against the labels (each conflict is seen from every provider pair
        // holding the key, so count distinct key + attribute).
        var raisedRight = flags.Count(f => truth.Label(f.Classified.Pair) == DifferenceClass.MaterialConflict);
        Assert.True(raisedRight >= 0.95 * flags.Count, $"{raisedRight} of {flags.Count} raised flags are real conflicts");
        var found = flags.Select(f => (f.Classified.Pair.Key, f.Classified.Pair.Attribute)).ToHashSet();
        var labelled = cities.Labels.Where(l => l.Label == DifferenceClass.MaterialConflict).Select(l => (l.Key, l.Attribute)).ToHashSet();
        Assert.True(labelled.Count(found.Contains) >= 0.95 * labelled.Count, $"{labelled.Count(found.Contains)} of {labelled.Count} labelled conflicts raised ({conflicts} labels)");

        // The household register is the authority for birth dates: the insured-persons file's value is the doubted one.
        var birth = flags.First(f => f.Classified.Pair.Attribute == "birth_date" && (f.Classified.Pair.DatasetA == "psb.household" || f.Classified.Pair.DatasetB == "psb.household"));
        Assert.Equal("psb.household", birth.ReferenceEntry);
        Assert.NotEqual("psb.household", birth.EntryId);
        Assert.NotEmpty(birth.Reasons);
        Assert.Contains("实质冲突", birth.ExplanationZh, StringComparison.Ordinal);
        Assert.Contains("material conflict", birth.ExplanationEn, StringComparison.Ordinal);

        // Every classified difference is in the lake table, readable by DuckDB.
        var rows = DifferenceRows(check);
        Assert.Equal(first.ByClass.Values.Sum(), rows.Count);
        Assert.Equal(first.ByClass[DifferenceClass.MaterialConflict], rows.Count(r => r.Class == DifferenceClass.MaterialConflict));

        // Nothing changed: nothing compared.
        var idle = check.Run(cities.Outcome.Classifier, "test-model", _ => true, DateTimeOffset.UtcNow);
        Assert.Equal(0, idle.KeysCompared);
        Assert.Equal(rows.Count, DifferenceRows(check).Count);

        // The insured-persons file delivered again with one person's birth date changed: only that key is compared again.
        var (file, key) = ChangeOneBirthDate();
        var ingestor = new DeliveryIngestor(cities.Layout, cities.Store, IdentifierValidator.Default, TimeProvider.System);
        var report = ingestor.Ingest(file, "hrss.insured", null);
        Assert.Equal(BatchStatus.Committed, report.Status);
        var flagged = new List<Flag>();
        var second = check.Run(cities.Outcome.Classifier, "test-model", f => { flagged.Add(f); return true; }, DateTimeOffset.UtcNow);
        Assert.True(second.Incremental);
        Assert.InRange(second.KeysCompared, 1, 10);
        Assert.Contains(flagged, f => f.Classified.Pair.Key == key && f.Classified.Pair.Attribute == "birth_date");
        var after = DifferenceRows(check);
        Assert.Contains(after, r => r.Key == key && r.Attribute == "birth_date" && r.Class == DifferenceClass.MaterialConflict);
        Assert.Equal(rows.Where(r => r.Key != key).OrderBy(r => r.ToString()), after.Where(r => r.Key != key).OrderBy(r => r.ToString()));
    }

    private static List<(string Key, string Attribute, string DatasetA, string DatasetB, string Class)> DifferenceRows(ConsistencyCheck check)
    {
        var snapshot = DeltaTable.Open(check.DifferencesTable).Snapshot();
        using var connection = LakeDuckDb.OpenInMemory();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT key, attribute, dataset_a, dataset_b, class FROM ({snapshot.ToDuckDbQuery()}) d";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, string, string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return rows;
    }

    // A copy of the test city's insured-persons file with the first labelled-clean person's birth date moved by a year.
    private (string File, string Key) ChangeOneBirthDate()
    {
        var folder = Path.Combine(cities.Work, "test", "city", "deliveries", "hrss", "hrss.insured");
        var original = Directory.GetFiles(folder).Single();
        var labelled = cities.Labels.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var lines = File.ReadAllLines(original);
        for (var i = 0; i < lines.Length; i++)
        {
            var id = Regex.Match(lines[i], "\"公民身份号码\":\"([0-9X]{18})\"");
            var birth = Regex.Match(lines[i], "\"出生日期\":\"([0-9]{4})-");
            if (id.Success && birth.Success && !labelled.Contains(id.Groups[1].Value) && IdentifierValidator.Default.CheckCitizen(id.Groups[1].Value).IsValid)
            {
                var year = int.Parse(birth.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
                lines[i] = lines[i].Replace(birth.Value, $"\"出生日期\":\"{year:D4}-", StringComparison.Ordinal);
                var copy = Path.Combine(cities.Work, "insured-changed.jsonl");
                File.WriteAllLines(copy, lines);
                return (copy, id.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("no clean insured person found");
    }
}
