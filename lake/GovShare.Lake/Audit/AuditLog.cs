using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace GovShare.Lake.Audit;

/// <summary>The result of checking the audit chain.</summary>
/// <param name="Ok">True when every entry is in place, unedited, in order.</param>
/// <param name="Entries">Entries read.</param>
/// <param name="File">Where the first broken entry is.</param>
/// <param name="Line">Its line (1-based).</param>
/// <param name="Problem">What is wrong with it.</param>
public sealed record AuditVerification(bool Ok, long Entries, string? File, int? Line, string? Problem);

/// <summary>The append-only, hash-chained audit log: one JSON Lines file per China-time day in <c>audit/</c> of the
/// lake folder. Appends are queued and written by one background writer in batches (every 100 ms at most), each batch
/// under a lock file and flushed to disk, so that the request that caused an entry does not wait for the disk, several
/// processes (the host, the CLI) extend one chain, and a crash loses at most the batch in flight.</summary>
public sealed class AuditLog : IAsyncDisposable, IDisposable
{
    /// <summary>The folder, under the lake folder, of the log.</summary>
    public const string FolderName = "audit";

    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);
    private readonly string _folder;
    private readonly TimeProvider _clock;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    /// <summary>Opens the log of a lake folder and starts its writer.</summary>
    public AuditLog(string lakeRoot, TimeProvider clock)
    {
        // The folder is made by the first write: opening the log (every request's authentication does) changes nothing.
        _folder = Path.Combine(lakeRoot, FolderName);
        _clock = clock;
        _writer = Task.Run(WriteLoop);
    }

    /// <summary>Queues an event; it is on disk within about 100 ms (<see cref="FlushAsync"/> waits for it).</summary>
    public void Append(AuditEvent auditEvent) => _queue.Writer.TryWrite(auditEvent);

    /// <summary>Waits until everything queued so far is on disk.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(done) ? done.Task : Task.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    /// <summary>Writes what is queued and stops the writer (for hosts that dispose synchronously).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }

    /// <summary>The keyed hash under which a person's or entity's key is recorded: HMAC-SHA-256 with the lake's own
    /// secret (<c>keys/audit-subjects.key</c>, made on first use), so that the log can answer "who looked at this
    /// person" without holding identity numbers, and a stolen log cannot be searched by trying every number.</summary>
    public static string SubjectHash(string lakeRoot, string key)
    {
        var secret = SubjectSecret(lakeRoot);
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(key.Trim().ToUpperInvariant())));
    }

    /// <summary>Every entry, oldest first, with where it is.</summary>
    public static IEnumerable<(string File, int Line, AuditEntry? Entry)> Read(string lakeRoot)
    {
        var folder = Path.Combine(lakeRoot, FolderName);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "audit-*.jsonl").Order(StringComparer.Ordinal))
        {
            var line = 0;
            foreach (var text in File.ReadLines(file))
            {
                line++;
                AuditEntry? entry;
                try
                {
                    entry = JsonSerializer.Deserialize<AuditEntry>(text, AuditEntry.Json);
                }
                catch (JsonException)
                {
                    entry = null;
                }

                yield return (file, line, entry);
            }
        }
    }

    /// <summary>Checks the whole chain: numbering without gaps, each entry's previous hash, each entry's own hash.</summary>
    public static AuditVerification Verify(string lakeRoot)
    {
        long expected = 1;
        var previous = Genesis;
        foreach (var (file, line, entry) in Read(lakeRoot))
        {
            string? problem = null;
            if (entry is null)
            {
                problem = "the line is not an audit entry (edited or truncated)";
            }
            else if (entry.Seq != expected)
            {
                problem = entry.Seq > expected
                    ? $"entry {expected} is missing: the next one is {entry.Seq} (deleted)"
                    : $"entry {entry.Seq} comes after entry {expected - 1} (reordered or duplicated)";
            }
            else if (entry.PrevHash != previous)
            {
                problem = $"entry {entry.Seq} does not follow the entry before it (the chain is broken: reordered, replaced or an earlier entry edited)";
            }
            else if (entry.ComputeHash() != entry.Hash)
            {
                problem = $"entry {entry.Seq} was edited: its content no longer matches its hash";
            }

            if (problem is not null)
            {
                return new AuditVerification(false, expected - 1, file, line, problem);
            }

            previous = entry!.Hash;
            expected++;
        }

        return new AuditVerification(true, expected - 1, null, null, null);
    }

    private async Task WriteLoop()
    {
        var batch = new List<AuditEvent>();
        var waiting = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Gather what arrives within the window: one lock, one write and one flush for all of it.
            var until = _clock.GetUtcNow() + BatchWindow;
            do
            {
                while (batch.Count < 5000 && _queue.Reader.TryRead(out var item))
                {
                    if (item is AuditEvent auditEvent)
                    {
                        batch.Add(auditEvent);
                    }
                    else if (item is TaskCompletionSource done)
                    {
                        waiting.Add(done);
                    }
                }

                if (waiting.Count > 0 || batch.Count >= 5000)
                {
                    break;
                }

                await Task.Delay(10);
            }
            while (_clock.GetUtcNow() < until);

            try
            {
                if (batch.Count > 0)
                {
                    WriteBatch(batch);
                }

                waiting.ForEach(w => w.TrySetResult());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                waiting.ForEach(w => w.TrySetException(ex));
            }

            batch.Clear();
            waiting.Clear();
        }
    }

    private void WriteBatch(List<AuditEvent> batch)
    {
        Directory.CreateDirectory(_folder);
        using var gate = Lock();
        var (seq, hash) = Head();
        var now = _clock.GetUtcNow();
        var file = Path.Combine(_folder, string.Create(CultureInfo.InvariantCulture, $"audit-{ChinaTime.ToChina(now):yyyyMMdd}.jsonl"));
        using var output = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.Read);
        foreach (var auditEvent in batch)
        {
            var entry = new AuditEntry { Seq = ++seq, At = now, Event = auditEvent, PrevHash = hash };
            entry = entry with { Hash = entry.ComputeHash() };
            hash = entry.Hash;
            output.Write(JsonSerializer.SerializeToUtf8Bytes(entry, AuditEntry.Json));
            output.WriteByte((byte)'\n');
        }

        output.Flush(flushToDisk: true);
    }

    /// <summary>The last entry's number and hash, read from the newest file's end (another process may have written).</summary>
    private (long Seq, string Hash) Head()
    {
        var newest = Directory.EnumerateFiles(_folder, "audit-*.jsonl").Order(StringComparer.Ordinal).LastOrDefault(f => new FileInfo(f).Length > 0);
        if (newest is null)
        {
            return (0, Genesis);
        }

        using var input = new FileStream(newest, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var tail = (int)Math.Min(input.Length, 1 << 20);
        input.Seek(-tail, SeekOrigin.End);
        var buffer = new byte[tail];
        input.ReadExactly(buffer);
        var lines = Encoding.UTF8.GetString(buffer).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = JsonSerializer.Deserialize<AuditEntry>(lines[^1], AuditEntry.Json)
            ?? throw new LakeException(LakeErrorKind.Corrupt, $"the last line of {newest} is not an audit entry; run 'govshare audit verify'.");
        return (last.Seq, last.Hash);
    }

    private FileStream Lock()
    {
        var path = Path.Combine(_folder, ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 500)
            {
                Thread.Sleep(10);
            }
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Secrets = new(StringComparer.Ordinal);

    // Read once per lake and process: lookups hash several keys each.
    private static byte[] SubjectSecret(string lakeRoot) => Secrets.GetOrAdd(Path.GetFullPath(lakeRoot), LoadSubjectSecret);

    private static byte[] LoadSubjectSecret(string lakeRoot)
    {
        var path = Path.Combine(lakeRoot, "keys", "audit-subjects.key");
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var output = new FileStream(path, options);
            output.Write(RandomNumberGenerator.GetBytes(32));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process made it first.
        }

        return File.ReadAllBytes(path);
    }
}
