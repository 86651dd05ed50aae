using System.Text.Json;
using GovShare.Lake.Audit;
using GovShare.Lake.Evidence;

namespace GovShare.Lake.Tests.Audit;

/// <summary>The signed daily digests on disk: the writer seals a day when the next one starts, sealing again changes
/// nothing, and what the chain alone cannot see (a day's tail cut off) or what forges a digest (an edit, a swap,
/// another key) is found with the day and the reason.</summary>
public sealed class AuditDigestTests : IDisposable
{
    /// <summary>Day 1 of the log, 10:00 in China; day n is n - 1 days later.</summary>
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 10, 0, 0, ChinaTime.Offset);

    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-audit-digest-").FullName;
    private readonly ManualClock _clock = new(Day1);

    private string Folder => Path.Combine(_lake, AuditLog.FolderName);

    [Fact]
    public async Task Writer_Should_SealTheFinishedDay_When_TheNextDaysFirstEntryIsWritten()
    {
        await WriteDays(3, 2);

        var digest = ReadDigest(1);
        var dayOne = File.ReadAllLines(DayFile(1)).Select(l => JsonSerializer.Deserialize<AuditEntry>(l, AuditEntry.Json)!).ToList();
        var vault = new EvidenceVault(_lake);
        var result = AuditLog.Verify(_lake, Day(2), null);

        Assert.False(File.Exists(DigestFile(2)));
        Assert.Equal(new DateOnly(2026, 3, 1), digest.Date);
        Assert.Equal("audit-20260301.jsonl", digest.File);
        Assert.Equal((3L, 1L, 3L), (digest.Entries, digest.FirstSeq, digest.LastSeq));
        Assert.Equal(dayOne[^1].Hash, digest.LastHash);
        Assert.Equal(Sm.Sm3Hex(File.ReadAllBytes(DayFile(1))), digest.FileSm3);
        Assert.Equal(AuditLog.Genesis, digest.PreviousDigestSm3);
        Assert.Equal(vault.KeyId, digest.KeyId);
        Assert.True(Sm.Verify(vault.PublicKey, digest.SignedBytes(), digest.Signature));
        Assert.True(result.Ok, result.Problem);
        Assert.Equal((5L, 1), (result.Entries, result.Digests));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task SealDays_Should_SealEachFinishedDayOnce_When_RunTwice()
    {
        await WriteDays(3, 2, 4);
        var before = AuditLog.Verify(_lake, Day(4), null);

        var first = AuditLog.SealDays(_lake, Day(4));
        var written = File.ReadAllBytes(DigestFile(3));
        var second = AuditLog.SealDays(_lake, Day(4));
        var after = AuditLog.Verify(_lake, Day(4), null);

        Assert.True(before.Ok, before.Problem);
        Assert.Equal(2, before.Digests);
        Assert.Contains("audit-20260303.jsonl: the day is over but not sealed yet", Assert.Single(before.Warnings), StringComparison.Ordinal);
        Assert.Equal(DigestFile(3), Assert.Single(first.Sealed).Path);
        Assert.Null(first.Problem);
        Assert.Empty(second.Sealed);
        Assert.Null(second.Problem);
        Assert.Equal(written, File.ReadAllBytes(DigestFile(3)));
        Assert.Equal(3, Directory.GetFiles(Folder, "*.digest.json").Length);
        Assert.Equal(Sm.Sm3Hex(File.ReadAllBytes(DigestFile(2))), ReadDigest(3).PreviousDigestSm3);
        Assert.True(after.Ok, after.Problem);
        Assert.Equal((9L, 3), (after.Entries, after.Digests));
        Assert.Empty(after.Warnings);
    }

    [Fact]
    public async Task SealDays_Should_SealEveryFinishedDayInOrder_But_NotToday_When_NoDigestWasMadeAtMidnight()
    {
        await WriteDays(2, 3, 1);
        foreach (var digest in Directory.GetFiles(Folder, "*.digest.json"))
        {
            File.Delete(digest);
        }

        var sealing = AuditLog.SealDays(_lake, Day(3));
        var result = AuditLog.Verify(_lake, Day(3), null);

        Assert.Equal([new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2)], sealing.Sealed.Select(s => s.Digest.Date));
        Assert.Equal(sealing.Sealed[0].DigestSm3, sealing.Sealed[1].Digest.PreviousDigestSm3);
        Assert.False(File.Exists(DigestFile(3)));
        Assert.True(result.Ok, result.Problem);
        Assert.Equal(2, result.Digests);
    }

    [Fact]
    public async Task Verify_Should_FindTheEditedEntry_When_ASealedDayWasEdited()
    {
        await WriteDays(3, 1);
        var lines = File.ReadAllLines(DayFile(1));
        lines[1] = lines[1].Replace("\"agency\":\"psb\"", "\"agency\":\"tax\"", StringComparison.Ordinal);
        File.WriteAllLines(DayFile(1), lines);

        var result = AuditLog.Verify(_lake, Day(2), null);

        Assert.False(result.Ok);
        Assert.Equal((DayFile(1), 2), (result.File, result.Line));
        Assert.Contains("entry 2 was edited", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_Should_FindTheCutTail_When_TheLastEntryOfASealedDayWasDeleted(bool laterDayExists)
    {
        // Without a later day, nothing but the digest knows that the day had a fourth entry.
        await WriteDays(laterDayExists ? [4, 2] : [4]);
        AuditLog.SealDays(_lake, Day(2));
        var chainBefore = AuditLog.Verify(_lake, Day(2), null);
        File.WriteAllLines(DayFile(1), File.ReadAllLines(DayFile(1))[..^1]);

        var result = AuditLog.Verify(_lake, Day(2), null);

        Assert.True(chainBefore.Ok, chainBefore.Problem);
        Assert.False(result.Ok);
        Assert.Equal(DayFile(1), result.File);
        Assert.Null(result.Line);
        Assert.Contains("ends at entry 3, but its signed digest says the day ended at entry 4: entry 4 was deleted from the end of the day", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Should_FindTheAlteredDigest_When_ItWasChangedToMatchACutTail()
    {
        await WriteDays(4, 1);
        var lines = File.ReadAllLines(DayFile(1));
        File.WriteAllLines(DayFile(1), lines[..^1]);
        var kept = JsonSerializer.Deserialize<AuditEntry>(lines[^2], AuditEntry.Json)!;
        var digest = ReadDigest(1) with { Entries = 3, LastSeq = 3, LastHash = kept.Hash, FileSm3 = Sm.Sm3Hex(File.ReadAllBytes(DayFile(1))) };
        File.WriteAllBytes(DigestFile(1), JsonSerializer.SerializeToUtf8Bytes(digest, AuditDigest.Json));

        var result = AuditLog.Verify(_lake, Day(2), null);

        Assert.False(result.Ok);
        Assert.Equal(DigestFile(1), result.File);
        Assert.Contains("signature does not verify with platform key", result.Problem, StringComparison.Ordinal);
        Assert.Contains("altered", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Should_FindTheSwap_When_TwoDaysDigestsTradedPlaces()
    {
        await WriteDays(2, 2, 1);
        var (one, two) = (File.ReadAllBytes(DigestFile(1)), File.ReadAllBytes(DigestFile(2)));
        File.WriteAllBytes(DigestFile(1), two);
        File.WriteAllBytes(DigestFile(2), one);

        var result = AuditLog.Verify(_lake, Day(3), null);

        Assert.False(result.Ok);
        Assert.Equal(DigestFile(1), result.File);
        Assert.Contains("is the signed digest of audit-20260302.jsonl (2026-03-02), not of audit-20260301.jsonl: digests were swapped or renamed", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_Should_RejectTheDigest_When_AnotherKeySignedIt(bool forgerClaimsThePlatformKeyId)
    {
        // A forger cuts the day's last entry and signs a digest that matches what is left with a key of their own.
        await WriteDays(4, 1);
        var lines = File.ReadAllLines(DayFile(1));
        File.WriteAllLines(DayFile(1), lines[..^1]);
        var kept = JsonSerializer.Deserialize<AuditEntry>(lines[^2], AuditEntry.Json)!;
        var forgerKey = Sm.GenerateKeyPair();
        var platformKeyId = ReadDigest(1).KeyId;
        var forged = ReadDigest(1) with
        {
            Entries = 3,
            LastSeq = 3,
            LastHash = kept.Hash,
            FileSm3 = Sm.Sm3Hex(File.ReadAllBytes(DayFile(1))),
            KeyId = forgerClaimsThePlatformKeyId ? platformKeyId : Sm.KeyId(forgerKey.Public),
        };
        forged = forged with { Signature = Sm.Sign(forgerKey.Private, forged.SignedBytes()) };
        File.WriteAllBytes(DigestFile(1), JsonSerializer.SerializeToUtf8Bytes(forged, AuditDigest.Json));

        var result = AuditLog.Verify(_lake, Day(2), null);

        Assert.False(result.Ok);
        Assert.Equal(DigestFile(1), result.File);
        Assert.Contains(
            forgerClaimsThePlatformKeyId
                ? $"signature does not verify with platform key {platformKeyId}"
                : $"is signed by key {Sm.KeyId(forgerKey.Public)}, not by the platform key ({platformKeyId}): another key signed it",
            result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Should_RejectResignedDigests_When_TheLakesKeyPairWasReplaced_And_ThePublishedKeyIsGiven()
    {
        await WriteDays(4);
        AuditLog.SealDays(_lake, Day(2));
        var published = new EvidenceVault(_lake).PublicKey;

        // Someone who can write the whole lake folder cuts the newest day's tail, makes a key pair of their own and
        // seals again: the lake's own key now vouches for it, the published one does not.
        File.WriteAllLines(DayFile(1), File.ReadAllLines(DayFile(1))[..^1]);
        Directory.Delete(Path.Combine(_lake, "keys"), recursive: true);
        File.Delete(DigestFile(1));
        AuditLog.SealDays(_lake, Day(2));

        var withTheLakesKey = AuditLog.Verify(_lake, Day(2), null);
        var withThePublishedKey = AuditLog.Verify(_lake, Day(2), [published]);

        Assert.True(withTheLakesKey.Ok, withTheLakesKey.Problem);
        Assert.False(withThePublishedKey.Ok);
        Assert.Contains("another key signed it", withThePublishedKey.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Should_Fail_When_ASealedDaysFileWasDeleted_But_ItsDigestRemains()
    {
        await WriteDays(2, 3);
        AuditLog.SealDays(_lake, Day(3));
        File.Delete(DayFile(2));

        var result = AuditLog.Verify(_lake, Day(3), null);

        Assert.False(result.Ok);
        Assert.Equal(DayFile(2), result.File);
        Assert.Contains("audit-20260302.jsonl is missing, but its signed digest audit-20260302.digest.json says it held entries 3 to 5: the day's file was deleted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAndSeal_Should_Fail_When_ADigestWasDeleted_But_ALaterDayIsSealed()
    {
        await WriteDays(2, 2, 1);
        File.Delete(DigestFile(1));

        var result = AuditLog.Verify(_lake, Day(3), null);
        var sealing = AuditLog.SealDays(_lake, Day(3));

        Assert.False(result.Ok);
        Assert.Equal(DayFile(1), result.File);
        Assert.Contains("has no digest although a later day is sealed (audit-20260302.digest.json), and days are sealed in order: its digest was deleted", result.Problem, StringComparison.Ordinal);
        Assert.Empty(sealing.Sealed);
        Assert.Contains("its digest was deleted", sealing.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(DigestFile(1)));
    }

    [Fact]
    public async Task SealDays_Should_RefuseTheDay_When_AnEntryWasEditedBeforeItWasSealed()
    {
        await WriteDays(3);
        var lines = File.ReadAllLines(DayFile(1));
        lines[2] = lines[2].Replace("\"rows\":2", "\"rows\":2000", StringComparison.Ordinal);
        File.WriteAllLines(DayFile(1), lines);

        var sealing = AuditLog.SealDays(_lake, Day(2));

        Assert.Empty(sealing.Sealed);
        Assert.Equal(DayFile(1), sealing.File);
        Assert.Contains("line 3: entry 3 was edited", sealing.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(DigestFile(1)));
    }

    /// <summary>Writes <paramref name="counts"/>[d] entries on day d + 1, one writer throughout (as a host would).</summary>
    private async Task WriteDays(params int[] counts)
    {
        await using var log = new AuditLog(_lake, _clock);
        for (var d = 0; d < counts.Length; d++)
        {
            _clock.Now = Day(d + 1);
            for (var i = 0; i < counts[d]; i++)
            {
                log.Append(new AuditEvent("psb", "张三", "test", "query", ["population.persons"], null, [], i, "allowed", 200));
            }

            await log.FlushAsync();
        }
    }

    private static DateTimeOffset Day(int n) => Day1.AddDays(n - 1);

    private string DayFile(int n) => Path.Combine(Folder, $"audit-202603{n:D2}.jsonl");

    private string DigestFile(int n) => Path.Combine(Folder, $"audit-202603{n:D2}.digest.json");

    private AuditDigest ReadDigest(int n) => JsonSerializer.Deserialize<AuditDigest>(File.ReadAllBytes(DigestFile(n)), AuditDigest.Json)!;

    public void Dispose() => Directory.Delete(_lake, recursive: true);

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }
}
