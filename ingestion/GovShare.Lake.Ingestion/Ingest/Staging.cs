using System.Globalization;
using System.Collections.Concurrent;
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
