using System.Text;
using System.Text.Json;
using GovShare.Lake.Evidence;

namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare evidence verify</c> offline, with the public key file alone.</summary>
public sealed class EvidenceCommandTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-evidence-cli-").FullName;

    [Fact]
    public async Task Verify_Should_Exit0ForTheSnapshot_And_1WhenOneByteOfContentChanged()
    {
        var vault = new EvidenceVault(_lake);
        var content = Encoding.UTF8.GetBytes("""{"licence_no":"A-1","holder_name":"某某诊所"}""");
        var receipt = vault.Issue("licence.licences", "A-1", 7, "urban-ops", "李四", "核验", content, DateTimeOffset.UtcNow);
        var snapshot = Path.Combine(_lake, "snapshot.json");
        await File.WriteAllTextAsync(snapshot, JsonSerializer.Serialize(new { receipt, contentType = "application/json", contentBase64 = Convert.ToBase64String(content) }, EvidenceReceipt.Json));
        var publicKey = Path.Combine(_lake, "public.pem");
        await File.WriteAllTextAsync(publicKey, vault.PublicKeyPem);
        var tampered = Path.Combine(_lake, "content.json");
        content[5] ^= 1;
        await File.WriteAllBytesAsync(tampered, content);

        var ok = await CliRunner.RunInProcessAsync(["evidence", "verify", snapshot, "--public-key", publicKey]);
        var failed = await CliRunner.RunInProcessAsync(["evidence", "verify", snapshot, "--public-key", publicKey, "--content", tampered]);
        var missing = await CliRunner.RunInProcessAsync(["evidence", "verify", Path.Combine(_lake, "nope.json"), "--public-key", publicKey]);

        Assert.Equal(0, ok.ExitCode);
        Assert.StartsWith($"OK: receipt {receipt.ReceiptId}", ok.Out, StringComparison.Ordinal);
        Assert.Contains("content matches", ok.Out, StringComparison.Ordinal);
        Assert.Equal(1, failed.ExitCode);
        Assert.StartsWith("FAILED: the content", failed.Out, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
