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

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
