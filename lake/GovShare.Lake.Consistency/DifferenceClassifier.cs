using System.Globalization;
using System.Text;
using GovShare.Lake.Divisions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GovShare.Lake.Consistency;

/// <summary>A classified pair: its class, the model's probability of that class, and (when asked for) why.</summary>
/// <param name="Pair">The values.</param>
/// <param name="Class">One of <see cref="DifferenceClass.Classified"/>.</param>
/// <param name="Score">The probability of <paramref name="Class"/>, 0..1.</param>
/// <param name="Features">The features the model saw.</param>
public sealed record Classified(ValuePair Pair, string Class, double Score, float[] Features);

/// <summary>One reason behind a classification: a comparison feature, its value, and how much it pushed the pair towards
/// its class (the fall in the class's probability without it).</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Value">Its value for the pair.</param>
/// <param name="Contribution">The probability it adds to the class (negative: it held the pair back).</param>
/// <param name="Zh">The reason in Chinese.</param>
/// <param name="En">The reason in English.</param>
public sealed record FeatureReason(string Feature, double Value, double Contribution, string Zh, string En);

/// <summary>A labelled example.</summary>
/// <param name="Features">The features.</param>
/// <param name="Label">The true class.</param>
public sealed record LabelledFeatures(float[] Features, string Label);

/// <summary>The classifier of differences: a LightGBM multiclass model (Microsoft.ML) over <see cref="ComparisonFeatures"/>.
/// Thread-safe for <see cref="Classify"/> and the Explain methods (each call builds its own data view).</summary>
public sealed class DifferenceClassifier
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly string[] _classes;

    private DifferenceClassifier(MLContext ml, ITransformer model, string[] classes)
    {
        _ml = ml;
        _model = model;
        _classes = classes;
    }

    /// <summary>The classes in the order of the model's scores.</summary>
    public IReadOnlyList<string> Classes => _classes;

    /// <summary>Trains a model on labelled examples.</summary>
    /// <param name="examples">The examples; every class of <see cref="DifferenceClass.Classified"/> should be present.</param>
    /// <param name="seed">The random seed (training is deterministic for a seed and the same examples).</param>
    public static DifferenceClassifier Train(IReadOnlyList<LabelledFeatures> examples, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, "no labelled examples to train the difference classifier on.");
        }

        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(examples.Select(e => new Row { Features = e.Features, Label = e.Label }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Label")
            .Append(ml.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                NumberOfIterations = 120,
                NumberOfLeaves = 15,
                MinimumExampleCountPerLeaf = 5,
                LearningRate = 0.1,
                Seed = seed,
                Verbose = false,
                Silent = true,
                NumberOfThreads = 1,
                UseSoftmax = true,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel", "PredictedLabel"));
        var model = pipeline.Fit(data);
        return new DifferenceClassifier(ml, model, ClassesOf(model.Transform(data)));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    public static DifferenceClassifier Load(string path)
    {
        var ml = new MLContext(1);
        using var stream = File.OpenRead(path);
        var model = ml.Model.Load(stream, out _);
        var empty = ml.Data.LoadFromEnumerable(new[] { new Row { Features = new float[ComparisonFeatures.Count], Label = DifferenceClass.Equal } });
        return new DifferenceClassifier(ml, model, ClassesOf(model.Transform(empty)));
    }

    /// <summary>Saves the model (a zip file).</summary>
    public void Save(string path)
    {
        var schema = _ml.Data.LoadFromEnumerable(Array.Empty<Row>()).Schema;
        using var stream = File.Create(path);
        _ml.Model.Save(_model, schema, stream);
    }

    /// <summary>Classifies feature vectors: the class of each and the probability of every class (in <see cref="Classes"/> order).</summary>
    public IReadOnlyList<(string Class, float[] Scores)> Predict(IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count == 0)
        {
            return [];
        }

        var data = _ml.Data.LoadFromEnumerable(features.Select(f => new Row { Features = f, Label = DifferenceClass.Equal }));
        var output = _model.Transform(data);
        return [.. _ml.Data.CreateEnumerable<Prediction>(output, reuseRowObject: false).Select(p => (p.PredictedLabel ?? DifferenceClass.Equal, p.Score ?? []))];
    }

    /// <summary>Classifies pairs whose features are computed.</summary>
    public IReadOnlyList<Classified> Classify(IReadOnlyList<(ValuePair Pair, float[] Features)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var predictions = Predict([.. pairs.Select(p => p.Features)]);
        return [.. pairs.Select((p, i) =>
        {
            var (@class, scores) = predictions[i];
            var index = Array.IndexOf(_classes, @class);
            return new Classified(p.Pair, @class, index >= 0 && index < scores.Length ? scores[index] : 0, p.Features);
        })];
    }

    /// <summary>Why a pair was put in its class: each comparison feature's contribution, measured as how much the
    /// probability of the class falls when that feature takes the value it would have if the two values were identical
    /// (occlusion). Strongest first; features that change nothing are left out.</summary>
    public IReadOnlyList<FeatureReason> Explain(Classified classified, DivisionRegistry divisions, int top = 5) =>
        Explain([classified], divisions, top)[0];

    /// <summary>The reasons of many pairs, with one pass of the model over all their variants (a pass costs far more
    /// than a row: explaining the night's flags one by one took most of the check's time).</summary>
    public IReadOnlyList<IReadOnlyList<FeatureReason>> Explain(IReadOnlyList<Classified> items, DivisionRegistry divisions, int top = 5)
    {
        ArgumentNullException.ThrowIfNull(items);
        var variants = new List<float[]>();
        var owners = new List<(int Item, int Feature)>();
        for (var n = 0; n < items.Count; n++)
        {
            var identical = ComparisonFeatures.Identical(items[n].Pair, divisions);
            for (var i = 0; i < ComparisonFeatures.FirstKindFeature; i++)
            {
                if (items[n].Features[i] == identical[i])
                {
                    continue;
                }

                var variant = (float[])items[n].Features.Clone();
                variant[i] = identical[i];
                variants.Add(variant);
                owners.Add((n, i));
            }
        }

        var predictions = Predict(variants);
        var reasons = items.Select(_ => new List<FeatureReason>()).ToList();
        for (var v = 0; v < variants.Count; v++)
        {
            var (n, i) = owners[v];
            var classified = items[n];
            var index = Array.IndexOf(_classes, classified.Class);
            var without = index >= 0 && index < predictions[v].Scores.Length ? predictions[v].Scores[index] : 0;
            var contribution = classified.Score - without;
            if (Math.Abs(contribution) < 0.005)
            {
                continue;
            }

            var feature = ComparisonFeatures.All[i];
            var value = classified.Features[i];
            reasons[n].Add(new FeatureReason(feature.Name, value, Math.Round(contribution, 4),
                $"{feature.Zh}：{Shown(value, false)}", $"{feature.En}: {Shown(value, true)}"));
        }

        return [.. reasons.Select(r => (IReadOnlyList<FeatureReason>)[.. r.OrderByDescending(x => Math.Abs(x.Contribution)).ThenBy(x => x.Feature, StringComparer.Ordinal).Take(top)])];
    }

    /// <summary>The explanation in plain words, from the reasons.</summary>
    public static string Words(Classified classified, IReadOnlyList<FeatureReason> reasons, bool english)
    {
        ArgumentNullException.ThrowIfNull(classified);
        ArgumentNullException.ThrowIfNull(reasons);
        var text = new StringBuilder();
        var percent = (classified.Score * 100).ToString("F0", CultureInfo.InvariantCulture);
        text.Append(english
            ? $"Classified as {DifferenceClass.Describe(classified.Class, true)} ({percent} % likely)"
            : $"判定为{DifferenceClass.Describe(classified.Class, false)}（可能性 {percent}%）");
        if (reasons.Count > 0)
        {
            text.Append(english ? " because: " : "，依据：");
            text.AppendJoin(english ? "; " : "；", reasons.Select(r =>
                (english ? r.En : r.Zh) + " (" + (r.Contribution >= 0 ? "+" : "") + (r.Contribution * 100).ToString("F0", CultureInfo.InvariantCulture) + ")"));
        }

        return text.Append(english ? "." : "。").ToString();
    }

    private static string Shown(float value, bool english) => value switch
    {
        1 => english ? "yes" : "是",
        0 => english ? "no" : "否",
        -1 => english ? "does not apply" : "不适用",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string[] ClassesOf(IDataView scored)
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Score"].GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private sealed class Row
    {
        [VectorType(28)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private sealed class Prediction
    {
        public string? PredictedLabel { get; set; }

        public float[]? Score { get; set; }
    }
}
