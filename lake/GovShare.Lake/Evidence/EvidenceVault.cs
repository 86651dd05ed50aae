using System.Text.Json;
using System.Text.Json.Serialization;
using Org.BouncyCastle.Crypto;

namespace GovShare.Lake.Evidence;

/// <summary>A signed evidence receipt for a certificate or licence record served (GZ/XY: electronic certificates carry
/// legal weight only with proof of what was served, when, to whom).</summary>
public sealed record EvidenceReceipt
{
    /// <summary>The receipt's id.</summary>
    [JsonPropertyOrder(0)] public required string ReceiptId { get; init; }

    /// <summary>The resource (<c>licence.licences</c>).</summary>
    [JsonPropertyOrder(1)] public required string Resource { get; init; }

    /// <summary>The record's key (the licence number).</summary>
    [JsonPropertyOrder(2)] public required string Key { get; init; }

    /// <summary>The lake version it was read at.</summary>
    [JsonPropertyOrder(3)] public required long LakeVersion { get; init; }

    /// <summary>When it was served (UTC).</summary>
    [JsonPropertyOrder(4)] public required DateTimeOffset RetrievedAt { get; init; }

    /// <summary>The requesting agency.</summary>
    [JsonPropertyOrder(5)] public required string Agency { get; init; }

    /// <summary>The end user.</summary>
    [JsonPropertyOrder(6)] public string? EndUser { get; init; }

    /// <summary>The purpose.</summary>
    [JsonPropertyOrder(7)] public string? Purpose { get; init; }

    /// <summary>SM3 of the exact bytes served as the snapshot, hex.</summary>
    [JsonPropertyOrder(8)] public required string ContentSm3 { get; init; }

    /// <summary>Always <c>SM2-with-SM3</c>.</summary>
    [JsonPropertyOrder(9)] public string Algorithm { get; init; } = "SM2-with-SM3";

    /// <summary>The platform key that signed it (<see cref="Sm.KeyId"/>).</summary>
    [JsonPropertyOrder(10)] public required string KeyId { get; init; }

    /// <summary>SM2 signature (DER, base64) over the receipt's JSON with an empty signature.</summary>
    [JsonPropertyOrder(11)] public string Signature { get; init; } = "";

    /// <summary>How receipts are written.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The bytes the signature covers.</summary>
    public byte[] SignedBytes() => JsonSerializer.SerializeToUtf8Bytes(this with { Signature = "" }, Json);
}

/// <summary>The platform's signing key and its receipts: the SM2 key pair is made on first use in <c>keys/</c> of the
/// lake folder (the private key readable by the owner only; replace both files to change it), receipts and the exact
/// content they cover are kept in <c>evidence/</c>.</summary>
public sealed class EvidenceVault
{
    /// <summary>The private key's file in <c>keys/</c> of the lake folder.</summary>
    public const string PrivateKeyFileName = "platform-sm2.pem";

    /// <summary>The public key's file in <c>keys/</c>, rewritten from the private key at every start.</summary>
    public const string PublicKeyFileName = "platform-sm2.pub.pem";

    private readonly string _root;
    private readonly SmSigner _signer;

    /// <summary>Opens (making when absent) the platform key of a lake folder.</summary>
    public EvidenceVault(string lakeRoot)
    {
        _root = lakeRoot;
        var keys = Path.Combine(lakeRoot, "keys");
        Directory.CreateDirectory(keys);
        var privatePath = Path.Combine(keys, PrivateKeyFileName);
        if (!File.Exists(privatePath))
        {
            var pair = Sm.GenerateKeyPair();
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(privatePath, System.Text.Encoding.ASCII, options);
                writer.Write(Sm.ToPem(pair.Private));
            }
            catch (IOException) when (File.Exists(privatePath))
            {
                // Another process made it first.
            }
        }

        var privateKey = Sm.FromPem(File.ReadAllText(privatePath));
        _signer = new SmSigner(privateKey);
        PublicKey = Sm.PublicOf(privateKey);
        PublicKeyPem = Sm.ToPem(PublicKey);
        File.WriteAllText(Path.Combine(keys, PublicKeyFileName), PublicKeyPem);
        KeyId = Sm.KeyId(PublicKey);
    }

    /// <summary>The public key, PEM.</summary>
    public string PublicKeyPem { get; }

    /// <summary>The public key.</summary>
    public AsymmetricKeyParameter PublicKey { get; }

    /// <summary>The key's id.</summary>
    public string KeyId { get; }

    /// <summary>The platform key's SM2 signature over some bytes (the audit log's daily digests).</summary>
    internal string Sign(ReadOnlySpan<byte> data) => _signer.Sign(data);

    /// <summary>A lake's platform public key without making one: its public key file, else derived from the private
    /// key, else null (no key was ever made).</summary>
    /// <exception cref="LakeException">A key file holds no key.</exception>
    internal static AsymmetricKeyParameter? LoadPublicKey(string lakeRoot)
    {
        var keys = Path.Combine(lakeRoot, "keys");
        if (File.Exists(Path.Combine(keys, PublicKeyFileName)))
        {
            return Sm.FromPem(File.ReadAllText(Path.Combine(keys, PublicKeyFileName)));
        }

        return File.Exists(Path.Combine(keys, PrivateKeyFileName)) ? Sm.PublicOf(Sm.FromPem(File.ReadAllText(Path.Combine(keys, PrivateKeyFileName)))) : null;
    }

    /// <summary>Signs and keeps a receipt for <paramref name="content"/>, the exact bytes served.</summary>
    public EvidenceReceipt Issue(string resource, string key, long lakeVersion, string agency, string? endUser, string? purpose, byte[] content, DateTimeOffset now)
    {
        var receipt = new EvidenceReceipt
        {
            ReceiptId = Guid.NewGuid().ToString("N"),
            Resource = resource,
            Key = key,
            LakeVersion = lakeVersion,
            RetrievedAt = now,
            Agency = agency,
            EndUser = endUser,
            Purpose = purpose,
            ContentSm3 = Sm.Sm3Hex(content),
            KeyId = KeyId,
        };
        receipt = receipt with { Signature = _signer.Sign(receipt.SignedBytes()) };
        var folder = Path.Combine(_root, "evidence");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, receipt.ReceiptId + ".content"), content);
        File.WriteAllBytes(Path.Combine(folder, receipt.ReceiptId + ".json"), JsonSerializer.SerializeToUtf8Bytes(receipt, EvidenceReceipt.Json));
        return receipt;
    }

    /// <summary>A receipt and its content, or null.</summary>
    public (EvidenceReceipt Receipt, byte[] Content)? Find(string receiptId)
    {
        if (receiptId.Length != 32 || !receiptId.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var path = Path.Combine(_root, "evidence", receiptId + ".json");
        return File.Exists(path)
            ? (JsonSerializer.Deserialize<EvidenceReceipt>(File.ReadAllBytes(path), EvidenceReceipt.Json)!, File.ReadAllBytes(Path.Combine(_root, "evidence", receiptId + ".content")))
            : null;
    }

    /// <summary>Null when the receipt's signature is the key's and (when given) the content is what it covers; otherwise why not.</summary>
    public static string? Verify(EvidenceReceipt receipt, AsymmetricKeyParameter publicKey, byte[]? content)
    {
        if (!Sm.Verify(publicKey, receipt.SignedBytes(), receipt.Signature))
        {
            return "the signature does not match the receipt and this public key (the receipt was changed, or another key signed it)";
        }

        return content is not null && Sm.Sm3Hex(content) != receipt.ContentSm3
            ? "the content is not what the receipt covers (its SM3 differs)"
            : null;
    }
}
