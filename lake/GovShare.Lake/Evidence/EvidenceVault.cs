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
/// content they cover are kept in <c>evidence/</c>: appended, one JSON line each, to a log of the day and process
/// (<c>evidence/&lt;yyyyMMdd&gt;&lt;process id, 8 hex digits&gt;.log</c>) whose place the receipt id names, so that a city's lookups (hundreds of
/// receipts a second) add bytes to a file rather than two files each to one folder.</summary>
public sealed class EvidenceVault
{
    /// <summary>The private key's file in <c>keys/</c> of the lake folder.</summary>
    public const string PrivateKeyFileName = "platform-sm2.pem";

    /// <summary>The public key's file in <c>keys/</c>, rewritten from the private key at every start.</summary>
    public const string PublicKeyFileName = "platform-sm2.pub.pem";

    private readonly string _root;

    // One writer at a time per log file in this process (two vaults on one lake, as tests make, share the file; other
    // processes write logs of their own, the process id being in the name).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lock> Appending = new(StringComparer.Ordinal);
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
    /// <remarks>The id is 32 lower-case hex digits: the China date (8 digits), the process id (8), where the receipt's
    /// line starts in that day's log of the process (10) and 6 random digits; <see cref="Find"/> reads that line and
    /// checks that it holds this id.</remarks>
    public EvidenceReceipt Issue(string resource, string key, long lakeVersion, string agency, string? endUser, string? purpose, byte[] content, DateTimeOffset now)
    {
        var receipt = new EvidenceReceipt
        {
            ReceiptId = "",
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
        var day = ChinaTime.ToChina(now).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(_root, "evidence");
        Directory.CreateDirectory(folder);
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{day}{Environment.ProcessId:x8}");
        var path = Path.Combine(folder, name + ".log");
        lock (Appending.GetOrAdd(path, _ => new Lock()))
        {
            // Opened for each receipt (appending to an open file costs microseconds; creating files was what cost).
            using var log = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, 4096);
            var start = log.Position;
            var id = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name}{start:x10}{System.Security.Cryptography.RandomNumberGenerator.GetInt32(1 << 24):x6}");
            receipt = receipt with { ReceiptId = id };
            receipt = receipt with { Signature = _signer.Sign(receipt.SignedBytes()) };
            var line = JsonSerializer.SerializeToUtf8Bytes(new LoggedReceipt(receipt, content), EvidenceReceipt.Json);
            try
            {
                log.Write(line);
                log.WriteByte((byte)'\n');
                log.Flush();
            }
            catch (IOException)
            {
                // A line cut short (a full disk) is cut off; were that to fail too, later receipts still name the start of
                // their own lines (each is appended at the file's end), and no id names this one.
                try
                {
                    log.SetLength(start);
                }
                catch (IOException)
                {
                }

                throw;
            }

            return receipt;
        }
    }

    /// <summary>A receipt and its content, or null.</summary>
    public (EvidenceReceipt Receipt, byte[] Content)? Find(string receiptId)
    {
        if (receiptId.Length != 32 || !receiptId.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var folder = Path.Combine(_root, "evidence");
        var path = Path.Combine(folder, receiptId[..16] + ".log");
        if (File.Exists(path))
        {
            var offset = long.Parse(receiptId.AsSpan(16, 10), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (offset < stream.Length)
            {
                stream.Position = offset;
                using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
                if (reader.ReadLine() is { } line)
                {
                    try
                    {
                        var logged = JsonSerializer.Deserialize<LoggedReceipt>(line, EvidenceReceipt.Json);
                        if (logged?.Receipt.ReceiptId == receiptId)
                        {
                            return (logged.Receipt, logged.Content);
                        }
                    }
                    catch (JsonException)
                    {
                        // Not the start of a line: no receipt has this id.
                    }
                }
            }

            return null;
        }

        // Receipts kept before the logs: a receipt file and a content file each.
        var receiptPath = Path.Combine(folder, receiptId + ".json");
        return File.Exists(receiptPath)
            ? (JsonSerializer.Deserialize<EvidenceReceipt>(File.ReadAllBytes(receiptPath), EvidenceReceipt.Json)!, File.ReadAllBytes(Path.Combine(folder, receiptId + ".content")))
            : null;
    }

    /// <summary>One line of a receipts log: the receipt and the bytes it covers (base64 in the JSON).</summary>
    private sealed record LoggedReceipt(EvidenceReceipt Receipt, byte[] Content);

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
