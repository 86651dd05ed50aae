using System.Globalization;
using System.Text;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace GovShare.Lake.Evidence;

/// <summary>What checking an issuer's seal found.</summary>
public enum SealCheck
{
    /// <summary>The seal is the issuer key's SM2 signature over the record's canonical bytes.</summary>
    Valid,

    /// <summary>The seal is not base64, or its bytes are not an SM2 signature (DER, or r‖s in 64 bytes) with r and s
    /// in range.</summary>
    Unreadable,

    /// <summary>A well-formed signature that does not verify: the record differs from what the issuer sealed, or
    /// another key sealed it.</summary>
    Mismatch,
}

/// <summary>Issuers' seals over <c>licence.licences</c> records (ZZ 22, GZ 23: shared certificates carry an electronic
/// seal so that they cannot be altered): the canonical bytes an issuer signs, and the check ingestion runs. The seal
/// is an SM2 signature with SM3 (GB/T 32918.2, curve sm2p256v1, signer ID <c>1234567812345678</c>) over
/// <see cref="CanonicalBytes"/>, base64 of its DER encoding (or of r‖s, 64 bytes); docs/issuer-seals.md specifies it
/// for issuers who implement it elsewhere.</summary>
public static class IssuerSeals
{
    /// <summary>The first line of the canonical form: a version and the table, so that a seal over anything else
    /// (another table, a later form) can never verify as a licence seal of this form.</summary>
    public const string FormLine = "govshare-seal/1 licence.licences";

    /// <summary>The attributes the seal covers, in this order: every attribute of <c>licence.licences</c> but
    /// <c>seal</c>, as the table had them when the form was fixed. The list is fixed by the form's version, not read
    /// from the table, so that a new attribute cannot silently invalidate every seal issued before it.</summary>
    public static IReadOnlyList<string> SealedAttributes { get; } =
        ["licence_no", "licence_type", "holder_key", "holder_kind", "holder_name", "issuing_agency", "issue_date", "expiry_date", "status", "scope"];

    /// <summary>The bytes an issuer seals for a licence record: UTF-8 (no byte-order mark) of <see cref="FormLine"/>
    /// and then one <c>name=value</c> line per attribute of <see cref="SealedAttributes"/>, in that order, each line
    /// ended by a line feed (U+000A), the last one too. A value is the attribute's value as the lake stores it (trimmed,
    /// after the catalogue entry's transforms and code maps, identifiers normalised); a date (a <see cref="DateOnly"/>)
    /// is written <c>yyyy-MM-dd</c>; a missing, null or empty value is written as nothing (<c>expiry_date=</c>).
    /// In text, a backslash is written <c>\\</c>, a line feed <c>\n</c> and a carriage return <c>\r</c>, so that
    /// every attribute is exactly one line. Keys of <paramref name="record"/> that are not sealed attributes
    /// (<c>seal</c> itself, provenance columns) are ignored.</summary>
    /// <param name="record">Attribute name → value: a <see cref="string"/>, a <see cref="DateOnly"/>, or null.</param>
    /// <exception cref="ArgumentException">A value of another type.</exception>
    public static byte[] CanonicalBytes(IReadOnlyDictionary<string, object?> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var text = new StringBuilder(256).Append(FormLine).Append('\n');
        foreach (var name in SealedAttributes)
        {
            text.Append(name).Append('=');
            switch (record.GetValueOrDefault(name))
            {
                case null:
                    break;
                case string value:
                    // The backslash first, so that the escapes written for line breaks are not escaped again.
                    text.Append(value.Replace("\\", @"\\", StringComparison.Ordinal)
                        .Replace("\n", @"\n", StringComparison.Ordinal).Replace("\r", @"\r", StringComparison.Ordinal));
                    break;
                case DateOnly date:
                    text.Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case var other:
                    throw new ArgumentException($"{name}: a {other.GetType().Name} has no canonical form; give a string, a DateOnly or null.", nameof(record));
            }

            text.Append('\n');
        }

        return new UTF8Encoding(false).GetBytes(text.ToString());
    }

    /// <summary>Seals a record as an issuer does: the SM2 signature (DER, base64) of its canonical bytes.</summary>
    public static string Seal(AsymmetricKeyParameter issuerPrivateKey, IReadOnlyDictionary<string, object?> record) =>
        Sm.Sign(issuerPrivateKey, CanonicalBytes(record));

    /// <summary>Checks a record's seal against the issuer's public key.</summary>
    public static SealCheck Check(AsymmetricKeyParameter issuerPublicKey, IReadOnlyDictionary<string, object?> record, string seal)
    {
        var key = (ECPublicKeyParameters)issuerPublicKey;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(seal);
        }
        catch (FormatException)
        {
            return SealCheck.Unreadable;
        }

        var rs = Decode(StandardDsaEncoding.Instance, key.Parameters.N, bytes)
            // Many Chinese signing devices and libraries hand out r‖s as two 32-byte integers instead of DER.
            ?? (bytes.Length == 64 ? Decode(PlainDsaEncoding.Instance, key.Parameters.N, bytes) : null);
        // The encodings refuse negative values and values of n or more; zero is out of SM2's range [1, n-1] too.
        if (rs is null || rs[0].SignValue <= 0 || rs[1].SignValue <= 0)
        {
            return SealCheck.Unreadable;
        }

        var der = StandardDsaEncoding.Instance.Encode(key.Parameters.N, rs[0], rs[1]);
        return Sm.Verify(key, CanonicalBytes(record), Sm.DefaultUserId, der) ? SealCheck.Valid : SealCheck.Mismatch;
    }

    private static BigInteger[]? Decode(IDsaEncoding encoding, BigInteger n, byte[] bytes)
    {
        try
        {
            return encoding.Decode(n, bytes);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}

/// <summary>An issuing agency's registered seal key.</summary>
/// <param name="AgencyCode">The agency code (the delivering agency of the catalogue entries it seals).</param>
/// <param name="PublicKey">The SM2 public key on sm2p256v1.</param>
public sealed record IssuerKey(string AgencyCode, AsymmetricKeyParameter PublicKey)
{
    /// <summary>The key's short id (<see cref="Sm.KeyId"/>), for reports and listings.</summary>
    public string KeyId { get; } = Sm.KeyId(PublicKey);

    /// <summary>Checks a record's seal against this key.</summary>
    public SealCheck Check(IReadOnlyDictionary<string, object?> record, string seal) => IssuerSeals.Check(PublicKey, record, seal);
}

/// <summary>The issuers' public seal keys of a lake folder, one SM2 public key (PEM, SubjectPublicKeyInfo) per agency
/// in <c>keys/issuers/&lt;agency code&gt;.pem</c>: registering replaces the agency's key, deleting the file unregisters
/// it. Files rather than platform-store rows, like the platform's own key in <c>keys/</c>: an operator can inspect and
/// back them up with the folder, and a public key needs no secrecy.</summary>
public sealed class IssuerKeys(LakeLayout layout)
{
    /// <summary>The registered key of an agency, or null when it has none.</summary>
    /// <exception cref="LakeException">The registered file is not an SM2 public key on sm2p256v1 (InvalidInput: an
    /// ingestion that needs it fails with this message rather than skipping the check).</exception>
    public IssuerKey? Find(string agencyCode)
    {
        var path = layout.IssuerKey(agencyCode);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return new IssuerKey(agencyCode, Parse(File.ReadAllText(path)));
        }
        catch (LakeException ex)
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"the seal key registered for {agencyCode} ({path}) is unusable: {ex.Message} Register it again (govshare agency seal-key {agencyCode} --public-key FILE).", ex);
        }
    }

    /// <summary>Registers (or replaces) an agency's seal key; returns it.</summary>
    /// <exception cref="LakeException">The text is not an SM2 public key on sm2p256v1, or the code is not path-safe (InvalidInput).</exception>
    public IssuerKey Register(string agencyCode, string pem)
    {
        var key = new IssuerKey(agencyCode, Parse(pem));
        var path = layout.IssuerKey(agencyCode);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written aside and moved over the old key, so that an ingestion never reads half a file.
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, Sm.ToPem(key.PublicKey), Encoding.ASCII);
        File.Move(temp, path, overwrite: true);
        return key;
    }

    /// <summary>Every registered key by agency code (unreadable files are left out: <see cref="Find"/> reports them).</summary>
    public IReadOnlyDictionary<string, IssuerKey> List()
    {
        var keys = new SortedDictionary<string, IssuerKey>(StringComparer.Ordinal);
        if (!Directory.Exists(layout.IssuerKeysFolder))
        {
            return keys;
        }

        foreach (var file in Directory.EnumerateFiles(layout.IssuerKeysFolder, "*.pem"))
        {
            var code = Path.GetFileNameWithoutExtension(file);
            try
            {
                keys[code] = new IssuerKey(code, Parse(File.ReadAllText(file)));
            }
            catch (LakeException)
            {
                // Listed by Find's error when an ingestion needs it.
            }
        }

        return keys;
    }

    /// <summary>Reads an SM2 public key on sm2p256v1 from PEM text.</summary>
    /// <exception cref="LakeException">Anything else: no PEM key, a private key (it must stay with the issuer), another curve (InvalidInput).</exception>
    public static ECPublicKeyParameters Parse(string pem)
    {
        object? read;
        try
        {
            using var reader = new StringReader(pem);
            read = new Org.BouncyCastle.OpenSsl.PemReader(reader).ReadObject();
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or InvalidCastException or FormatException)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"the PEM text cannot be read ({ex.Message}).", ex);
        }

        var sm2 = GMNamedCurves.GetByName("sm2p256v1");
        return read switch
        {
            ECPublicKeyParameters key when key.Parameters.Curve.Equals(sm2.Curve) && key.Parameters.G.Equals(sm2.G) => key,
            ECPublicKeyParameters => throw new LakeException(LakeErrorKind.InvalidInput, "the key is an elliptic-curve key on another curve than SM2's sm2p256v1."),
            AsymmetricCipherKeyPair or AsymmetricKeyParameter { IsPrivate: true } => throw new LakeException(LakeErrorKind.InvalidInput,
                "the PEM text is a private key: register the issuer's public key only (the private key must stay with the issuer)."),
            AsymmetricKeyParameter => throw new LakeException(LakeErrorKind.InvalidInput, "the key is not an SM2 key."),
            _ => throw new LakeException(LakeErrorKind.InvalidInput, "the text holds no PEM public key (expected -----BEGIN PUBLIC KEY-----)."),
        };
    }
}
