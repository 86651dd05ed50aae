using System.Text;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
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

    /// <summary>A new SM2 key pair.</summary>
    public static AsymmetricCipherKeyPair GenerateKeyPair()
    {
        var curve = GMNamedCurves.GetByName("sm2p256v1");
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(new ECDomainParameters(curve), new SecureRandom()));
        return generator.GenerateKeyPair();
    }

    /// <summary>An SM2 signature (with SM3) over the bytes, DER, base64.</summary>
    public static string Sign(AsymmetricKeyParameter privateKey, ReadOnlySpan<byte> data)
    {
        var signer = new SM2Signer();
        signer.Init(true, new ParametersWithRandom(privateKey, new SecureRandom()));
        signer.BlockUpdate(data);
        return Convert.ToBase64String(signer.GenerateSignature());
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

        var verifier = new SM2Signer();
        verifier.Init(false, publicKey);
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
            AsymmetricCipherKeyPair pair => pair.Private,
            AsymmetricKeyParameter key => key,
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
