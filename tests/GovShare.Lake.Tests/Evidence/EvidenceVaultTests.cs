using System.Text;
using GovShare.Lake.Evidence;

namespace GovShare.Lake.Tests.Evidence;

/// <summary>SM2 receipts signed and verified, and one changed byte caught (the algorithms against the standards' examples: SmTests).</summary>
public sealed class EvidenceVaultTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-evidence-").FullName;

    [Fact]
    public void Receipt_Should_Verify_And_FailOnOneChangedByteOrField()
    {
        var vault = new EvidenceVault(_lake);
        var content = Encoding.UTF8.GetBytes("""{"licence_no":"证照001","holder_name":"郑州某某有限公司"}""");

        var receipt = vault.Issue("licence.licences", "证照001", 12, "urban-ops", "张三", "审批核验", content, DateTimeOffset.UtcNow);
        var changed = (byte[])content.Clone();
        changed[^3] ^= 1;

        Assert.Null(EvidenceVault.Verify(receipt, vault.PublicKey, content));
        Assert.Contains("content", EvidenceVault.Verify(receipt, vault.PublicKey, changed), StringComparison.Ordinal);
        Assert.Contains("signature", EvidenceVault.Verify(receipt with { LakeVersion = 13 }, vault.PublicKey, content), StringComparison.Ordinal);
        Assert.Contains("signature", EvidenceVault.Verify(receipt, Sm.PublicOf(Sm.GenerateKeyPair().Private), content), StringComparison.Ordinal);
        var (stored, storedContent) = vault.Find(receipt.ReceiptId)!.Value;
        Assert.Equal(receipt, stored);
        Assert.Equal(content, storedContent);
    }

    [Fact]
    public void PlatformKey_Should_BeMadeOnce_AndKeptOwnerOnly()
    {
        var first = new EvidenceVault(_lake);
        var second = new EvidenceVault(_lake);

        Assert.Equal(first.PublicKeyPem, second.PublicKeyPem);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", first.PublicKeyPem, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_lake, "keys", "platform-sm2.pem")));
        }

        Assert.Equal(first.PublicKeyPem, Sm.ToPem(Sm.FromPem(File.ReadAllText(Path.Combine(_lake, "keys", "platform-sm2.pub.pem")))));
    }

    [Fact]
    public void Receipts_Should_AppendToOneLogOfTheDay_AndEachBeFoundWithItsOwnContent_When_TwoVaultsIssueFromManyThreads()
    {
        var (first, second) = (new EvidenceVault(_lake), new EvidenceVault(_lake));
        var now = new DateTimeOffset(2026, 11, 23, 15, 30, 0, TimeSpan.Zero); // 23:30 in China: still the 23rd there
        var issued = new EvidenceReceipt[200];

        Parallel.For(0, issued.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            issued[i] = (i % 2 == 0 ? first : second).Issue("licence.licences", "L" + i, 7, "urban-ops", null, null, Encoding.UTF8.GetBytes("{\"n\":" + i + "}"), now));

        Assert.Equal(issued.Length, issued.Select(r => r.ReceiptId).Distinct().Count());
        Assert.All(issued, r => Assert.StartsWith("20261123", r.ReceiptId, StringComparison.Ordinal));
        var files = Directory.GetFiles(Path.Combine(_lake, "evidence"));
        Assert.Equal([$"20261123{Environment.ProcessId:x8}.log"], files.Select(Path.GetFileName));
        Assert.Equal(issued.Length, File.ReadAllLines(files[0]).Length);
        for (var i = 0; i < issued.Length; i++)
        {
            var (stored, content) = first.Find(issued[i].ReceiptId)!.Value;
            Assert.Equal(issued[i], stored);
            Assert.Equal("{\"n\":" + i + "}", Encoding.UTF8.GetString(content));
            Assert.Null(EvidenceVault.Verify(stored, first.PublicKey, content));
        }
    }

    [Fact]
    public void Find_Should_AnswerNull_When_TheIdNamesNoReceiptsLine()
    {
        var vault = new EvidenceVault(_lake);
        var receipt = vault.Issue("licence.licences", "L1", 1, "urban-ops", null, null, [1, 2, 3], DateTimeOffset.UtcNow);
        var id = receipt.ReceiptId;

        Assert.Null(vault.Find(id[..26] + (id[26] == '0' ? '1' : '0') + id[27..])); // the right place, another random part
        Assert.Null(vault.Find(id[..16] + "0000000005" + id[26..])); // not the start of a line
        Assert.Null(vault.Find(id[..16] + "00000fffff" + id[26..])); // past the end
        Assert.Null(vault.Find("19990101" + id[8..])); // a day without a log
        Assert.Null(vault.Find(id.ToUpperInvariant()));
        Assert.Null(vault.Find("../" + id[3..]));
        Assert.NotNull(vault.Find(id));
    }

    [Fact]
    public void Find_Should_ReadTheReceiptsKeptBeforeTheLogs_AFileForTheReceiptAndOneForItsContent()
    {
        var vault = new EvidenceVault(_lake);
        var receipt = vault.Issue("licence.licences", "L1", 1, "urban-ops", null, null, [1, 2, 3], DateTimeOffset.UtcNow) with { ReceiptId = new string('a', 32) };
        var folder = Path.Combine(_lake, "evidence");
        File.WriteAllBytes(Path.Combine(folder, receipt.ReceiptId + ".json"), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(receipt, EvidenceReceipt.Json));
        File.WriteAllBytes(Path.Combine(folder, receipt.ReceiptId + ".content"), [1, 2, 3]);

        var (stored, content) = vault.Find(receipt.ReceiptId)!.Value;

        Assert.Equal(receipt, stored);
        Assert.Equal([1, 2, 3], content);
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
