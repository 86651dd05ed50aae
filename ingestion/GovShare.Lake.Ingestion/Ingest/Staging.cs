using System.Globalization;
using System.Collections.Concurrent;
using System.Text;
using System.Runtime.ExceptionServices;
using GovShare.Lake.Ingestion.Formats;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>Reads a source's records on a thread of their own, in batches, a few batches ahead of the
/// consumer: splitting the file and checking the rows then use both cores.</summary>
internal static class RecordBatches
{
    private const int BatchSize = 512;
    private const int BatchesAhead = 4;

    public static IEnumerable<List<SourceRecord>> ReadAhead(IRecordSource source, CancellationToken cancellationToken)
    {
        // A thread of its own (not the pool's): both ends block, and under `serve` the pool must stay free.
        using var queue = new BlockingCollection<List<SourceRecord>>(BatchesAhead);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                var batch = new List<SourceRecord>(BatchSize);
                foreach (var record in source.Records())
                {
                    batch.Add(record);
                    if (batch.Count == BatchSize)
                    {
                        queue.Add(batch, stop.Token);
                        batch = new List<SourceRecord>(BatchSize);
                    }
                }

                if (batch.Count > 0)
                {
                    queue.Add(batch, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped first.
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                queue.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "govshare-ingest-reader" };
        reader.Start();
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable(cancellationToken))
            {
                yield return batch;
            }

            reader.Join();
            if (failure is not null)
            {
                // The reader's own failure (an undecodable byte, a stray quote, a damaged workbook), as it was thrown.
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
        finally
        {
            // The consumer stopped early (an exception, cancellation): stop the reader before the source is disposed.
            stop.Cancel();
            reader.Join();
        }
    }
}

/// <summary>A rejected row with its problems and, when readable, its key.</summary>
internal sealed record RejectedRow(SourceRecord Record, FieldProblem First, IReadOnlyList<FieldProblem> More, string? Key);

/// <summary>One batch of rows checked by a worker: the accepted rows as staging text, the rejected ones, the
/// warnings, and the keys of the accepted rows (for duplicate detection on the staging thread).</summary>
internal sealed class CheckedBatch
{
    public required int Rows { get; init; }

    public required long Accepted { get; init; }

    public required string Text { get; init; }

    public required List<string> AcceptedKeys { get; init; }

    public required List<RejectedRow> Rejects { get; init; }

    public required List<(long Row, RowWarning Warning)> Warnings { get; init; }

    /// <summary>The accepted rows' production times, for an entry with <c>producedAt</c>.</summary>
    public ProductionTally? Production { get; init; }

    /// <summary>Checks a batch; safe to run on several threads at once (the checker keeps no state per row).</summary>
    public static CheckedBatch Check(List<SourceRecord> batch, RowChecker checker)
    {
        var typed = new object?[checker.Fields.Count];
        var problems = new List<FieldProblem>();
        var warnings = new List<RowWarning>();
        var text = new StringWriter(new StringBuilder(batch.Count * 160), CultureInfo.InvariantCulture);
        var production = checker.JudgesProduction ? new ProductionTally() : null;
        var keys = new List<string>(batch.Count);
        var rejects = new List<RejectedRow>();
        var found = new List<(long, RowWarning)>();
        long accepted = 0;
        foreach (var record in batch)
        {
            if (record.Malformed is { } malformed)
            {
                rejects.Add(new RejectedRow(record, new FieldProblem("", QuarantineReasons.MalformedRow, malformed), [], checker.TryKey(record.Values)));
                continue;
            }

            var deletion = checker.IsDeletion(record.Values);
            checker.Check(record.Values, typed, deletion, problems, warnings);
            if (problems.Count > 0)
            {
                // A row whose key itself is invalid (a typo) has no key here: the provider's record under a valid
                // key is then genuinely missing from a snapshot.
                rejects.Add(new RejectedRow(record, problems[0], problems.Skip(1).ToList(), typed[checker.KeyIndex] as string));
                continue;
            }

            foreach (var value in typed)
            {
                TypedText.Write(text, value);
                text.Write('\t');
            }

            text.Write(record.Row.ToString(CultureInfo.InvariantCulture));
            text.Write(deletion ? "\ttrue\n" : "\tfalse\n");
            if (production is not null)
            {
                // Tallied here, not staged: a column more per row costs more than the parse. Rows later quarantined as
                // duplicate keys are taken out by the duplicate pass.
                production.Add(checker.Production(record.Values, deletion, warnings, out var late), late);
            }

            foreach (var warning in warnings)
            {
                found.Add((record.Row, warning));
            }

            keys.Add((string)typed[checker.KeyIndex]!);
            accepted++;
        }

        return new CheckedBatch
        {
            Rows = batch.Count, Accepted = accepted, Text = text.ToString(), AcceptedKeys = keys, Rejects = rejects, Warnings = found, Production = production,
        };
    }
}

/// <summary>The newest production time among accepted rows, and the late ones (count and oldest), for an entry with
/// <c>producedAt</c>.</summary>
internal sealed class ProductionTally
{
    public DateTimeOffset? Newest { get; private set; }

    public long Late { get; private set; }

    public DateTimeOffset? OldestLate { get; private set; }

    public void Add(DateTimeOffset? produced, bool late)
    {
        if (produced is not { } at)
        {
            return;
        }

        if (Newest is null || at > Newest)
        {
            Newest = at;
        }

        if (late)
        {
            Late++;
            if (OldestLate is null || at < OldestLate)
            {
                OldestLate = at;
            }
        }
    }

    /// <summary>The same tally with fewer late records (late copies of a duplicated key, quarantined after all).</summary>
    public ProductionTally WithoutLate(long copies)
    {
        Late -= copies;
        OldestLate = Late == 0 ? null : OldestLate;
        return this;
    }

    public void Add(ProductionTally other)
    {
        if (other.Newest is { } newest && (Newest is null || newest > Newest))
        {
            Newest = newest;
        }

        Late += other.Late;
        if (other.OldestLate is { } oldest && (OldestLate is null || oldest < OldestLate))
        {
            OldestLate = oldest;
        }
    }
}

/// <summary>Finds keys delivered more than once without holding every key: a set of 64-bit hashes (FNV-1a),
/// and the keys whose hash was already there. A hash collision only makes the exact check look at one more
/// key.</summary>
internal sealed class KeyWatch
{
    private readonly HashSet<ulong> _seen = [];
    private readonly HashSet<string> _repeated = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Repeated => _repeated;

    public void Add(string key)
    {
        if (!_seen.Add(GovShare.Lake.Text.Fnv1a.Hash(key)))
        {
            _repeated.Add(key);
        }
    }
}

/// <summary>Typed values as the tab-separated text DuckDB loads staging tables from: ISO dates, invariant
/// numbers, quoted text where it holds a tab, quote or line break, <see cref="Null"/> for NULL.</summary>
internal static class TypedText
{
    public const string Null = "\\N";

    public static void Write(TextWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.Write(Null);
                break;
            case string s:
                if (s.AsSpan().IndexOfAny('\t', '"', '\n') >= 0 || s.Contains('\r', StringComparison.Ordinal) || s == Null)
                {
                    writer.Write('"');
                    writer.Write(s.Replace("\"", "\"\"", StringComparison.Ordinal));
                    writer.Write('"');
                }
                else
                {
                    writer.Write(s);
                }

                break;
            case DateOnly d:
                Span<char> buffer = stackalloc char[10];
                d.TryFormat(buffer, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                writer.Write(buffer[..written]);
                break;
            case DateTime t:
                writer.Write(t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00");
                break;
            case bool b:
                writer.Write(b ? "true" : "false");
                break;
            case IFormattable f:
                writer.Write(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"no staging text for {value.GetType()}");
        }
    }

}
