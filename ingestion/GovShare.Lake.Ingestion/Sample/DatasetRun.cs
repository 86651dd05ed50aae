using System.Globalization;
using System.Text;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>The labels of one dataset, written to part files while its rows stream out (the parts of all
/// datasets are joined in dataset order at the end, so the label files do not depend on which dataset
/// finished first).</summary>
internal sealed class DatasetRun : IDisposable
{
    private const int ProgressEvery = 8192;
    private readonly StreamWriter _disagreements;
    private readonly StreamWriter _invalid;
    private readonly StreamWriter _warnings;
    private readonly Action<long> _progress;
    private readonly CancellationToken _cancellationToken;
    private long _units;

    public DatasetRun(SampleDataset dataset, string partsFolder, int order, Action<long> progress, CancellationToken cancellationToken)
    {
        Dataset = dataset;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _disagreements = OpenPart(partsFolder, order, "disagreements");
        _invalid = OpenPart(partsFolder, order, "invalid-rows");
        _warnings = OpenPart(partsFolder, order, "warnings");
    }

    public SampleDataset Dataset { get; }

    /// <summary>Data rows written so far (copies of duplicated keys included).</summary>
    public long Rows { get; private set; }

    /// <summary>Rows listed in invalid-rows.csv.</summary>
    public long InvalidRows { get; private set; }

    /// <summary>Keys made up for this file (broken or mistyped identifiers), so that no two of them collide
    /// and create a duplicate nobody meant. Holds about 1 % of the rows at most.</summary>
    public HashSet<string> SyntheticKeys { get; } = new(StringComparer.Ordinal);

    public static string PartPath(string partsFolder, int order, string kind) =>
        Path.Combine(partsFolder, string.Create(CultureInfo.InvariantCulture, $"{order:D2}.{kind}.csv"));

    /// <summary>Counts one item walked through; reports progress and honours cancellation now and then.</summary>
    public void Tick()
    {
        if (++_units % ProgressEvery == 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _progress(_units);
        }
    }

    public void Finish() => _progress(_units);

    /// <summary>Records a deliberate disagreement between two providers' values for one key and attribute.</summary>
    public void Disagree(string keyKind, string key, string attribute, string datasetA, string? valueA, string datasetB, string? valueB, string label, string variant) =>
        WriteCsv(_disagreements, keyKind, key, attribute, datasetA, valueA, datasetB, valueB, label, variant);

    /// <summary>Numbers the rows (1 = first data row), lists the broken ones and the warnings, and delivers
    /// the copies of duplicated keys the requested number of rows later.</summary>
    public IEnumerable<string?[]> Number(IEnumerable<SampleRow> rows)
    {
        var pending = new List<(long Due, string?[] Values)>();
        foreach (var row in rows)
        {
            Rows++;
            if (row.InvalidReason is not null)
            {
                Invalid(row.InvalidField!, row.InvalidReason);
            }

            if (row.Warning is not null)
            {
                WriteCsv(_warnings, Dataset.Id, Dataset.FileName, Rows.ToString(CultureInfo.InvariantCulture), row.Warning);
            }

            if (row.DuplicateAfter > 0)
            {
                Invalid(Dataset.KeyColumn, "duplicate_key");
                pending.Add((Rows + row.DuplicateAfter, row.DuplicateValues ?? row.Values));
            }

            yield return row.Values;
            for (var i = 0; i < pending.Count; i++)
            {
                if (pending[i].Due <= Rows)
                {
                    var values = pending[i].Values;
                    pending.RemoveAt(i--);
                    Rows++;
                    Invalid(Dataset.KeyColumn, "duplicate_key");
                    yield return values;
                }
            }
        }

        foreach (var (_, values) in pending)
        {
            Rows++;
            Invalid(Dataset.KeyColumn, "duplicate_key");
            yield return values;
        }
    }

    public void Dispose()
    {
        _disagreements.Dispose();
        _invalid.Dispose();
        _warnings.Dispose();
    }

    private void Invalid(string field, string reason)
    {
        InvalidRows++;
        WriteCsv(_invalid, Dataset.Id, Dataset.FileName, Rows.ToString(CultureInfo.InvariantCulture), field, reason);
    }

    private static StreamWriter OpenPart(string folder, int order, string kind) =>
        new(PartPath(folder, order, kind), append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    private static void WriteCsv(StreamWriter writer, params ReadOnlySpan<string?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            CsvText.WriteField(writer, values[i], ',');
        }

        writer.Write('\n');
    }
}

/// <summary>RFC 4180 fields: quoted when they hold the delimiter, a quote, a line break or edge spaces.</summary>
internal static class CsvText
{
    public static void WriteField(TextWriter writer, string? value, char delimiter)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var needsQuotes = value.Contains(delimiter, StringComparison.Ordinal) || value.AsSpan().IndexOfAny('"', '\r', '\n') >= 0
            || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
        if (!needsQuotes)
        {
            writer.Write(value);
            return;
        }

        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
