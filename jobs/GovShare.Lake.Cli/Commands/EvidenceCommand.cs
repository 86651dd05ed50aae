using System.CommandLine;
using System.Text.Json;
using GovShare.Lake.Evidence;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare evidence verify</c>: checks a receipt offline with the platform's public key alone.</summary>
internal static class EvidenceCommand
{
    public static Command Create(CliConsole console)
    {
        var evidence = new Command("evidence", "Evidence receipts of certificates served (SM2 signatures over SM3 hashes).");
        var file = new Argument<FileInfo>("RECEIPT") { Description = "The receipt (JSON), or the snapshot GET /api/evidence/{id} answers (receipt and content)." };
        var content = new Option<FileInfo?>("--content") { Description = "The content the receipt covers (default: the snapshot's own, when RECEIPT is one).", HelpName = "FILE" };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "The platform's public key, PEM (GET /api/evidence/public-key). Default: keys/platform-sm2.pub.pem in --lake.", HelpName = "FILE" };
        var lake = PlatformContext.LakeOption();
        var verify = new Command("verify",
            "Verify a receipt: the signature is the platform key's over the receipt, and (with content) the content's SM3 is the one it names. " +
            "Prints OK or what failed; exit code 0 when it verifies, 1 when it does not, 2 when a file is missing or unreadable.")
        {
            file,
            content,
            publicKey,
            lake,
        };
        verify.SetAction((parseResult, _) =>
        {
            var receiptFile = parseResult.GetValue(file)!;
            var keyFile = parseResult.GetValue(publicKey) ?? new FileInfo(Path.Combine(Path.GetFullPath(parseResult.GetValue(lake)!), "keys", "platform-sm2.pub.pem"));
            foreach (var needed in new[] { receiptFile, keyFile }.Concat(parseResult.GetValue(content) is { } c ? [c] : Array.Empty<FileInfo>()))
            {
                if (!needed.Exists)
                {
                    console.Error.WriteLine($"govshare evidence verify: {needed.FullName} does not exist.");
                    return Task.FromResult(ExitCodes.Usage);
                }
            }

            EvidenceReceipt receipt;
            byte[]? bytes = parseResult.GetValue(content) is { } contentFile ? File.ReadAllBytes(contentFile.FullName) : null;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(receiptFile.FullName));
                var root = document.RootElement;
                if (root.TryGetProperty("receipt", out var inner))
                {
                    receipt = inner.Deserialize<EvidenceReceipt>(EvidenceReceipt.Json)!;
                    if (bytes is null && root.TryGetProperty("contentBase64", out var embedded))
                    {
                        bytes = Convert.FromBase64String(embedded.GetString() ?? "");
                    }
                }
                else
                {
                    receipt = root.Deserialize<EvidenceReceipt>(EvidenceReceipt.Json)!;
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or NullReferenceException)
            {
                console.Error.WriteLine($"govshare evidence verify: {receiptFile.FullName} is not a receipt: {ex.Message}");
                return Task.FromResult(ExitCodes.Usage);
            }

            var problem = EvidenceVault.Verify(receipt, Sm.FromPem(File.ReadAllText(keyFile.FullName)), bytes);
            console.Out.WriteLine(problem is null
                ? $"OK: receipt {receipt.ReceiptId} for {receipt.Resource} {receipt.Key} at lake version {receipt.LakeVersion}, signed by key {receipt.KeyId}" +
                  (bytes is null ? " (content not checked: give --content)." : ", content matches.")
                : $"FAILED: {problem}.");
            return Task.FromResult(problem is null ? ExitCodes.Success : ExitCodes.Failure);
        });
        evidence.Subcommands.Add(verify);
        return evidence;
    }
}
