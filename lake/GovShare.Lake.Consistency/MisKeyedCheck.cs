using DuckDB.NET.Data;
using GovShare.Lake.Engine;
using GovShare.Lake.Quality.Linkage;

namespace GovShare.Lake.Consistency;

/// <summary>A record a provider seems to have delivered under the wrong key: its key is held by no record of the base
/// table's authority, and its attributes match, well enough, an authority record the provider does not hold.</summary>
/// <param name="BaseTable">The base table.</param>
/// <param name="DatasetId">The provider's entry holding the record.</param>
/// <param name="Key">Its key, as delivered. Personal data: never logged.</param>
/// <param name="Authority">The authority's entry.</param>
/// <param name="SuggestedKey">The key of the authority record it matches.</param>
/// <param name="Weight">The Fellegi-Sunter match weight.</param>
/// <param name="Probability">The probability that the two records are the same entity.</param>
/// <param name="Reasons">Each linkage field's share of the weight, largest first.</param>
/// <param name="ExplanationZh">The link in plain Chinese words.</param>
/// <param name="ExplanationEn">The link in plain English words.</param>
public sealed record MisKeyedRecord(
    string BaseTable, string DatasetId, string Key, string Authority, string SuggestedKey, double Weight, double Probability,
    IReadOnlyList<FeatureReason> Reasons, string ExplanationZh, string ExplanationEn);

/// <summary>Finds records delivered under a wrong key (a mistyped ID number that still passes its check digit): per base
/// table whose providers key the same things (most of a provider's keys held by the authority), each provider's records whose key the authority (the provider that is the catalogue's authority for the most
/// attributes) does not hold are linked, with the Fellegi-Sunter engine, to the authority's records that provider does not
/// hold, on the attributes both describe (names, dates, enumerations, addresses).</summary>
public static class MisKeyedCheck
{
    /// <summary>Links whose probability is at least this are reported.</summary>
    public const double MinimumProbability = 0.9;

    /// <summary>Runs over the providers; <paramref name="keysTable"/> limits the records looked at to those keys (all when null).</summary>
    public static IReadOnlyList<MisKeyedRecord> Run(
        DuckDBConnection connection, IReadOnlyList<CheckedProvider> providers, string? keysTable, Action<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var found = new List<MisKeyedRecord>();
        foreach (var group in providers.GroupBy(p => p.Table.QualifiedName))
        {
            var members = group.ToList();
            if (members.Count < 2)
            {
                continue;
            }

            var authority = members
                .OrderByDescending(p => p.Attributes.Count(a => p.Authoritative.Contains(a.Name)))
                .ThenBy(p => p.DatasetId, StringComparer.Ordinal).First();
            foreach (var provider in members.Where(p => p != authority))
            {
                cancellationToken.ThrowIfCancellationRequested();
                found.AddRange(Link(connection, authority, provider, keysTable, progress, cancellationToken));
            }
        }

        return found;
    }

    private static IEnumerable<MisKeyedRecord> Link(
        DuckDBConnection connection, CheckedProvider authority, CheckedProvider provider, string? keysTable, Action<string>? progress, CancellationToken cancellationToken)
    {
        var fields = provider.Attributes
            .Where(a => authority.Attributes.Any(b => b.Name == a.Name))
            .Select(a => (Attribute: a, Type: AttributeKinds.Of(a) switch
            {
                AttributeKind.Name => FieldType.Name,
                AttributeKind.Date => FieldType.Date,
                AttributeKind.Enumeration => FieldType.Code,
                AttributeKind.Address => FieldType.Text,
                _ => (FieldType?)null,
            }))
            .Where(f => f.Type is not null)
            .Select(f => new LinkageField(f.Attribute.Name, f.Type!.Value))
            .ToList();
        if (fields.Count < 2)
        {
            yield break;
        }

        var key = LakeDuckDb.Identifier(provider.Table.Key);
        var columns = string.Join(", ", fields.Select(f => $"CAST({LakeDuckDb.Identifier(f.Name)} AS VARCHAR)"));
        var filter = keysTable is null ? "" : $" AND CAST({key} AS VARCHAR) IN (SELECT key FROM {keysTable})";
        var orphans = Read(connection, provider.DatasetId, fields,
            $"SELECT CAST({key} AS VARCHAR), {columns} FROM ({PairReader.Current(provider)}) p WHERE {key} IS NOT NULL{filter} " +
            $"AND {key} NOT IN (SELECT {key} FROM ({PairReader.Current(authority)}) a WHERE {key} IS NOT NULL) ORDER BY 1");
        if (orphans.Count == 0)
        {
            yield break;
        }

        // Keys are only comparable where the two providers key the same things: licence numbers of different issuers
        // share nothing, and every record of one would be an "orphan" of the other.
        var rows = Convert.ToInt64(LakeDuckDb.Scalar(connection, $"SELECT count(*) FROM ({PairReader.Current(provider)}) p WHERE {key} IS NOT NULL{filter}"),
            System.Globalization.CultureInfo.InvariantCulture);
        if (orphans.Count * 2 > rows)
        {
            progress?.Invoke($"{provider.DatasetId}: most of its keys are not {authority.DatasetId}'s; keys not compared");
            yield break;
        }

        var candidates = Read(connection, authority.DatasetId, fields,
            $"SELECT CAST({key} AS VARCHAR), {columns} FROM ({PairReader.Current(authority)}) a WHERE {key} IS NOT NULL " +
            $"AND {key} NOT IN (SELECT {key} FROM ({PairReader.Current(provider)}) p WHERE {key} IS NOT NULL) ORDER BY 1");
        if (candidates.Count == 0)
        {
            yield break;
        }

        var result = RecordLinker.Link(orphans, candidates, new LinkageOptions(), null, cancellationToken);
        progress?.Invoke($"{provider.DatasetId}: {orphans.Count:N0} keys the authority {authority.DatasetId} does not hold, linked against " +
            $"{candidates.Count:N0} of its records: {result.Pairs.Count(p => p.Probability >= MinimumProbability && Agrees(p)):N0} likely mis-keyed");
        foreach (var pair in result.Pairs.Where(p => p.Probability >= MinimumProbability && Agrees(p)))
        {
            var reasons = pair.Contributions
                .Where(c => c.Comparison.Level != ComparisonLevel.Missing)
                .Select(c => new FeatureReason(c.Field, c.Comparison.Score, Math.Round(c.Weight, 2), c.Field, c.Field))
                .ToList();
            yield return new MisKeyedRecord(provider.Table.QualifiedName, provider.DatasetId, pair.LeftId, authority.DatasetId, pair.RightId, pair.Weight, pair.Probability,
                reasons, LinkageExplanation.Explain(pair, english: false), LinkageExplanation.Explain(pair, english: true));
        }
    }

    // A probability alone is not enough where a provider has few such records (EM fitted on a handful): names and dates
    // (who it is, when born or founded) must agree or be close, and so must most of the fields both records fill.
    private static bool Agrees(LinkedPair pair)
    {
        var compared = pair.Contributions.Where(c => c.Comparison.Level != ComparisonLevel.Missing).ToList();
        var agreeing = compared.Count(c => c.Comparison.Level is ComparisonLevel.Exact or ComparisonLevel.Close);
        return compared.Where(c => c.Type is FieldType.Name or FieldType.Date).All(c => c.Comparison.Level is ComparisonLevel.Exact or ComparisonLevel.Close)
            && agreeing * 2 > compared.Count;
    }

    private static LinkageInput Read(DuckDBConnection connection, string name, IReadOnlyList<LinkageField> fields, string sql)
    {
        var input = new LinkageInput(name, fields);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new string?[fields.Count];
        while (reader.Read())
        {
            for (var i = 0; i < fields.Count; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
            }

            input.TryAdd(reader.GetString(0), values, out _);
        }

        return input;
    }
}
