using GovShare.Lake.Consistency;
using GovShare.Lake.Divisions;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>Trains, stores and promotes the difference classifier of a lake (<see cref="ModelStore"/>): the first check
/// of a lake without a model trains one; the retraining job trains a new one on the synthetic city plus the reviewers'
/// verdicts and promotes it only when it is at least as good on the held-out city as the one in use.</summary>
public sealed class QualityModels(LakeLayout layout, TimeProvider clock)
{
    /// <summary>Persons in the synthetic cities a lake's first model is trained and evaluated on.</summary>
    public const long DefaultPersons = 20_000;

    /// <summary>The lake's model store.</summary>
    public ModelStore Store { get; } = new(layout);

    /// <summary>The model in use, trained and promoted first when the lake has none.</summary>
    public (string Version, DifferenceClassifier Classifier) Current(TextWriter log, CancellationToken cancellationToken = default)
    {
        if (Store.Load() is { } loaded)
        {
            return loaded;
        }

        log.WriteLine("No difference classifier in this lake yet: training one on the synthetic city ...");
        var (version, outcome) = Train(new TrainingOptions { Persons = DefaultPersons }, log, promote: true, cancellationToken);
        return (version, outcome.Classifier);
    }

    /// <summary>Trains a model, stores it with its metrics, and promotes it when <paramref name="promote"/> is true, or
    /// when null and its material-conflict F1 on the held-out city is not below the current model's.</summary>
    public (string Version, TrainingOutcome Outcome) Train(TrainingOptions options, TextWriter log, bool? promote = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var outcome = ModelTraining.Run(options, DivisionRegistry.Embedded, log, cancellationToken);
        var current = Store.CurrentVersion is { } v ? Store.Metrics(v) : null;
        var f1 = outcome.Model.First(m => m.Class == DifferenceClass.MaterialConflict).F1;
        var better = current is null || f1 >= current.MaterialConflictF1;
        var version = Store.Save(outcome.Classifier, ver => outcome.Metrics(ver, clock.GetUtcNow()), clock.GetUtcNow(), promote ?? better);
        log.WriteLine(promote ?? better
            ? $"Model {version} stored and in use (material-conflict F1 {f1:F3} on the held-out city)."
            : $"Model {version} stored but not promoted: material-conflict F1 {f1:F3} is below the current model's {current!.MaterialConflictF1:F3}.");
        return (version, outcome);
    }
}
