using System.Diagnostics;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Consistency;

/// <summary>How a check runs.</summary>
public sealed record CheckOptions
{
    /// <summary>Material conflicts at least this likely are raised as mismatch reports (for a reviewer to confirm).</summary>
    public double FlagThreshold { get; init; } = 0.8;

    /// <summary>Compare every shared key, not only those changed since the last check.</summary>
    public bool Full { get; init; }

    /// <summary>The check's name in the reports it raises (<c>check:consistency</c>).</summary>
    public string Name { get; init; } = "consistency";
}

/// <summary>A difference the check raises for review: the value it doubts (the provider that is not the authority for the
/// attribute), the value it was compared with, the class, the score and why.</summary>
/// <param name="Classified">The classified pair.</param>
/// <param name="EntryId">The entry whose value is doubted.</param>
/// <param name="DoubtedValue">Its value.</param>
/// <param name="ReferenceEntry">The entry it was compared with.</param>
/// <param name="ReferenceValue">That entry's value.</param>
/// <param name="NormalisedDoubted">The doubted value normalised.</param>
/// <param name="NormalisedReference">The reference value normalised.</param>
/// <param name="Reasons">Why, strongest first.</param>
/// <param name="ExplanationZh">In plain words, Chinese.</param>
/// <param name="ExplanationEn">In plain words, English.</param>
/// <param name="ModelVersion">The model that classified it.</param>
/// <param name="SuggestedKey">For a mis-keyed record: the key it most likely belongs to.</param>
public sealed record Flag(
    Classified Classified, string EntryId, string? DoubtedValue, string ReferenceEntry, string? ReferenceValue,
    string? NormalisedDoubted, string? NormalisedReference, IReadOnlyList<FeatureReason> Reasons, string ExplanationZh, string ExplanationEn,
    string ModelVersion, string? SuggestedKey = null);

/// <summary>What one run of the check did.</summary>
/// <param name="At">When it ran.</param>
/// <param name="ModelVersion">The model it used.</param>
/// <param name="Incremental">True when only changed keys were compared.</param>
/// <param name="KeysCompared">Keys compared, summed over provider pairs.</param>
/// <param name="ValuesCompared">Values compared (at least one side present), summed over provider pairs and attributes.</param>
/// <param name="ByClass">Differing values per class.</param>
/// <param name="Raised">Reports raised (new ones; repeats of open or dismissed differences are not counted).</param>
/// <param name="Versions">The provider table versions checked.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record CheckRun(
    DateTimeOffset At, string ModelVersion, bool Incremental, long KeysCompared, long ValuesCompared, IReadOnlyDictionary<string, long> ByClass,
    int Raised, IReadOnlyDictionary<string, long> Versions, TimeSpan Elapsed);

/// <summary>The cross-provider consistency check (XY 12, GZ 22): for every key two or more providers hold, compares the
/// attributes both describe, classifies each difference with the model, keeps the classified differences in the lake's
/// Delta table <c>quality/differences</c>, and raises material conflicts for review.
/// Incremental: only keys changed since the provider table versions it last checked (the Delta change feed) are compared
/// again; the rest of the table is carried over.</summary>
public sealed class ConsistencyCheck(LakeLayout layout, IPlatformStore store, DivisionRegistry divisions)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The lake table of classified differences.</summary>
    public string DifferencesTable => layout.DifferencesTable;

    /// <summary>Where the versions last checked are kept.</summary>
    public string StatePath => Path.Combine(layout.Root, "quality", "check-state.json");

    /// <summary>The schema of <see cref="DifferencesTable"/> (<see cref="ClassifiedDifferences.Schema"/>).</summary>
    public static DeltaSchema DifferencesSchema => ClassifiedDifferences.Schema;

    /// <summary>Runs the check.</summary>
    /// <param name="classifier">The model.</param>
    /// <param name="modelVersion">Its version.</param>
    /// <param name="raise">Raises one flag as a report; returns true when a new report was filed.</param>
    /// <param name="now">The time of the run.</param>
    /// <param name="options">Threshold, full or incremental.</param>
    /// <param name="progress">Progress lines.</param>
    /// <param name="cancellationToken">Stops between provider pairs.</param>
    public CheckRun Run(
        DifferenceClassifier classifier, string modelVersion, Func<Flag, bool> raise, DateTimeOffset now, CheckOptions? options = null,
        Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(raise);
        options ??= new CheckOptions();
        var clock = Stopwatch.StartNew();
        var providers = CheckedProviders.Load(layout, store);
        var previous = options.Full ? null : ReadState();
        using var connection = LakeDuckDb.OpenInMemory();
        var compared = new List<ComparedPair>();
        var tallies = new List<PairTally>();
        var rechecked = new List<(string BaseTable, string? KeysTable)>();
        var misKeyed = new List<MisKeyedRecord>();
        var incremental = true;
        foreach (var group in providers.GroupBy(p => p.Table.QualifiedName))
        {
            var members = group.ToList();
            var keys = ChangedKeys(connection, members, previous, out var unchanged);
            if (unchanged)
            {
                progress?.Invoke($"{group.Key}: no provider table changed since the last check");
                continue;
            }

            incremental &= keys is not null;
            var scan = DifferenceScan.Run(connection, members, keys, divisions, progress, cancellationToken);
            compared.AddRange(scan.Pairs);
            tallies.AddRange(scan.Tallies);
            misKeyed.AddRange(MisKeyedCheck.Run(connection, members, keys, progress, cancellationToken));
            rechecked.Add((group.Key, keys));
        }

        var classified = classifier.Classify([.. compared.Select(c => (c.Pair, c.Features))]);
        var misKeyedPairs = misKeyed.Select(AsClassified).ToList();
        WriteDifferences(connection, [.. classified, .. misKeyedPairs], rechecked, modelVersion, now);
        var authorities = providers.ToDictionary(p => p.DatasetId, p => p.Authoritative, StringComparer.Ordinal);
        var raised = 0;
        var conflicts = classified.Where(c => c.Class == DifferenceClass.MaterialConflict && c.Score >= options.FlagThreshold).ToList();
        var explained = classifier.Explain(conflicts, divisions);
        for (var n = 0; n < conflicts.Count; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (raise(FlagOf(conflicts[n], explained[n], authorities, modelVersion)))
            {
                raised++;
            }
        }

        foreach (var (record, item) in misKeyed.Zip(misKeyedPairs))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var flag = new Flag(item, record.DatasetId, record.Key, record.Authority, record.SuggestedKey, record.Key, record.SuggestedKey, record.Reasons,
                $"疑似错键：该记录的属性与{record.Authority}中代码为另一值的记录匹配（匹配权重 {record.Weight:F1}，可能性 {record.Probability:P0}）：{record.ExplanationZh}",
                $"Possibly mis-keyed: the record's attributes match the {record.Authority} record of another key (match weight {record.Weight:F1}, " +
                $"{record.Probability:P0} likely): {record.ExplanationEn}", "linkage", record.SuggestedKey);
            if (raise(flag))
            {
                raised++;
            }
        }

        var versions = providers.ToDictionary(p => p.DatasetId, p => p.Snapshot.Version, StringComparer.Ordinal);
        WriteState(new CheckState(versions, modelVersion, now));
        return new CheckRun(now, modelVersion, incremental && previous is not null, tallies.Sum(t => t.SharedKeys), tallies.Sum(t => t.Compared.Values.Sum()),
            classified.Concat(misKeyedPairs).GroupBy(c => c.Class).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal), raised, versions, clock.Elapsed);
    }

    /// <summary>The flag of a classified pair: the side that is not the authority for the attribute is doubted.</summary>
    public static Flag FlagOf(Classified item, IReadOnlyList<FeatureReason> reasons, IReadOnlyDictionary<string, IReadOnlySet<string>> authorities, string modelVersion)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(authorities);
        var pair = item.Pair;
        var aIsAuthority = authorities.TryGetValue(pair.DatasetA, out var a) && a.Contains(pair.Attribute);
        var bIsAuthority = authorities.TryGetValue(pair.DatasetB, out var b) && b.Contains(pair.Attribute);
        var doubtA = bIsAuthority && !aIsAuthority;
        var (entry, doubted, reference, referenceValue) = doubtA
            ? (pair.DatasetA, pair.ValueA, pair.DatasetB, pair.ValueB)
            : (pair.DatasetB, pair.ValueB, pair.DatasetA, pair.ValueA);
        return new Flag(item, entry, doubted, reference, referenceValue, TextNormaliser.Normalise(doubted), TextNormaliser.Normalise(referenceValue),
            reasons, DifferenceClassifier.Words(item, reasons, english: false), DifferenceClassifier.Words(item, reasons, english: true), modelVersion);
    }

    // A mis-keyed record as a classified pair of the key attribute: the authority's key beside the key delivered.
    private static Classified AsClassified(MisKeyedRecord record)
    {
        var table = BaseDatabases.BaseDatabaseCatalog.Find(record.BaseTable)!;
        return new Classified(
            new ValuePair(record.BaseTable, record.Key, table.Key, AttributeKind.Code, record.Authority, record.SuggestedKey, record.DatasetId, record.Key),
            DifferenceClass.MisKeyed, record.Probability, []);
    }

    // The keys to compare again in one base table: null for all of them (a provider not checked before), or a temporary
    // table of the keys any provider's change feed touched since the version last checked.
    private static string? ChangedKeys(DuckDBConnection connection, IReadOnlyList<CheckedProvider> providers, CheckState? previous, out bool unchanged)
    {
        unchanged = false;
        if (previous is null || providers.Any(p => !previous.Versions.ContainsKey(p.DatasetId) || previous.Versions[p.DatasetId] > p.Snapshot.Version))
        {
            return null;
        }

        var changed = providers.Where(p => previous.Versions[p.DatasetId] < p.Snapshot.Version).ToList();
        if (changed.Count == 0)
        {
            unchanged = true;
            return null;
        }

        var name = "changed_" + Guid.NewGuid().ToString("N");
        var key = LakeDuckDb.Identifier(providers[0].Table.Key);
        try
        {
            var feeds = changed.Select(p =>
            {
                var changes = DeltaTable.Open(p.Snapshot.TablePath).Changes(previous.Versions[p.DatasetId], p.Snapshot.Version, [p.Table.Key]);
                return $"SELECT CAST({key} AS VARCHAR) AS key FROM ({changes.Query}) c";
            }).ToList();
            LakeDuckDb.Execute(connection, $"CREATE TEMP TABLE {name} AS SELECT DISTINCT key FROM ({string.Join(" UNION ALL ", feeds)}) f WHERE key IS NOT NULL");
            return name;
        }
        catch (Exception ex) when (ex is LakeException or IOException or DuckDBException)
        {
            // The version last checked is gone (vacuumed, or the schema changed since): compare every key again.
            return null;
        }
    }

    private void WriteDifferences(
        DuckDBConnection connection, IReadOnlyList<Classified> classified, IReadOnlyList<(string BaseTable, string? KeysTable)> rechecked, string modelVersion, DateTimeOffset now)
    {
        if (rechecked.Count == 0)
        {
            return;
        }

        var temp = "differences_" + Guid.NewGuid().ToString("N");
        LakeDuckDb.Execute(connection, $"CREATE TEMP TABLE {temp} (base_table VARCHAR, key VARCHAR, attribute VARCHAR, dataset_a VARCHAR, value_a VARCHAR, " +
            "dataset_b VARCHAR, value_b VARCHAR, class VARCHAR, score DOUBLE, model_version VARCHAR, checked_at TIMESTAMP)");
        using (var appender = connection.CreateAppender(temp))
        {
            foreach (var c in classified)
            {
                var p = c.Pair;
                appender.CreateRow().AppendValue(p.BaseTable).AppendValue(p.Key).AppendValue(p.Attribute).AppendValue(p.DatasetA).AppendValue(p.ValueA)
                    .AppendValue(p.DatasetB).AppendValue(p.ValueB).AppendValue(c.Class).AppendValue(c.Score).AppendValue(modelVersion)
                    .AppendValue(now.UtcDateTime).EndRow();
            }
        }

        var table = DeltaTable.Exists(DifferencesTable)
            ? DeltaTable.Open(DifferencesTable)
            : DeltaTable.Create(DifferencesTable, DifferencesSchema, name: "quality.differences",
                description: "Differences between providers' values of the same key and attribute, classified by the consistency check");
        var basis = table.Snapshot();

        // Carried over: the rows of base tables not checked again, and of keys not compared again.
        var kept = string.Join(" AND ", rechecked.Select(r => r.KeysTable is null
            ? $"base_table <> {LakeDuckDb.Literal(r.BaseTable)}"
            : $"NOT (base_table = {LakeDuckDb.Literal(r.BaseTable)} AND key IN (SELECT key FROM {r.KeysTable}))"));
        var old = basis.Files.Count == 0 ? null : $"SELECT * FROM ({basis.ToDuckDbQuery()}) o WHERE {kept}";
        var columns = string.Join(", ", DifferencesSchema.Fields.Select(f => LakeDuckDb.Identifier(f.Name)));
        var query = old is null ? $"SELECT {columns} FROM {temp}" : $"SELECT {columns} FROM ({old}) o UNION ALL SELECT {columns} FROM {temp}";
        table.Overwrite(connection, query + " ORDER BY base_table, key, attribute, dataset_a, dataset_b", basis);
        LakeDuckDb.Execute(connection, $"DROP TABLE {temp}");
    }

    private CheckState? ReadState() =>
        File.Exists(StatePath) ? JsonSerializer.Deserialize<CheckState>(File.ReadAllText(StatePath), Json) : null;

    private void WriteState(CheckState state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        var temporary = StatePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, Json));
        File.Move(temporary, StatePath, overwrite: true);
    }

    private sealed record CheckState(IReadOnlyDictionary<string, long> Versions, string ModelVersion, DateTimeOffset At);

}
