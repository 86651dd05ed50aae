using System.Text;
using GovShare.Lake.Evidence;

namespace GovShare.Lake.Tests.Evidence;

/// <summary>SM3 against the standard's examples, SM2 receipts signed and verified, and one changed byte caught.</summary>
public sealed class EvidenceVaultTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-evidence-").FullName;

    [Theory]
    [InlineData("abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")] // GB/T 32905-2016, example 1
    [InlineData("abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd", "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")] // example 2
    public void Sm3_Should_MatchTheStandardsExamples(string message, string expected)
    {
        Assert.Equal(expected, Sm.Sm3Hex(Encoding.ASCII.GetBytes(message)));
    }

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
