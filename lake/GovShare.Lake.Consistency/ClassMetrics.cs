using System.Text.Json.Serialization;

namespace GovShare.Lake.Consistency;

/// <summary>Precision, recall and F1 of one class.</summary>
/// <param name="Class">The class.</param>
/// <param name="Support">How many examples truly are of the class.</param>
/// <param name="Predicted">How many were put in it.</param>
/// <param name="Correct">How many of those truly are.</param>
public sealed record ClassMetrics(string Class, long Support, long Predicted, long Correct)
{
    /// <summary>Correct / predicted (1 when nothing was predicted and nothing was there).</summary>
    public double Precision => Predicted == 0 ? (Support == 0 ? 1 : 0) : (double)Correct / Predicted;

    /// <summary>Correct / support (1 when there was nothing to find).</summary>
    public double Recall => Support == 0 ? 1 : (double)Correct / Support;

    /// <summary>The harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Per-class metrics of predictions against the truth.</summary>
    public static IReadOnlyList<ClassMetrics> Of(IReadOnlyList<string> truth, IReadOnlyList<string> predicted, IEnumerable<string> classes)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        return [.. classes.Select(c => new ClassMetrics(c,
            truth.Count(t => t == c),
            predicted.Count(p => p == c),
            truth.Where((t, i) => t == c && predicted[i] == c).Count()))];
    }
}

/// <summary>What a model was trained on and how well it did on data it was not trained on.</summary>
/// <param name="Version">The model version (<c>20261123T101500Z-3f9c1a2b</c>).</param>
/// <param name="TrainedAt">When.</param>
/// <param name="TrainingExamples">Examples it was trained on, per class.</param>
/// <param name="Sources">What the examples came from (the synthetic city's seed and size, reviewers' verdicts).</param>
/// <param name="Evaluation">Per-class metrics on the held-out examples.</param>
/// <param name="EvaluatedOn">What the held-out examples were.</param>
public sealed record ModelMetrics(
    string Version, DateTimeOffset TrainedAt, IReadOnlyDictionary<string, long> TrainingExamples, IReadOnlyList<string> Sources,
    IReadOnlyList<ClassMetrics> Evaluation, string EvaluatedOn)
{
    /// <summary>The material-conflict F1 (the figure the model is judged by).</summary>
    [JsonIgnore]
    public double MaterialConflictF1 => Evaluation.FirstOrDefault(m => m.Class == DifferenceClass.MaterialConflict)?.F1 ?? 0;
}
