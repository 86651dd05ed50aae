using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GovShare.Lake.Evidence;
using Org.BouncyCastle.Crypto;

namespace GovShare.Lake.Audit;

/// <summary>The result of checking the audit chain.</summary>
/// <param name="Ok">True when every entry is in place, unedited, in order, and every day's digest verifies and matches its day.</param>
/// <param name="Entries">Entries read.</param>
/// <param name="File">Where the first broken entry is.</param>
/// <param name="Line">Its line (1-based).</param>
/// <param name="Problem">What is wrong with it.</param>
/// <remarks>A problem in a day's digest has no line: <paramref name="File"/> is the digest, or the day's file when the
/// digest is sound and the file is not what it signed.</remarks>
public sealed record AuditVerification(bool Ok, long Entries, string? File, int? Line, string? Problem)
{
    /// <summary>Day digests whose signature and contents were checked (up to the problem, when there is one).</summary>
    public int Digests { get; init; }

    /// <summary>What is not wrong but not complete either: finished days not sealed yet.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>The append-only, hash-chained audit log: one JSON Lines file per China-time day in <c>audit/</c> of the
/// lake folder. Appends are queued and written by one background writer in batches (every 100 ms at most), each batch
/// under a lock file and flushed to disk, so that the request that caused an entry does not wait for the disk, several
/// processes (the host, the CLI) extend one chain, and a crash loses at most the batch in flight. Each day that is over
/// gets a signed digest (<see cref="AuditDigest"/>): made by the writer at its first write of a new day and at China
/// midnight, or by <see cref="SealDays(string, DateTimeOffset)"/>.</summary>
public sealed partial class AuditLog : IAsyncDisposable, IDisposable
{
    /// <summary>The folder, under the lake folder, of the log.</summary>
    public const string FolderName = "audit";

    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    private const string WriteLockName = ".lock";
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);
    private readonly string _lakeRoot;
    private readonly string _folder;
    private readonly TimeProvider _clock;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private DateOnly? _checkedDay;

    /// <summary>Opens the log of a lake folder and starts its writer.</summary>
    public AuditLog(string lakeRoot, TimeProvider clock)
    {
        // The folder is made by the first write: opening the log (every request's authentication does) changes nothing.
        _lakeRoot = lakeRoot;
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
            foreach (var (line, entry) in ReadFile(file))
            {
                yield return (file, line, entry);
            }
        }
    }

    /// <summary>Checks the whole log as of now with the lake's own platform key (see the other overload).</summary>
    public static AuditVerification Verify(string lakeRoot) => Verify(lakeRoot, DateTimeOffset.UtcNow, null);

    /// <summary>Checks the whole log, day by day: numbering without gaps, each entry's previous hash, each entry's own
    /// hash; then each day's digest: its signature, that it is this day's and follows the digest before it, and that
    /// the day's file still holds what it signed (count, last hash, SM3 of the bytes), which finds entries cut off the
    /// end of a day. Stops at the first problem.</summary>
    /// <param name="lakeRoot">The lake folder.</param>
    /// <param name="now">Which days are over (China time). A finished day without a digest is a warning while no later
    /// day has one (not sealed yet), and a failure once a later day has one (sealing goes in date order, so its digest
    /// was deleted).</param>
    /// <param name="publicKeys">The keys a digest may be signed with; null for the lake's own platform key. Give the
    /// published key to rule out a key pair replaced in the lake folder along with re-signed digests.</param>
    public static AuditVerification Verify(string lakeRoot, DateTimeOffset now, IReadOnlyList<AsymmetricKeyParameter>? publicKeys)
    {
        var folder = Path.Combine(lakeRoot, FolderName);
        if (!Directory.Exists(folder))
        {
            return new AuditVerification(true, 0, null, null, null);
        }

        var today = DateOnly.FromDateTime(ChinaTime.ToChina(now).DateTime);
        var days = Days(folder);
        var lastSealed = days.FindLastIndex(d => File.Exists(d.DigestPath));
        var keys = publicKeys is null ? null : publicKeys.Select(k => (Id: Sm.KeyId(k), Key: k)).ToList();
        long expected = 1;
        var previous = Genesis;
        var previousDigest = Genesis;
        var digests = 0;
        var warnings = new List<string>();
        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            var firstSeq = expected;
            var hasFile = File.Exists(day.FilePath);
            if (hasFile)
            {
                foreach (var (line, entry) in ReadFile(day.FilePath))
                {
                    var problem = ChainProblem(entry, expected, previous);
                    if (problem is not null)
                    {
                        return new AuditVerification(false, expected - 1, day.FilePath, line, problem) { Digests = digests, Warnings = warnings };
                    }

                    previous = entry!.Hash;
                    expected++;
                }
            }

            if (File.Exists(day.DigestPath))
            {
                keys ??= EvidenceVault.LoadPublicKey(lakeRoot) is { } platformKey ? [(Sm.KeyId(platformKey), platformKey)] : [];
                var bytes = File.ReadAllBytes(day.DigestPath);
                var (where, problem) = CheckDigest(day, bytes, hasFile, firstSeq, expected - 1, previous, previousDigest, keys);
                if (problem is not null)
                {
                    return new AuditVerification(false, expected - 1, where, null, problem) { Digests = digests, Warnings = warnings };
                }

                previousDigest = Sm.Sm3Hex(bytes);
                digests++;
            }
            else if (hasFile && day.Date < today)
            {
                if (i < lastSealed)
                {
                    return new AuditVerification(false, expected - 1, day.FilePath, null,
                        $"{day.FileName} has no digest although a later day is sealed ({Path.GetFileName(days[lastSealed].DigestPath)}), and days are sealed in order: its digest was deleted")
                    { Digests = digests, Warnings = warnings };
                }

                warnings.Add($"{day.FileName}: the day is over but not sealed yet (no {Path.GetFileName(day.DigestPath)}; 'govshare audit seal' makes it)");
            }
        }

        return new AuditVerification(true, expected - 1, null, null, null) { Digests = digests, Warnings = warnings };
    }

    /// <summary>What is wrong with an entry where entry number <paramref name="expected"/> following
    /// <paramref name="previous"/> should be, or null.</summary>
    private static string? ChainProblem(AuditEntry? entry, long expected, string previous)
    {
        if (entry is null)
        {
            return "the line is not an audit entry (edited or truncated)";
        }

        if (entry.Seq != expected)
        {
            return entry.Seq > expected
                ? $"entry {expected} is missing: the next one is {entry.Seq} (deleted)"
                : $"entry {entry.Seq} comes after entry {expected - 1} (reordered or duplicated)";
        }

        if (entry.PrevHash != previous)
        {
            return $"entry {entry.Seq} does not follow the entry before it (the chain is broken: reordered, replaced or an earlier entry edited)";
        }

        return entry.ComputeHash() != entry.Hash ? $"entry {entry.Seq} was edited: its content no longer matches its hash" : null;
    }

    private static IEnumerable<(int Line, AuditEntry? Entry)> ReadFile(string file)
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

            yield return (line, entry);
        }
    }

    private async Task WriteLoop()
    {
        var batch = new List<AuditEvent>();
        var waiting = new List<TaskCompletionSource>();
        while (true)
        {
            bool more;

            // Wake at China midnight too: the day just over is sealed then even when no entry follows it for hours
            // (a quiet weekend), which shortens the time in which its tail could be cut off unnoticed.
            using (var midnight = new CancellationTokenSource(UntilAfterMidnight(), _clock))
            {
                try
                {
                    more = await _queue.Reader.WaitToReadAsync(midnight.Token);
                }
                catch (OperationCanceledException) when (midnight.IsCancellationRequested)
                {
                    if (_checkedDay != ChinaTime.Today(_clock))
                    {
                        SealFinishedDays();
                    }

                    continue;
                }
            }

            if (!more)
            {
                break;
            }

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

                // A flush, a full batch, or the log closing (everything queued is read): write now. The window is
                // measured on the log's clock, which a test may hold still.
                if (waiting.Count > 0 || batch.Count >= 5000 || _queue.Reader.Completion.IsCompleted)
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

                    // The first write of a day (or of this process) seals the days before it: that covers a host
                    // that was down at midnight. Before the waiters are released, so that a flush includes it.
                    if (_checkedDay != ChinaTime.Today(_clock))
                    {
                        SealFinishedDays();
                    }
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

    private FileStream Lock() => Lock(Path.Combine(_folder, WriteLockName), TimeSpan.FromSeconds(5));

    /// <summary>Takes a lock file, trying every 10 ms for <paramref name="patience"/>.</summary>
    /// <exception cref="IOException">Someone else held it all that time.</exception>
    private static FileStream Lock(string path, TimeSpan patience)
    {
        var until = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
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
