namespace GovShare.Lake.Quality.Linkage;

/// <summary>How a linkage runs. Every option has a default that suits person records of up to millions a side.</summary>
public sealed class LinkageOptions
{
    /// <summary>Link pairs whose match weight is at least this. Default (null): the weight at which the fitted model
    /// gives a probability of 0.5.</summary>
    public double? Threshold { get; init; }

    /// <summary>The blocking rules (pairs are compared only when they share a key of one of them). Default (null):
    /// <see cref="BlockingRule.Defaults"/> of the fields.</summary>
    public IReadOnlyList<BlockingRule>? Blocking { get; init; }

    /// <summary>A block with more left × right pairs than this is skipped (and reported): one value shared by a
    /// great many records, such as a blank written as "无", must not make the comparison quadratic. Default 10,000.</summary>
    public long MaxBlockPairs { get; init; } = 10_000;

    /// <summary>How many random left × right pairs start the u estimates. Default 20,000.</summary>
    public int RandomPairs { get; init; } = 20_000;

    /// <summary>EM stops after this many iterations even if it has not converged. Default 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>EM has converged when no probability changes by more than this share of itself in an iteration.
    /// Default 1e-5.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Each left and each right record is linked at most once (greedily, heaviest pair first). Default true;
    /// false links every left record to its best right record above the threshold, even if another left record has
    /// the same one.</summary>
    public bool OneToOne { get; init; } = true;

    /// <summary>The seed of the random pairs, so that a run can be repeated exactly. Default 1.</summary>
    public int Seed { get; init; } = 1;

    internal void Validate()
    {
        if (MaxBlockPairs < 1 || RandomPairs < 1 || MaxIterations < 1 || !(Tolerance > 0) || Threshold is { } t && !double.IsFinite(t))
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                "linkage options: the block cap, random pairs, iterations and tolerance must be positive, and the threshold a number.");
        }
    }
}

/// <summary>A field's share in a pair's match weight.</summary>
/// <param name="Field">The field's name.</param>
/// <param name="Type">How it was compared.</param>
/// <param name="Comparison">How the two values compared, and why.</param>
/// <param name="Weight">log2(m/u) of the level; 0 when a value is missing.</param>
public sealed record FieldContribution(string Field, FieldType Type, Comparison Comparison, double Weight);

/// <summary>A linked pair.</summary>
/// <param name="Left">The left record's index (in the order added).</param>
/// <param name="Right">The right record's index.</param>
/// <param name="LeftId">The left record's id.</param>
/// <param name="RightId">The right record's id.</param>
/// <param name="Weight">The match weight: the sum of the contributions.</param>
/// <param name="Probability">The model's probability that the records are the same entity.</param>
/// <param name="Contributions">Every field's contribution, largest first, missing fields last.</param>
public sealed record LinkedPair(int Left, int Right, string LeftId, string RightId, double Weight, double Probability,
    IReadOnlyList<FieldContribution> Contributions);

/// <summary>What a linkage found, and the figures behind it.</summary>
/// <param name="Pairs">The linked pairs, heaviest first.</param>
/// <param name="Model">The fitted model.</param>
/// <param name="Threshold">The match weight a pair needed.</param>
/// <param name="Compared">Candidate pairs compared (after blocking).</param>
/// <param name="AboveThreshold">Compared pairs at or above the threshold, before each record was used once.</param>
/// <param name="Blocking">Per blocking rule: pairs added, blocks skipped over the cap.</param>
public sealed record LinkageResult(IReadOnlyList<LinkedPair> Pairs, LinkageModel Model, double Threshold, long Compared, long AboveThreshold,
    IReadOnlyList<BlockingRuleStats> Blocking);

/// <summary>Where a linkage is, for a progress display.</summary>
/// <param name="Stage">blocking, estimating, linking.</param>
/// <param name="Pairs">Pairs compared so far.</param>
public readonly record struct LinkageProgress(string Stage, long Pairs);

/// <summary>Fellegi-Sunter record linkage: blocking, comparison of every candidate pair field by field, m and u
/// estimated by EM, match weights, and a one-to-one assignment above a threshold.</summary>
/// <remarks>Memory grows with the records and with the compared pairs (12 bytes a pair), never with left × right; the
/// blocking rules and their cap decide how many pairs there are (<see cref="LinkageResult.Blocking"/> says how many
/// each rule gave).</remarks>
public static class RecordLinker
{
    private const int ProgressEvery = 1 << 18;

    /// <summary>Links the left records to the right ones.</summary>
    /// <exception cref="LakeException">The sides have different fields, or an option or blocking rule is invalid.</exception>
    public static LinkageResult Link(LinkageInput left, LinkageInput right, LinkageOptions? options = null, IProgress<LinkageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LinkageOptions();
        options.Validate();
        if (!left.Fields.SequenceEqual(right.Fields))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{left.Name} and {right.Name} must be linked on the same fields, of the same types.");
        }

        var fields = left.Fields;
        var rules = options.Blocking ?? BlockingRule.Defaults(fields);

        // Compare every candidate pair once; keep the pair and its pattern's number, count the patterns.
        var pairs = new PairList();
        var patternIndex = new Dictionary<ulong, int>();
        var patterns = new List<(ulong Pattern, double Count)>();
        var blocking = new Blocking(left, right, rules, options.MaxBlockPairs);
        var stats = blocking.Run((l, r) =>
        {
            var pattern = Pattern(left, right, l, r);
            if (!patternIndex.TryGetValue(pattern, out var index))
            {
                index = patterns.Count;
                patternIndex.Add(pattern, index);
                patterns.Add((pattern, 0));
            }

            patterns[index] = (pattern, patterns[index].Count + 1);
            pairs.Add(new CandidatePair(l, r, index));
            if (pairs.Count % ProgressEvery == 0)
            {
                progress?.Report(new LinkageProgress("blocking", pairs.Count));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }, cancellationToken);

        progress?.Report(new LinkageProgress("estimating", pairs.Count));
        var (initialU, uncompared) = SampleRandomPairs(left, right, blocking, pairs.Count, options);
        var all = (double)left.Count * right.Count;
        var initialLambda = all == 0 ? 0.5 : Math.Min(0.5, Math.Min(left.Count, right.Count) / all);
        var model = Expectation.Fit(fields, [.. patterns, .. uncompared], initialU, initialLambda, all, options.MaxIterations, options.Tolerance);
        var threshold = options.Threshold ?? model.WeightAt(0.5);

        progress?.Report(new LinkageProgress("linking", pairs.Count));
        var weights = patterns.Select(p => model.Weight(p.Pattern)).ToArray();
        var kept = new List<CandidatePair>();
        foreach (var pair in pairs)
        {
            if (weights[pair.Pattern] >= threshold)
            {
                kept.Add(pair);
            }
        }

        // Heaviest first; ties in a fixed order so that a run can be repeated.
        kept.Sort((a, b) => weights[b.Pattern].CompareTo(weights[a.Pattern]) is var byWeight and not 0 ? byWeight
            : a.Left != b.Left ? a.Left.CompareTo(b.Left) : a.Right.CompareTo(b.Right));
        var leftUsed = new bool[left.Count];
        var rightUsed = new bool[right.Count];
        var linked = new List<LinkedPair>();
        foreach (var pair in kept)
        {
            if (leftUsed[pair.Left] || (options.OneToOne && rightUsed[pair.Right]))
            {
                continue;
            }

            leftUsed[pair.Left] = rightUsed[pair.Right] = true;
            linked.Add(Describe(left, right, pair.Left, pair.Right, model));
        }

        return new LinkageResult(linked, model, threshold, pairs.Count, kept.Count, stats);
    }

    /// <summary>Compares one pair of records with a fitted model: the weight, probability and contributions, as for a
    /// linked pair (for a reviewer asking why two records were not linked).</summary>
    public static LinkedPair Describe(LinkageInput left, LinkageInput right, int leftIndex, int rightIndex, LinkageModel model)
    {
        if (!left.Fields.SequenceEqual(right.Fields) || !left.Fields.SequenceEqual(model.Fields.Select(f => f.Field)))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"{left.Name}, {right.Name} and the model must have the same fields.");
        }

        var a = left.ValuesAt(leftIndex);
        var b = right.ValuesAt(rightIndex);
        var contributions = new List<FieldContribution>(a.Length);
        for (var f = 0; f < a.Length; f++)
        {
            var comparison = left.ComparerOf(f).Compare(a[f], b[f]);
            contributions.Add(new FieldContribution(model.Fields[f].Field.Name, model.Fields[f].Field.Type, comparison, model.Fields[f].Weight(comparison.Level)));
        }

        var weight = contributions.Sum(c => c.Weight);
        var ordered = contributions.OrderBy(c => c.Comparison.Level == ComparisonLevel.Missing).ThenByDescending(c => c.Weight).ToList();
        return new LinkedPair(leftIndex, rightIndex, left.IdAt(leftIndex), right.IdAt(rightIndex), weight, model.Probability(weight), ordered);
    }

    private static ulong Pattern(LinkageInput left, LinkageInput right, int l, int r)
    {
        var a = left.ValuesAt(l);
        var b = right.ValuesAt(r);
        var pattern = 0UL;
        for (var f = 0; f < a.Length; f++)
        {
            pattern = LinkagePattern.With(pattern, f, left.ComparerOf(f).Compare(a[f], b[f]).Level);
        }

        return pattern;
    }

    /// <summary>Random left × right pairs (every pair when there are no more than the sample): each field's level
    /// shares among them, which start the u estimates, and the patterns of the pairs that blocking did not compare,
    /// scaled up to all such pairs. EM then fits the model to every left × right pair, as Fellegi and Sunter define
    /// it: fitted to the compared pairs alone, u would describe pairs that blocking chose for agreeing (in a block of
    /// 张伟s nearly every non-match agrees on the name), and a name's agreement would count for nothing.</summary>
    private static (double[,] InitialU, List<(ulong Pattern, double Count)> Uncompared) SampleRandomPairs(LinkageInput left, LinkageInput right,
        Blocking blocking, long compared, LinkageOptions options)
    {
        var fields = left.Fields.Count;
        var counts = new double[fields, 3];
        var uncompared = new Dictionary<ulong, double>();
        var sampledUncompared = 0L;
        var all = (long)left.Count * right.Count;
        if (all > 0)
        {
            var random = new Random(options.Seed);
            var exhaustive = all <= options.RandomPairs;
            var sample = exhaustive ? all : options.RandomPairs;
            for (var s = 0L; s < sample; s++)
            {
                var (l, r) = exhaustive ? ((int)(s / right.Count), (int)(s % right.Count)) : (random.Next(left.Count), random.Next(right.Count));
                var pattern = Pattern(left, right, l, r);
                for (var f = 0; f < fields; f++)
                {
                    var level = (int)LinkagePattern.Level(pattern, f);
                    if (level < 3)
                    {
                        counts[f, level]++;
                    }
                }

                if (!blocking.IsCandidate(l, r))
                {
                    uncompared[pattern] = uncompared.GetValueOrDefault(pattern) + 1;
                    sampledUncompared++;
                }
            }
        }

        // One pair's worth of every level, so that a level no random pair showed does not start at 0.
        var shares = new double[fields, 3];
        for (var f = 0; f < fields; f++)
        {
            var total = counts[f, 0] + counts[f, 1] + counts[f, 2] + 3;
            for (var k = 0; k < 3; k++)
            {
                shares[f, k] = (counts[f, k] + 1) / total;
            }
        }

        var scale = sampledUncompared == 0 ? 0 : (all - compared) / (double)sampledUncompared;
        return (shares, [.. uncompared.Select(p => (p.Key, p.Value * scale))]);
    }

    /// <summary>A compared pair: the records' indexes and its pattern's number.</summary>
    private readonly record struct CandidatePair(int Left, int Right, int Pattern);

    /// <summary>A list of pairs in blocks (doubling up to a million pairs each), so that growing never copies (or
    /// needs) one huge array.</summary>
    private sealed class PairList : IEnumerable<CandidatePair>
    {
        private const int MaxBlock = 1 << 20;
        private readonly List<CandidatePair[]> _blocks = [];
        private int _filled;

        public long Count { get; private set; }

        public void Add(CandidatePair pair)
        {
            if (_blocks.Count == 0 || _filled == _blocks[^1].Length)
            {
                _blocks.Add(new CandidatePair[_blocks.Count == 0 ? 1024 : Math.Min(MaxBlock, _blocks[^1].Length * 2)]);
                _filled = 0;
            }

            _blocks[^1][_filled++] = pair;
            Count++;
        }

        public IEnumerator<CandidatePair> GetEnumerator()
        {
            for (var b = 0; b < _blocks.Count; b++)
            {
                var length = b == _blocks.Count - 1 ? _filled : _blocks[b].Length;
                for (var i = 0; i < length; i++)
                {
                    yield return _blocks[b][i];
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
