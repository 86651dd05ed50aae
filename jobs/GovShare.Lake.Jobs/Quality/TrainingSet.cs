using GovShare.Lake.Consistency;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>A differing pair with its true class.</summary>
/// <param name="Compared">The pair and its features.</param>
/// <param name="Label">The true class.</param>
public sealed record LabelledPair(ComparedPair Compared, string Label);

/// <summary>The labelled pairs of a synthetic city: every differing pair its scan finds, labelled from the city's
/// ground truth, plus one identical pair per difference (what "equal" looks like for the same attribute).</summary>
/// <param name="Pairs">The labelled pairs.</param>
/// <param name="Unlabelled">Differing pairs the ground truth says nothing about (left out; expected 0).</param>
/// <param name="KeysCompared">Keys compared over all provider pairs.</param>
public sealed record TrainingSet(IReadOnlyList<LabelledPair> Pairs, long Unlabelled, long KeysCompared)
{
    /// <summary>Scans a city's lake and labels what it finds.</summary>
    public static TrainingSet From(GroundTruthCity city, DivisionRegistry divisions, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(city);
        using var connection = LakeDuckDb.OpenInMemory();
        var providers = CheckedProviders.Load(city.Layout, city.Store);
        var scan = DifferenceScan.Run(connection, providers, null, divisions, progress, cancellationToken);
        var truth = new GroundTruth(city.Labels);
        var pairs = new List<LabelledPair>();
        long unlabelled = 0;
        foreach (var compared in scan.Pairs)
        {
            if (truth.Label(compared.Pair) is not { } label)
            {
                unlabelled++;
                continue;
            }

            pairs.Add(new LabelledPair(compared, label));
            var identical = compared.Pair with { ValueB = compared.Pair.ValueA ?? compared.Pair.ValueB, ValueA = compared.Pair.ValueA ?? compared.Pair.ValueB };
            pairs.Add(new LabelledPair(new ComparedPair(identical, ComparisonFeatures.Identical(compared.Pair, divisions)), DifferenceClass.Equal));
        }

        return new TrainingSet(pairs, unlabelled, scan.KeysCompared);
    }
}

/// <summary>The true class of a pair, from the labels. A label says how one provider's value differs from the reference
/// provider's (dataset A of the label); a pair of two other providers inherits it when the other side holds the reference
/// value.</summary>
public sealed class GroundTruth(IReadOnlyList<LabelledDifference> labels)
{
    private readonly ILookup<(string Key, string Attribute), LabelledDifference> _byKey =
        labels.ToLookup(l => (l.Key, l.Attribute));

    /// <summary>The class of a differing pair, or null when the labels say nothing about it.</summary>
    public string? Label(ValuePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var found = _byKey[(pair.Key, pair.Attribute)].ToList();
        foreach (var label in found)
        {
            if ((label.DatasetA == pair.DatasetA && label.DatasetB == pair.DatasetB) || (label.DatasetA == pair.DatasetB && label.DatasetB == pair.DatasetA))
            {
                return label.Label;
            }
        }

        foreach (var label in found)
        {
            // One side is the label's changed provider, the other holds the reference value.
            if ((label.DatasetB == pair.DatasetA && label.ValueB == pair.ValueA && pair.ValueB == label.ValueA)
                || (label.DatasetB == pair.DatasetB && label.ValueB == pair.ValueB && pair.ValueA == label.ValueA))
            {
                return label.Label;
            }
        }

        return null;
    }
}
