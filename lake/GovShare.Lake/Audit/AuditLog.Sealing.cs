using System.Globalization;
using System.Text.Json;
using GovShare.Lake.Evidence;
using Org.BouncyCastle.Crypto;

namespace GovShare.Lake.Audit;

/// <summary>The signed daily digests: sealing the days that are over, and checking a day against its digest.</summary>
public sealed partial class AuditLog
{
    private const string SealLockName = ".seal.lock";

    /// <summary>Seals every day that is over (China time, before <paramref name="now"/>'s day) and has no digest yet,
    /// oldest first, each after checking its chain: safe to run again and from several processes (the second finds
    /// nothing to do). A day whose chain is broken, or that is older than a digest that exists (its own was deleted),
    /// is not sealed, nor is any day after it: a digest vouches for a day that verified.</summary>
    public static AuditSealing SealDays(string lakeRoot, DateTimeOffset now) => SealDays(lakeRoot, now, TimeSpan.FromSeconds(30));

    /// <summary>Sealing, waiting up to <paramref name="patience"/> for another process that is sealing.</summary>
    /// <exception cref="IOException">Another process held the seal lock all that time.</exception>
    internal static AuditSealing SealDays(string lakeRoot, DateTimeOffset now, TimeSpan patience)
    {
        var folder = Path.Combine(lakeRoot, FolderName);
        var nothing = new AuditSealing([], null, null);
        var today = DateOnly.FromDateTime(ChinaTime.ToChina(now).DateTime);

        // A look without locks first: nearly every call finds nothing to seal and should neither wait nor make a key.
        if (!Directory.Exists(folder) || !Days(folder).Any(d => d.Date < today && File.Exists(d.FilePath) && !File.Exists(d.DigestPath)))
        {
            return nothing;
        }

        using var sealing = Lock(Path.Combine(folder, SealLockName), patience);

        // A batch that chose its file before midnight may still be writing it. Batches choose their file under the
        // writers' lock, so once that lock has been free, every later batch is dated after now: the day is complete.
        using (Lock(Path.Combine(folder, WriteLockName), TimeSpan.FromSeconds(5)))
        {
        }

        var days = Days(folder);
        var lastSealed = days.FindLastIndex(d => File.Exists(d.DigestPath));
        var done = new List<AuditSealedDay>();
        EvidenceVault? vault = null;
        long lastSeq = 0;
        var lastHash = Genesis;
        var previousDigest = Genesis;
        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            if (File.Exists(day.DigestPath))
            {
                // Sealed before: its digest is where the chain and the digests go on from ('audit verify' checks it).
                var bytes = File.ReadAllBytes(day.DigestPath);
                var digest = ParseDigest(bytes);
                if (digest is null)
                {
                    return new AuditSealing(done, day.DigestPath, $"{Path.GetFileName(day.DigestPath)} is not an audit digest; run 'govshare audit verify'");
                }

                (lastSeq, lastHash, previousDigest) = (digest.LastSeq, digest.LastHash, Sm.Sm3Hex(bytes));
                continue;
            }

            if (!File.Exists(day.FilePath))
            {
                continue;
            }

            if (day.Date >= today)
            {
                break;
            }

            if (day.Date is not null && i < lastSealed)
            {
                return new AuditSealing(done, day.FilePath,
                    $"{day.FileName} has no digest although a later day is sealed: its digest was deleted; run 'govshare audit verify'");
            }

            var firstSeq = lastSeq + 1;
            foreach (var (line, entry) in ReadFile(day.FilePath))
            {
                var problem = ChainProblem(entry, lastSeq + 1, lastHash);
                if (problem is not null)
                {
                    return new AuditSealing(done, day.FilePath, $"line {line}: {problem}");
                }

                (lastSeq, lastHash) = (entry!.Seq, entry.Hash);
            }

            if (day.Date is null)
            {
                // Not a day of the writer's: part of the chain, never sealed.
                continue;
            }

            vault ??= new EvidenceVault(lakeRoot);
            var sealedDigest = new AuditDigest
            {
                Date = day.Date.Value,
                File = day.FileName,
                Entries = lastSeq - firstSeq + 1,
                FirstSeq = firstSeq,
                LastSeq = lastSeq,
                LastHash = lastHash,
                FileSm3 = Sm3OfFile(day.FilePath),
                PreviousDigestSm3 = previousDigest,
                CreatedAt = now.ToUniversalTime(),
                KeyId = vault.KeyId,
            };
            sealedDigest = sealedDigest with { Signature = vault.Sign(sealedDigest.SignedBytes()) };
            var written = JsonSerializer.SerializeToUtf8Bytes(sealedDigest, AuditDigest.Json);
            WriteNew(day.DigestPath, written);
            previousDigest = Sm.Sm3Hex(written);
            done.Add(new AuditSealedDay(day.DigestPath, previousDigest, sealedDigest));
        }

        return done.Count == 0 ? nothing : new AuditSealing(done, null, null);
    }

    /// <summary>The writer's sealing: never waits for another sealer and never fails the batch.</summary>
    private void SealFinishedDays()
    {
        var now = _clock.GetUtcNow();
        try
        {
            SealDays(_lakeRoot, now, TimeSpan.Zero);
        }
        catch (Exception)
        {
            // Any failure, not only the expected ones (another process sealing right now, a full disk, an unreadable
            // key): an exception out of here would stop the writer, and every later entry would be lost. A day left
            // unsealed is sealed by the next day's first write or 'govshare audit seal'; 'audit verify' warns meanwhile.
        }

        _checkedDay = DateOnly.FromDateTime(ChinaTime.ToChina(now).DateTime);
    }

    /// <summary>How long until one second after the next China midnight.</summary>
    private TimeSpan UntilAfterMidnight()
    {
        var now = ChinaTime.Now(_clock);
        var midnight = new DateTimeOffset(now.Date.AddDays(1), ChinaTime.Offset);
        return midnight - now + TimeSpan.FromSeconds(1);
    }

    /// <summary>Where a day's digest is wrong (the digest, or the day's file when the digest is sound), and how.</summary>
    private static (string Where, string? Problem) CheckDigest(
        DayFile day, byte[] bytes, bool hasFile, long firstSeq, long lastSeq, string lastHash, string previousDigest,
        List<(string Id, AsymmetricKeyParameter Key)> keys)
    {
        var name = Path.GetFileName(day.DigestPath);
        var digest = ParseDigest(bytes);
        if (digest is null)
        {
            return (day.DigestPath, $"{name} is not an audit digest (edited or truncated)");
        }

        if (digest.Format != AuditDigest.CurrentFormat)
        {
            return (day.DigestPath, $"{name} is in an unknown format '{digest.Format}'");
        }

        if (keys.Count == 0)
        {
            return (day.DigestPath, $"there is no platform public key (keys/{EvidenceVault.PublicKeyFileName}) to check {name}'s signature with");
        }

        var key = keys.FirstOrDefault(k => k.Id == digest.KeyId).Key;
        if (key is null)
        {
            return (day.DigestPath, $"{name} is signed by key {digest.KeyId}, not by the platform key ({string.Join(", ", keys.Select(k => k.Id))}): another key signed it");
        }

        if (!Sm.Verify(key, digest.SignedBytes(), digest.Signature))
        {
            return (day.DigestPath, $"{name}'s signature does not verify with platform key {digest.KeyId}: the digest was altered after signing (or another key signed it)");
        }

        // Signed by the platform, but is it this day's? A digest moved to another day's name still verifies.
        if (digest.Date != day.Date || digest.File != day.FileName)
        {
            return (day.DigestPath, $"{name} is the signed digest of {digest.File} ({digest.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}), not of {day.FileName}: digests were swapped or renamed");
        }

        if (digest.PreviousDigestSm3 != previousDigest)
        {
            return (day.DigestPath, $"{name} does not follow the digest before it (it names another previous digest): an earlier digest was replaced or deleted");
        }

        if (!hasFile)
        {
            return (day.FilePath, $"{day.FileName} is missing, but its signed digest {name} says it held entries {digest.FirstSeq} to {digest.LastSeq}: the day's file was deleted");
        }

        if (lastSeq < digest.LastSeq)
        {
            return (day.FilePath, $"{day.FileName} ends at entry {lastSeq}, but its signed digest says the day ended at entry {digest.LastSeq}: " +
                (digest.LastSeq - lastSeq == 1 ? $"entry {digest.LastSeq} was" : $"entries {lastSeq + 1} to {digest.LastSeq} were") +
                " deleted from the end of the day");
        }

        if (lastSeq > digest.LastSeq)
        {
            return (day.FilePath, $"{day.FileName} goes on to entry {lastSeq}, but its signed digest says the day ended at entry {digest.LastSeq}: entries were added after the day was sealed");
        }

        if (firstSeq != digest.FirstSeq)
        {
            return (day.FilePath, $"{day.FileName} starts at entry {firstSeq}, but its signed digest says {digest.FirstSeq}: entries were moved between days");
        }

        if (lastHash != digest.LastHash)
        {
            return (day.FilePath, $"{day.FileName}'s last entry is not the one its digest signed: the day's entries were rewritten");
        }

        return Sm3OfFile(day.FilePath) != digest.FileSm3
            ? (day.FilePath, $"{day.FileName}'s bytes are not the ones sealed (SM3 differs from the digest's), though every entry checks: the file was rewritten")
            : (day.DigestPath, null);
    }

    private static AuditDigest? ParseDigest(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditDigest>(bytes, AuditDigest.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Sm3OfFile(string path)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Sm.Sm3Hex(input);
    }

    /// <summary>Writes a file that must not exist yet, whole or not at all (a crash leaves no half digest behind).</summary>
    private static void WriteNew(string path, byte[] bytes)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            output.Write(bytes);
            output.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: false);
    }

    /// <summary>The days of the log: every day file and every digest, by name (the date's order).</summary>
    private static List<DayFile> Days(string folder) =>
        Directory.EnumerateFiles(folder, "audit-*.jsonl").Select(f => Path.GetFileName(f)[..^".jsonl".Length])
            .Concat(Directory.EnumerateFiles(folder, "audit-*.digest.json").Select(f => Path.GetFileName(f)[..^".digest.json".Length]))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(stem => new DayFile(
                stem,
                DateOnly.TryParseExact(stem["audit-".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null,
                Path.Combine(folder, stem + ".jsonl"),
                Path.Combine(folder, stem + ".digest.json")))
            .ToList();

    /// <summary>One day of the log. <paramref name="Date"/> is null for a file not named after a date (only the
    /// writer names files, so only a hand would), which is checked for the chain but never sealed.</summary>
    private sealed record DayFile(string Stem, DateOnly? Date, string FilePath, string DigestPath)
    {
        public string FileName => Stem + ".jsonl";
    }
}
