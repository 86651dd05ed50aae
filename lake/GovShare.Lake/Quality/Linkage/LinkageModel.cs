namespace GovShare.Lake.Quality.Linkage;

/// <summary>A record pair's comparison levels, one per field, packed two bits a field into a 64-bit number: the
/// model only ever needs how many pairs share each pattern, and there are few distinct patterns however many pairs.</summary>
internal static class LinkagePattern
{
    public const int MaxFields = 32;

    public static ComparisonLevel Level(ulong pattern, int field) => (ComparisonLevel)((pattern >> (2 * field)) & 3);

    public static ulong With(ulong pattern, int field, ComparisonLevel level) => pattern | ((ulong)level << (2 * field));
}

/// <summary>A field's estimated level probabilities among matching pairs (m) and non-matching pairs (u), indexed by
/// <see cref="ComparisonLevel"/> (Exact, Close, Different); the missing level is not estimated (it weighs 0).</summary>
/// <param name="Field">The field.</param>
/// <param name="M">P(level | the records are the same entity), for Exact, Close and Different.</param>
/// <param name="U">P(level | they are not).</param>
public sealed record FieldParameters(LinkageField Field, IReadOnlyList<double> M, IReadOnlyList<double> U)
{
    /// <summary>The match weight of a level, log2(m/u): positive when the level is more likely between records of
    /// the same entity; 0 for <see cref="ComparisonLevel.Missing"/>.</summary>
    public double Weight(ComparisonLevel level) => level == ComparisonLevel.Missing ? 0 : Math.Log2(M[(int)level] / U[(int)level]);
}

/// <summary>A fitted Fellegi-Sunter model: per-field m and u probabilities and the share of all left × right pairs
/// that match (λ). A pair's match weight is Σ log2(m/u) over its fields' levels; its probability follows from the weight
/// and λ.</summary>
public sealed class LinkageModel
{
    internal LinkageModel(IReadOnlyList<FieldParameters> fields, double lambda, int iterations, bool converged)
    {
        Fields = fields;
        Lambda = lambda;
        Iterations = iterations;
        Converged = converged;
    }

    /// <summary>The per-field m and u probabilities, in field order.</summary>
    public IReadOnlyList<FieldParameters> Fields { get; }

    /// <summary>λ: the estimated share of all left × right pairs that are matches (about the number of links over
    /// left × right).</summary>
    public double Lambda { get; }

    /// <summary>EM iterations run.</summary>
    public int Iterations { get; }

    /// <summary>Whether EM converged within the iteration limit (otherwise the last estimate is used).</summary>
    public bool Converged { get; }

    /// <summary>The probability that a pair with this match weight is a match: 1 / (1 + (1 − λ)/λ · 2^−weight).</summary>
    public double Probability(double weight) => 1 / (1 + Math.Pow(2, -(weight + PriorWeight)));

    /// <summary>The match weight at which a pair's probability is <paramref name="probability"/> (the default
    /// threshold is the weight at 0.5).</summary>
    public double WeightAt(double probability) => Math.Log2(probability / (1 - probability)) - PriorWeight;

    /// <summary>log2(λ / (1 − λ)): the prior odds as a weight.</summary>
    private double PriorWeight => Math.Log2(Lambda / (1 - Lambda));

    internal double Weight(ulong pattern)
    {
        var weight = 0.0;
        for (var f = 0; f < Fields.Count; f++)
        {
            weight += Fields[f].Weight(LinkagePattern.Level(pattern, f));
        }

        return weight;
    }
}

/// <summary>Expectation-maximisation for the Fellegi-Sunter model over the compared pairs' level patterns, under the
/// usual assumption that fields agree independently given match status.</summary>
internal static class Expectation
{
    /// <summary>No m is estimated below this: a level never seen among the matches in one file pair (a field that
    /// happened to have no typing slips) would otherwise weigh −∞ and veto a pair on one field. At most about −10.</summary>
    public const double MatchFloor = 1e-3;

    /// <summary>No u or λ is estimated nearer to 0 than this (nor nearer to 1), whatever the number of pairs: among a
    /// million × a million pairs, agreement on a phone number really is that rare.</summary>
    public const double Floor = 1e-12;

    private const int Levels = 3;

    /// <summary>Fits the model.</summary>
    /// <param name="fields">The fields.</param>
    /// <param name="patterns">Each distinct pattern and how many pairs have it (estimated for the pairs not compared).</param>
    /// <param name="initialU">Starting u per field and level (from random pairs).</param>
    /// <param name="initialLambda">Starting λ.</param>
    /// <param name="maxIterations">Give up after this many iterations.</param>
    /// <param name="pairs">How many pairs there are in all (left × right): no u is estimated below one pair in all,
    /// since a level that no non-matching pair showed is not shown to be rarer than that.</param>
    /// <param name="tolerance">Converged when no probability changes by more than this share of itself in an iteration.</param>
    public static LinkageModel Fit(IReadOnlyList<LinkageField> fields, IReadOnlyList<(ulong Pattern, double Count)> patterns, double[,] initialU,
        double initialLambda, double pairs, int maxIterations, double tolerance)
    {
        var floor = Math.Max(Floor, 1 / Math.Max(1, pairs));
        var count = fields.Count;
        var m = new double[count, Levels];
        var u = new double[count, Levels];
        for (var f = 0; f < count; f++)
        {
            // Matches mostly agree: the usual start, which EM moves away from as the data says.
            (m[f, 0], m[f, 1], m[f, 2]) = (0.9, 0.05, 0.05);
            for (var k = 0; k < Levels; k++)
            {
                u[f, k] = Clamp(initialU[f, k], floor);
            }
        }

        var lambda = Clamp(initialLambda, floor);
        var iterations = 0;
        var converged = false;
        var matchTotals = new double[count, Levels];
        var otherTotals = new double[count, Levels];
        while (iterations < maxIterations && !converged)
        {
            iterations++;
            Array.Clear(matchTotals);
            Array.Clear(otherTotals);
            double matches = 0, all = 0;
            var logLambda = Math.Log(lambda);
            var logOther = Math.Log(1 - lambda);
            foreach (var (pattern, n) in patterns)
            {
                // E: the posterior probability that a pair with this pattern is a match.
                double logMatch = logLambda, logNon = logOther;
                for (var f = 0; f < count; f++)
                {
                    var level = (int)LinkagePattern.Level(pattern, f);
                    if (level < Levels)
                    {
                        logMatch += Math.Log(m[f, level]);
                        logNon += Math.Log(u[f, level]);
                    }
                }

                var g = 1 / (1 + Math.Exp(logNon - logMatch));
                matches += g * n;
                all += n;
                for (var f = 0; f < count; f++)
                {
                    var level = (int)LinkagePattern.Level(pattern, f);
                    if (level < Levels)
                    {
                        matchTotals[f, level] += g * n;
                        otherTotals[f, level] += (1 - g) * n;
                    }
                }
            }

            // M: the expected level shares.
            var newLambda = all == 0 ? lambda : Clamp(matches / all, floor);
            var change = Change(lambda, newLambda);
            lambda = newLambda;
            for (var f = 0; f < count; f++)
            {
                change = Math.Max(change, Update(m, matchTotals, f, MatchFloor));
                change = Math.Max(change, Update(u, otherTotals, f, floor));
            }

            converged = change < tolerance;
        }

        // EM can settle with the two classes the other way round; the match class is the one that agrees more.
        var agreement = 0.0;
        for (var f = 0; f < count; f++)
        {
            agreement += m[f, 0] - u[f, 0];
        }

        if (agreement < 0)
        {
            (m, u, lambda) = (u, m, 1 - lambda);
        }

        var parameters = new List<FieldParameters>(count);
        for (var f = 0; f < count; f++)
        {
            parameters.Add(new FieldParameters(fields[f], [m[f, 0], m[f, 1], m[f, 2]], [u[f, 0], u[f, 1], u[f, 2]]));
        }

        return new LinkageModel(parameters, lambda, iterations, converged);
    }

    /// <summary>Sets a field's probabilities to its expected level shares (kept as they were when no pair has the
    /// field); returns the largest change.</summary>
    private static double Update(double[,] probabilities, double[,] totals, int field, double floor)
    {
        var sum = 0.0;
        for (var k = 0; k < Levels; k++)
        {
            sum += totals[field, k];
        }

        if (sum <= 0)
        {
            return 0;
        }

        var change = 0.0;
        for (var k = 0; k < Levels; k++)
        {
            var value = Clamp(totals[field, k] / sum, floor);
            change = Math.Max(change, Change(probabilities[field, k], value));
            probabilities[field, k] = value;
        }

        return change;
    }

    private static double Clamp(double probability, double floor) => Math.Clamp(probability, floor, 1 - floor);

    /// <summary>The relative change: λ and many u are tiny, so an absolute tolerance would stop EM long before they settle.</summary>
    private static double Change(double before, double after) => Math.Abs(after - before) / Math.Max(before, after);
}
