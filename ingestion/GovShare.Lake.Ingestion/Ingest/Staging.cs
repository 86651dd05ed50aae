using System.Globalization;
using System.Threading.Channels;
using GovShare.Lake.Ingestion.Formats;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>Reads a source's records on a thread of their own, in batches, a few batches ahead of the
/// consumer: splitting the file and checking the rows then use both cores.</summary>
internal static class RecordBatches
{
    private const int BatchSize = 512;

    public static IEnumerable<List<SourceRecord>> ReadAhead(IRecordSource source, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<List<SourceRecord>>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() =>
        {
            try
            {
                var batch = new List<SourceRecord>(BatchSize);
                foreach (var record in source.Records())
                {
                    batch.Add(record);
                    if (batch.Count == BatchSize)
                    {
                        WriteBlocking(channel.Writer, batch, stop.Token);
                        batch = new List<SourceRecord>(BatchSize);
                    }
                }

                if (batch.Count > 0)
                {
                    WriteBlocking(channel.Writer, batch, stop.Token);
                }

                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        try
        {
            while (true)
            {
                List<SourceRecord> next;
                try
                {
                    if (!channel.Reader.WaitToReadAsync(stop.Token).AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }

                    if (!channel.Reader.TryRead(out next!))
                    {
                        continue;
                    }
                }
                catch (ChannelClosedException ex) when (ex.InnerException is not null)
                {
                    // The reader's own failure (an undecodable byte, a damaged workbook), with its message.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }

                yield return next;
            }

            if (channel.Reader.Completion.IsFaulted)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(channel.Reader.Completion.Exception!.InnerException!).Throw();
            }
        }
        finally
        {
            // The consumer stopped early (an exception): stop the producer before the source is disposed.
            stop.Cancel();
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Expected when the consumer stopped first.
            }
        }
    }

    private static void WriteBlocking(ChannelWriter<List<SourceRecord>> writer, List<SourceRecord> batch, CancellationToken cancellationToken)
    {
        if (!writer.TryWrite(batch))
        {
            writer.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();
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
