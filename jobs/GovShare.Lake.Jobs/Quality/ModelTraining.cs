using System.Diagnostics;
using GovShare.Lake.Consistency;
using GovShare.Lake.Divisions;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>How a training run is set up.</summary>
public sealed record TrainingOptions
{
    /// <summary>Persons in each synthetic city (the training city and the held-out one).</summary>
    public long Persons { get; init; } = 40_000;

    /// <summary>The training city's seed (read as its reference date).</summary>
    public long TrainSeed { get; init; } = 20250630;

    /// <summary>The held-out city's seed: data the model is not trained on.</summary>
    public long TestSeed { get; init; } = 20261122;

    /// <summary>A scratch folder for the two cities (deleted afterwards); null: a new temporary folder.</summary>
    public string? WorkFolder { get; init; }

    /// <summary>Extra labelled examples, such as the reviewers' verdicts.</summary>
    public IReadOnlyList<LabelledFeatures> Extra { get; init; } = [];

    /// <summary>What <see cref="Extra"/> is, for the metrics.</summary>
    public string? ExtraSource { get; init; }
}

/// <summary>The outcome of a training run: the model, its metrics, and the naive exact compare measured on the same
/// held-out pairs.</summary>
/// <param name="Classifier">The trained model.</param>
/// <param name="Model">Its per-class metrics on the held-out city.</param>
/// <param name="Naive">The naive exact compare's (identical: equal; anything else: material conflict).</param>
/// <param name="Training">Training examples per class.</param>
/// <param name="HeldOut">Held-out examples per class.</param>
/// <param name="Unlabelled">Differing pairs neither city's ground truth labels (training, held-out).</param>
/// <param name="Sources">What the examples came from.</param>
/// <param name="EvaluatedOn">What the held-out pairs were.</param>
/// <param name="Elapsed">How long the whole run took.</param>
/// <param name="Confusion">Held-out confusion counts: (true class, predicted class) → count.</param>
/// <param name="MisKeyed">The held-out city's mistyped keys: how many there are, how many the linkage found with the right
/// key, and how many records it called mis-keyed that are not.</param>
public sealed record TrainingOutcome(
    DifferenceClassifier Classifier, IReadOnlyList<ClassMetrics> Model, IReadOnlyList<ClassMetrics> Naive,
    IReadOnlyDictionary<string, long> Training, IReadOnlyDictionary<string, long> HeldOut, (long Training, long HeldOut) Unlabelled,
    IReadOnlyList<string> Sources, string EvaluatedOn, TimeSpan Elapsed, IReadOnlyDictionary<(string Truth, string Predicted), long> Confusion,
    (int Labelled, int Found, int Wrong) MisKeyed)
{
    /// <summary>The metrics as stored beside the model.</summary>
    public ModelMetrics Metrics(string version, DateTimeOffset at) => new(version, at, Training, Sources, Model, EvaluatedOn);
}

/// <summary>Trains the difference classifier on one synthetic city's labelled disagreements (plus any extra examples)
/// and evaluates it, and the naive exact compare, on another city it never saw.</summary>
public static class ModelTraining
{
    /// <summary>Runs a training.</summary>
    public static TrainingOutcome Run(TrainingOptions options, DivisionRegistry divisions, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        var work = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), "govshare-training-" + Guid.NewGuid().ToString("N"));
        try
        {
            var train = TrainingSet.From(GroundTruthCity.Build(Path.Combine(work, "train"), options.Persons, options.TrainSeed, log, cancellationToken),
                divisions, m => log.WriteLine("  " + m), cancellationToken);
            var testCity = GroundTruthCity.Build(Path.Combine(work, "test"), options.Persons, options.TestSeed, log, cancellationToken);
            var test = TrainingSet.From(testCity, divisions, m => log.WriteLine("  " + m), cancellationToken);
            var misKeyed = MisKeyedRate(testCity, log, cancellationToken);
            var examples = train.Pairs.Select(p => new LabelledFeatures(p.Compared.Features, p.Label)).Concat(options.Extra).ToList();
            log.WriteLine($"Training on {examples.Count:N0} examples ...");
            var classifier = DifferenceClassifier.Train(examples);

            // Held out: the differences of the other city (its identical pairs are not counted: they are equal by rule).
            var heldOut = test.Pairs.Where(p => !IsAddedIdentical(p)).ToList();
            var truth = heldOut.Select(p => p.Label).ToList();
            var predicted = classifier.Predict([.. heldOut.Select(p => p.Compared.Features)]).Select(p => p.Class).ToList();
            var naive = heldOut.Select(p => string.Equals(p.Compared.Pair.ValueA, p.Compared.Pair.ValueB, StringComparison.Ordinal)
                ? DifferenceClass.Equal : DifferenceClass.MaterialConflict).ToList();
            var classes = DifferenceClass.Classified;
            var sources = new List<string> { $"synthetic city, seed {options.TrainSeed}, {options.Persons:N0} persons: {train.Pairs.Count:N0} labelled pairs" };
            if (options.Extra.Count > 0)
            {
                sources.Add($"{options.ExtraSource ?? "extra examples"}: {options.Extra.Count:N0}");
            }

            return new TrainingOutcome(
                classifier,
                ClassMetrics.Of(truth, predicted, classes),
                ClassMetrics.Of(truth, naive, classes),
                examples.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => (long)g.Count()),
                heldOut.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => (long)g.Count()),
                (train.Unlabelled, test.Unlabelled),
                sources,
                $"synthetic city, seed {options.TestSeed}, {options.Persons:N0} persons: {heldOut.Count:N0} differing pairs over {test.KeysCompared:N0} shared keys",
                clock.Elapsed,
                truth.Zip(predicted).GroupBy(p => (p.First, p.Second)).ToDictionary(g => g.Key, g => (long)g.LongCount()),
                misKeyed);
        }
        finally
        {
            if (options.WorkFolder is null && Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    // The mis-keyed check on the held-out city against its id_typo labels (key: the wrong key; value_a: the right one).
    private static (int Labelled, int Found, int Wrong) MisKeyedRate(GroundTruthCity city, TextWriter log, CancellationToken cancellationToken)
    {
        using var connection = Engine.LakeDuckDb.OpenInMemory();
        var found = MisKeyedCheck.Run(connection, CheckedProviders.Load(city.Layout, city.Store), null, m => log.WriteLine("  " + m), cancellationToken);
        var labelled = city.Labels.Where(l => l.Label == DifferenceClass.MisKeyed).ToDictionary(l => l.Key, l => l.ValueA, StringComparer.Ordinal);
        var right = found.Count(f => labelled.TryGetValue(f.Key, out var key) && key == f.SuggestedKey);
        return (labelled.Count, right, found.Count - right);
    }

    private static bool IsAddedIdentical(LabelledPair pair) =>
        pair.Label == DifferenceClass.Equal && string.Equals(pair.Compared.Pair.ValueA, pair.Compared.Pair.ValueB, StringComparison.Ordinal);
}
