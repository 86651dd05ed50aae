using System.Text;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;

namespace GovShare.Lake.Evidence;

/// <summary>The domestic SM-series algorithms the evidence receipts use (GB/T 32905 SM3, GB/T 32918 SM2 on the
/// recommended curve sm2p256v1, signer ID "1234567812345678"), through BouncyCastle.</summary>
public static class Sm
{
    /// <summary>SM3 of some bytes, lower-case hex.</summary>
    public static string Sm3Hex(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output, 0);
        return Convert.ToHexStringLower(output);
    }

    /// <summary>SM3 of a stream's bytes from where it is to its end, lower-case hex.</summary>
    public static string Sm3Hex(Stream input)
    {
        var digest = new SM3Digest();
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            digest.BlockUpdate(buffer.AsSpan(0, read));
        }

        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output, 0);
        return Convert.ToHexStringLower(output);
    }

    /// <summary>The curve sm2p256v1 in BouncyCastle's own implementation of its field (about 8× faster than the generic
    /// prime-field curve that <see cref="GMNamedCurves"/> and PKCS#8 private keys come on). Unnamed, as keys always were
    /// here: a key's PEM spells the curve's parameters out, so its PEM, and <see cref="KeyId"/> with it, stay what
    /// they were for keys made before.</summary>
    private static readonly ECDomainParameters Sm2Domain = new(CustomNamedCurves.GetByName("sm2p256v1"));

    /// <summary>A new SM2 key pair.</summary>
    public static AsymmetricCipherKeyPair GenerateKeyPair()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Sm2Domain, new SecureRandom()));
        return generator.GenerateKeyPair();
    }

    /// <summary>The same key on <see cref="Sm2Domain"/> when it is an sm2p256v1 key read onto the generic curve
    /// (as PKCS#8 private keys are); any other key as it is.</summary>
    internal static AsymmetricKeyParameter OnFastCurve(AsymmetricKeyParameter key) => key switch
    {
        ECPrivateKeyParameters k when IsSm2OnOtherCurve(k.Parameters) => new ECPrivateKeyParameters(k.D, Sm2Domain),
        ECPublicKeyParameters k when IsSm2OnOtherCurve(k.Parameters) => new ECPublicKeyParameters(Sm2Domain.Curve.ImportPoint(k.Q).Normalize(), Sm2Domain),
        _ => key,
    };

    private static bool IsSm2OnOtherCurve(ECDomainParameters parameters) =>
        !ReferenceEquals(parameters.Curve, Sm2Domain.Curve) && parameters.Curve.Equals(Sm2Domain.Curve) && parameters.G.Equals(Sm2Domain.G) && parameters.N.Equals(Sm2Domain.N);

    /// <summary>The signer ID GB/T 35276 sets when the parties agree on none, as bytes ("1234567812345678"); BouncyCastle
    /// uses the same when given none, it is spelled out so that the fixed-k overloads cannot drift from it.</summary>
    internal static ReadOnlySpan<byte> DefaultUserId => "1234567812345678"u8;

    /// <summary>An SM2 signature (with SM3) over the bytes, DER, base64.</summary>
    public static string Sign(AsymmetricKeyParameter privateKey, ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(Sign(OnFastCurve(privateKey), data, DefaultUserId, new SecureRandom()));

    /// <summary>An SM2 signature (with SM3) over the bytes with a given signer ID, DER. The random source is a
    /// parameter because the standards' examples fix k: BouncyCastle's SM2Signer takes no k calculator, it draws k
    /// as one big-endian integer of the order's byte length from this source.</summary>
    internal static byte[] Sign(AsymmetricKeyParameter privateKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> userId, SecureRandom random)
    {
        var signer = new SM2Signer();
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(privateKey, random), userId.ToArray()));
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    /// <summary>True when the signature is the public key's over the bytes.</summary>
    public static bool Verify(AsymmetricKeyParameter publicKey, ReadOnlySpan<byte> data, string signature)
    {
        byte[] der;
        try
        {
            der = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return Verify(publicKey, data, DefaultUserId, der);
    }

    /// <summary>True when the DER signature is the public key's over the bytes, with a given signer ID.</summary>
    internal static bool Verify(AsymmetricKeyParameter publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> userId, byte[] der)
    {
        var verifier = new SM2Signer();
        verifier.Init(false, new ParametersWithID(publicKey, userId.ToArray()));
        verifier.BlockUpdate(data);
        return verifier.VerifySignature(der);
    }

    /// <summary>A key as PEM (PKCS#8 for a private key, SubjectPublicKeyInfo for a public one).</summary>
    public static string ToPem(AsymmetricKeyParameter key)
    {
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        writer.WriteObject(key.IsPrivate ? new Org.BouncyCastle.OpenSsl.Pkcs8Generator(key).Generate() : key);
        writer.Writer.Flush();
        return text.ToString();
    }

    /// <summary>Reads a PEM key pair, private key or public key.</summary>
    /// <exception cref="LakeException">The text holds no key.</exception>
    public static AsymmetricKeyParameter FromPem(string pem)
    {
        using var reader = new StringReader(pem);
        return new PemReader(reader).ReadObject() switch
        {
            AsymmetricCipherKeyPair pair => OnFastCurve(pair.Private),
            AsymmetricKeyParameter key => OnFastCurve(key),
            _ => throw new LakeException(LakeErrorKind.InvalidInput, "the PEM text holds no SM2 key."),
        };
    }

    /// <summary>The public key of a private one.</summary>
    public static AsymmetricKeyParameter PublicOf(AsymmetricKeyParameter privateKey)
    {
        var key = (ECPrivateKeyParameters)privateKey;
        return new ECPublicKeyParameters(key.Parameters.G.Multiply(key.D).Normalize(), key.Parameters);
    }

    /// <summary>A short id of a public key: the first 16 hex digits of SM3 over its PEM.</summary>
    public static string KeyId(AsymmetricKeyParameter publicKey) => Sm3Hex(Encoding.ASCII.GetBytes(ToPem(publicKey)))[..16];
}

/// <summary>Signs with one SM2 private key from many threads at the rate of lookups: signers set up once are reused
/// (BouncyCastle's <see cref="SM2Signer"/> derives the public point and the signer's Z hash in <c>Init</c>, which costs
/// as much as the signature itself, and returns to that state after each signature).</summary>
public sealed class SmSigner
{
    private readonly System.Collections.Concurrent.ConcurrentBag<SM2Signer> _idle = [];
    private readonly AsymmetricKeyParameter _key;

    /// <summary>A signer for the key, with the default signer ID.</summary>
    public SmSigner(AsymmetricKeyParameter privateKey)
    {
        _key = privateKey is ECPrivateKeyParameters ? Sm.OnFastCurve(privateKey) : throw new ArgumentException("an SM2 private key is needed to sign.", nameof(privateKey));
    }

    /// <summary>An SM2 signature (with SM3) over the bytes, DER, base64: the same as <see cref="Sm.Sign(AsymmetricKeyParameter, ReadOnlySpan{byte})"/>.</summary>
    public string Sign(ReadOnlySpan<byte> data)
    {
        if (!_idle.TryTake(out var signer))
        {
            signer = new SM2Signer();
            signer.Init(true, new ParametersWithID(new ParametersWithRandom(_key, new SecureRandom()), Sm.DefaultUserId.ToArray()));
        }

        try
        {
            signer.BlockUpdate(data);
            return Convert.ToBase64String(signer.GenerateSignature());
        }
        catch
        {
            // A signer that failed half-way is not put back: its state is unknown.
            signer = null;
            throw;
        }
        finally
        {
            if (signer is not null)
            {
                _idle.Add(signer);
            }
        }
    }
}
