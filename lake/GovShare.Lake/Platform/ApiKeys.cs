using System.Security.Cryptography;
using System.Text;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Platform;

/// <summary>API keys for machines: <c>gsl_&lt;key id&gt;_&lt;secret&gt;</c>. Only a SHA-256 hash is stored: the
/// secret is 256 random bits, so a fast hash suffices (a slow password hash protects guessable secrets).</summary>
public static class ApiKeys
{
    private const string Prefix = "gsl_";

    /// <summary>Registers (or updates) an agency and issues it a new key, revoking its earlier ones. The key is
    /// returned once and never stored.</summary>
    public static string Issue(IPlatformStore store, string code, LocalizedName name, AgencyKind kind, TimeProvider clock)
    {
        var existing = store.FindAgency(code);
        var now = clock.GetUtcNow();
        store.SaveAgency(new Agency(code, name, kind, existing?.CreatedAt ?? now));
        return Rotate(store, code, clock);
    }

    /// <summary>Issues a new key for a registered agency and revokes the old ones.</summary>
    /// <exception cref="LakeException">The agency is not registered.</exception>
    public static string Rotate(IPlatformStore store, string code, TimeProvider clock)
    {
        if (store.FindAgency(code) is null)
        {
            throw new LakeException(LakeErrorKind.NotFound, $"no agency '{code}' is registered; add it first (govshare agency add).");
        }

        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = Prefix + keyId + "_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        store.ReplaceApiKeys(new ApiKeyRecord(keyId, code, Hash(key), now, null), now);
        return key;
    }

    /// <summary>The agency a presented key belongs to, or null when the key is malformed, unknown or revoked.</summary>
    public static Agency? Authenticate(IPlatformStore store, string presented)
    {
        if (KeyId(presented) is not { } keyId || store.FindApiKey(keyId) is not { RevokedAt: null } record)
        {
            return null;
        }

        var expected = Convert.FromHexString(record.KeyHash);
        var actual = Convert.FromHexString(Hash(presented));
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? store.FindAgency(record.AgencyCode) : null;
    }

    /// <summary>The id part of a well-formed key, or null.</summary>
    public static string? KeyId(string presented)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        var end = presented.IndexOf('_', Prefix.Length);
        return end == Prefix.Length + 12 ? presented[Prefix.Length..end] : null;
    }

    /// <summary>SHA-256 of the key, lower-case hex.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
