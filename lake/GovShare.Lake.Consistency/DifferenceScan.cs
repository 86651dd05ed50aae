using DuckDB.NET.Data;
using GovShare.Lake.Divisions;

namespace GovShare.Lake.Consistency;

/// <summary>A pair and its comparison features.</summary>
/// <param name="Pair">The values.</param>
/// <param name="Features">Their features (<see cref="ComparisonFeatures"/>).</param>
public sealed record ComparedPair(ValuePair Pair, float[] Features);

/// <summary>What a scan found: every differing pair with its features, and the tallies of each provider pair.</summary>
/// <param name="Pairs">The differing pairs, in provider-pair, key and attribute order.</param>
/// <param name="Tallies">Per provider pair: shared keys, equal and compared values per attribute.</param>
public sealed record DifferenceScanResult(IReadOnlyList<ComparedPair> Pairs, IReadOnlyList<PairTally> Tallies)
{
    /// <summary>How many keys were compared (summed over provider pairs).</summary>
    public long KeysCompared => Tallies.Sum(t => t.SharedKeys);
}

/// <summary>Reads every differing pair of every provider pair and computes its features (on all cores).</summary>
public static class DifferenceScan
{
    /// <summary>Scans the providers (grouped by base table) for the keys in <paramref name="keysTable"/> (all when null).</summary>
    public static DifferenceScanResult Run(
        DuckDBConnection connection, IReadOnlyList<CheckedProvider> providers, string? keysTable, DivisionRegistry divisions,
        Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var pairs = new List<ComparedPair>();
        var tallies = new List<PairTally>();
        foreach (var (a, b) in PairReader.Pairs(providers))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = PairReader.Read(connection, a, b, keysTable, tallies.Add).ToList();

            // How systematic each (value, value) change is: a provider that codes a value its own way does it every time.
            var changes = read.GroupBy(p => (p.Attribute, p.ValueA, p.ValueB)).ToDictionary(g => g.Key, g => g.Count());
            var features = new float[read.Count][];
            Parallel.For(0, read.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var p = read[i];
                var share = p.ValueA is null || p.FrequencyA == 0 ? 0 : Math.Min(1, changes[(p.Attribute, p.ValueA, p.ValueB)] / (double)p.FrequencyA);
                features[i] = ComparisonFeatures.Compute(p, share, divisions);
            });
            pairs.AddRange(read.Select((p, i) => new ComparedPair(p, features[i])));
            progress?.Invoke($"{a.DatasetId} × {b.DatasetId}: {tallies[^1].SharedKeys:N0} shared keys, {read.Count:N0} differing values");
        }

        return new DifferenceScanResult(pairs, tallies);
    }
}
