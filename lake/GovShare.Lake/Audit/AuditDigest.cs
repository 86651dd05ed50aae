using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovShare.Lake.Audit;

/// <summary>The signed digest of one finished day of the audit log (<c>audit/audit-&lt;yyyyMMdd&gt;.digest.json</c>):
/// what the day's file held when the day was over, signed with the platform's SM2 key. The hash chain shows that no
/// entry was edited, removed or moved; only a signed count and last hash show that none was cut off the end of a day.
/// Each digest names the SM3 of the one before, so the digests form a chain of their own.</summary>
public sealed record AuditDigest
{
    /// <summary>The format this digest is written in (the first line of <see cref="SignedBytes"/>).</summary>
    public const string CurrentFormat = "govshare-audit-digest/1";

    /// <summary><see cref="CurrentFormat"/>.</summary>
    [JsonPropertyOrder(0)] public string Format { get; init; } = CurrentFormat;

    /// <summary>The China-time day.</summary>
    [JsonPropertyOrder(1)] public required DateOnly Date { get; init; }

    /// <summary>The day's file name (<c>audit-20260301.jsonl</c>).</summary>
    [JsonPropertyOrder(2)] public required string File { get; init; }

    /// <summary>Entries in the file.</summary>
    [JsonPropertyOrder(3)] public required long Entries { get; init; }

    /// <summary>The first entry's number (one more than <see cref="LastSeq"/> when the file is empty).</summary>
    [JsonPropertyOrder(4)] public required long FirstSeq { get; init; }

    /// <summary>The last entry's number.</summary>
    [JsonPropertyOrder(5)] public required long LastSeq { get; init; }

    /// <summary>The last entry's hash: the head of the chain at the end of the day.</summary>
    [JsonPropertyOrder(6)] public required string LastHash { get; init; }

    /// <summary>SM3 of the file's bytes, lower-case hex.</summary>
    [JsonPropertyOrder(7)] public required string FileSm3 { get; init; }

    /// <summary>SM3 of the previous digest file's bytes (64 zeros for the first digest).</summary>
    [JsonPropertyOrder(8)] public required string PreviousDigestSm3 { get; init; }

    /// <summary>When the digest was made (UTC).</summary>
    [JsonPropertyOrder(9)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Always <c>SM2-with-SM3</c>.</summary>
    [JsonPropertyOrder(10)] public string Algorithm { get; init; } = "SM2-with-SM3";

    /// <summary>The platform key that signed it (<see cref="Evidence.Sm.KeyId"/>).</summary>
    [JsonPropertyOrder(11)] public required string KeyId { get; init; }

    /// <summary>SM2 signature (DER, base64) over <see cref="SignedBytes"/>.</summary>
    [JsonPropertyOrder(12)] public string Signature { get; init; } = "";

    /// <summary>How digests are written: indented (an operator reads them), camelCase, in a fixed property order.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The digest file name of a day.</summary>
    public static string FileNameOf(DateOnly day) => string.Create(CultureInfo.InvariantCulture, $"audit-{day:yyyyMMdd}.digest.json");

    /// <summary>The bytes the signature covers: UTF-8 lines <c>name=value</c> after the format line, in the order of
    /// the JSON properties, the signature left out. Plain text rather than the JSON itself, so that another
    /// implementation can rebuild them without matching a JSON serializer's choices (escapes, number and date forms).</summary>
    public byte[] SignedBytes()
    {
        var text = new StringBuilder();
        text.Append(Format).Append('\n');
        Line("date", Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Line("file", File);
        Line("entries", Entries.ToString(CultureInfo.InvariantCulture));
        Line("firstSeq", FirstSeq.ToString(CultureInfo.InvariantCulture));
        Line("lastSeq", LastSeq.ToString(CultureInfo.InvariantCulture));
        Line("lastHash", LastHash);
        Line("fileSm3", FileSm3);
        Line("previousDigestSm3", PreviousDigestSm3);
        Line("createdAt", CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        Line("algorithm", Algorithm);
        Line("keyId", KeyId);
        return Encoding.UTF8.GetBytes(text.ToString());

        void Line(string name, string value) => text.Append(name).Append('=').Append(value).Append('\n');
    }
}

/// <summary>A day sealed by <see cref="AuditLog.SealDays(string, DateTimeOffset)"/>.</summary>
/// <param name="Path">The digest file written.</param>
/// <param name="DigestSm3">SM3 of the digest file's bytes: the value the next day's digest names, and the one to
/// write down or send elsewhere to pin the log's state at the end of the day.</param>
/// <param name="Digest">The digest.</param>
public sealed record AuditSealedDay(string Path, string DigestSm3, AuditDigest Digest);

/// <summary>What sealing did.</summary>
/// <param name="Sealed">The days sealed now, oldest first (none when every finished day already had its digest).</param>
/// <param name="File">When a day could not be sealed: its file (later days are left unsealed too).</param>
/// <param name="Problem">Why not: a broken chain, or a day older than a digest that exists (its own digest was deleted).</param>
public sealed record AuditSealing(IReadOnlyList<AuditSealedDay> Sealed, string? File, string? Problem);
