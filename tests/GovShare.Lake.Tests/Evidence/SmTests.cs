using System.Text;
using GovShare.Lake.Evidence;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace GovShare.Lake.Tests.Evidence;

/// <summary>SM3 and SM2 as <see cref="Sm"/> runs them, against the examples the standards publish: the exact digests,
/// and the exact (r, s) from the published private key and fixed k, verified with the published public key.</summary>
public sealed class SmTests
{
    // GB/T 32905-2016 (SM3), Annex A: example 1 ("abc") and example 2 ("abcd" × 16, one full 64-byte block).
    [Theory]
    [InlineData("abc", "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0")]
    [InlineData("abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd", "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732")]
    public void Sm3Hex_Should_MatchTheStandardsExamples(string message, string expected)
    {
        Assert.Equal(expected.Replace(" ", "", StringComparison.Ordinal), Sm.Sm3Hex(Encoding.ASCII.GetBytes(message)));
    }

    /// <summary>GM/T 0003.2-2012 Annex A.2, kept as GB/T 32918.2-2016 Annex A.2: the signature example on the annex's
    /// Fp-256 example curve (not sm2p256v1), signer ID ALICE123@YAHOO.COM, message "message digest".</summary>
    private static class ExampleCurve
    {
        public static readonly BigInteger P = Hex("8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3");
        public static readonly BigInteger A = Hex("787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498");
        public static readonly BigInteger B = Hex("63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A");
        public static readonly BigInteger Gx = Hex("421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D");
        public static readonly BigInteger Gy = Hex("0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2");
        public static readonly BigInteger N = Hex("8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7");
        public const string Id = "ALICE123@YAHOO.COM";
        public static readonly BigInteger D = Hex("128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263");
        public static readonly BigInteger Xa = Hex("0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A");
        public static readonly BigInteger Ya = Hex("7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857");
        public const string Za = "F4A38489 E32B45B6 F876E3AC 2168CA39 2362DC8F 23459C1D 1146FC3D BFB7BC9A";
        public const string E = "B524F552 CD82B8B0 28476E00 5C377FB1 9A87E6FC 682D48BB 5D42E3D9 B9EFFE76";
        public const string K = "6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F";
        public static readonly BigInteger R = Hex("40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1");
        public static readonly BigInteger S = Hex("6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7");

        public static ECDomainParameters Domain()
        {
            var curve = new FpCurve(P, A, B, N, BigInteger.One);
            return new ECDomainParameters(curve, curve.CreatePoint(Gx, Gy), N, BigInteger.One);
        }
    }

    /// <summary>GM/T 0003.5-2012 Annex A.2, kept as GB/T 32918.5-2017 Annex A.2: the signature example on the
    /// recommended curve sm2p256v1, with the default signer ID 1234567812345678 and message "message digest".</summary>
    private static class RecommendedCurve
    {
        public static readonly BigInteger D = Hex("3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8");
        public static readonly BigInteger Xa = Hex("09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020");
        public static readonly BigInteger Ya = Hex("CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13");
        public const string Za = "B2E14C5C 79C6DF5B 85F4FE7E D8DB7A26 2B9DA7E0 7CCB0EA9 F4747B8C CDA8A4F3";
        public const string E = "F0B43E94 BA45ACCA ACE692ED 534382EB 17E6AB5A 19CE7B31 F4486FDF C0D28640";
        public const string K = "59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21";
        public static readonly BigInteger R = Hex("F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3");
        public static readonly BigInteger S = Hex("B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA");

        public static ECDomainParameters Domain() => new(GMNamedCurves.GetByName("sm2p256v1"));
    }

    private static readonly byte[] Message = Encoding.ASCII.GetBytes("message digest");

    [Fact]
    public void Sm2Sign_Should_GiveTheStandardsSignature_When_KIsTheExamplesK_OnTheExampleCurve()
    {
        var domain = ExampleCurve.Domain();
        var privateKey = new ECPrivateKeyParameters(ExampleCurve.D, domain);
        var id = Encoding.ASCII.GetBytes(ExampleCurve.Id);

        var signature = Sm.Sign(privateKey, Message, id, FixedK(ExampleCurve.K));

        var publicKey = (ECPublicKeyParameters)Sm.PublicOf(privateKey);
        Assert.Equal(ExampleCurve.Xa, publicKey.Q.AffineXCoord.ToBigInteger());
        Assert.Equal(ExampleCurve.Ya, publicKey.Q.AffineYCoord.ToBigInteger());
        Assert.Equal((ExampleCurve.R, ExampleCurve.S), Decode(signature));
        Assert.True(Sm.Verify(publicKey, Message, id, signature));
        Assert.True(Sm.Verify(PublishedKey(domain, ExampleCurve.Xa, ExampleCurve.Ya), Message, id, Der(ExampleCurve.R, ExampleCurve.S)));
    }

    [Fact]
    public void Sm2Sign_Should_GiveTheStandardsSignature_When_KIsTheExamplesK_OnTheRecommendedCurve()
    {
        var domain = RecommendedCurve.Domain();
        var privateKey = new ECPrivateKeyParameters(RecommendedCurve.D, domain);

        var signature = Sm.Sign(privateKey, Message, Sm.DefaultUserId, FixedK(RecommendedCurve.K));

        var publicKey = (ECPublicKeyParameters)Sm.PublicOf(privateKey);
        Assert.Equal(RecommendedCurve.Xa, publicKey.Q.AffineXCoord.ToBigInteger());
        Assert.Equal(RecommendedCurve.Ya, publicKey.Q.AffineYCoord.ToBigInteger());
        Assert.Equal((RecommendedCurve.R, RecommendedCurve.S), Decode(signature));
        // The public entry points (default signer ID, base64) accept the standard's signature as published.
        var published = PublishedKey(domain, RecommendedCurve.Xa, RecommendedCurve.Ya);
        Assert.True(Sm.Verify(published, Message, Convert.ToBase64String(Der(RecommendedCurve.R, RecommendedCurve.S))));
        Assert.True(Sm.Verify(published, Message, Sm.Sign(privateKey, Message)));
    }

    [Fact]
    public void Sm2Sign_Should_GiveTheStandardsSignature_When_TheKeyIsMovedOntoTheFastCurve()
    {
        var privateKey = new ECPrivateKeyParameters(RecommendedCurve.D, RecommendedCurve.Domain());

        var fast = (ECPrivateKeyParameters)Sm.OnFastCurve(privateKey);
        var signature = Sm.Sign(fast, Message, Sm.DefaultUserId, FixedK(RecommendedCurve.K));

        Assert.Same(Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("sm2p256v1").Curve, fast.Parameters.Curve);
        Assert.Equal((RecommendedCurve.R, RecommendedCurve.S), Decode(signature));
    }

    [Fact]
    public void SmSigner_Should_GiveSignaturesThePublicKeyVerifies_When_ManyThreadsSignAtOnce()
    {
        var pair = Sm.GenerateKeyPair();
        var signer = new SmSigner(pair.Private);
        var messages = Enumerable.Range(0, 64).Select(i => Encoding.UTF8.GetBytes("receipt " + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        var signatures = new string[messages.Length];
        Parallel.For(0, messages.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => signatures[i] = signer.Sign(messages[i]));

        Assert.All(Enumerable.Range(0, messages.Length), i => Assert.True(Sm.Verify(pair.Public, messages[i], signatures[i]), "signature " + i));
        // Each signature is its own message's: a reused signer carries nothing of the previous message over.
        Assert.False(Sm.Verify(pair.Public, messages[1], signatures[0]));
    }

    [Fact]
    public void FromPem_Should_KeepAKeysPemAndKeyId_When_TheKeyWasMadeOnTheGenericCurve()
    {
        // Keys made before the fast curve (on GMNamedCurves' generic one, unnamed): their PEM, and so their key id, must
        // not change when read back and re-written, or digests signed before could no longer be told apart by key id.
        var generator = new Org.BouncyCastle.Crypto.Generators.ECKeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.ECKeyGenerationParameters(RecommendedCurve.Domain(), new SecureRandom()));
        var old = generator.GenerateKeyPair();
        var privatePem = Sm.ToPem(old.Private);
        var publicPem = Sm.ToPem(old.Public);

        var read = Sm.FromPem(privatePem);

        Assert.Same(Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("sm2p256v1").Curve, ((ECPrivateKeyParameters)read).Parameters.Curve);
        Assert.Equal(privatePem, Sm.ToPem(read));
        Assert.Equal(publicPem, Sm.ToPem(Sm.PublicOf(read)));
        Assert.Equal(Sm.KeyId(old.Public), Sm.KeyId(Sm.FromPem(publicPem)));
        Assert.True(Sm.Verify(old.Public, Message, new SmSigner(read).Sign(Message)));
    }

    /// <summary>Z_A and e are internal to the signer; computing them here with <see cref="Sm.Sm3Hex(ReadOnlySpan{byte})"/> from the
    /// annexes' inputs checks the hashing the signature rests on step by step.</summary>
    [Fact]
    public void Sm3_Should_GiveTheAnnexesZaAndE_FromTheSignerIdCurveAndPublicKey()
    {
        var example = Za(ExampleCurve.Id, ExampleCurve.A, ExampleCurve.B, ExampleCurve.Gx, ExampleCurve.Gy, ExampleCurve.Xa, ExampleCurve.Ya);
        var sm2 = RecommendedCurve.Domain();
        var recommended = Za("1234567812345678", sm2.Curve.A.ToBigInteger(), sm2.Curve.B.ToBigInteger(),
            sm2.G.AffineXCoord.ToBigInteger(), sm2.G.AffineYCoord.ToBigInteger(), RecommendedCurve.Xa, RecommendedCurve.Ya);

        Assert.Equal(Plain(ExampleCurve.Za), Sm.Sm3Hex(example));
        Assert.Equal(Plain(ExampleCurve.E), Sm.Sm3Hex([.. Convert.FromHexString(Sm.Sm3Hex(example)), .. Message]));
        Assert.Equal(Plain(RecommendedCurve.Za), Sm.Sm3Hex(recommended));
        Assert.Equal(Plain(RecommendedCurve.E), Sm.Sm3Hex([.. Convert.FromHexString(Sm.Sm3Hex(recommended)), .. Message]));
    }

    [Fact]
    public void Sm2Verify_Should_Fail_When_OneByteOfTheMessageOrOfTheSignatureChanges()
    {
        var domain = RecommendedCurve.Domain();
        var publicKey = PublishedKey(domain, RecommendedCurve.Xa, RecommendedCurve.Ya);
        var signature = Der(RecommendedCurve.R, RecommendedCurve.S);
        Assert.True(Sm.Verify(publicKey, Message, Sm.DefaultUserId, signature));

        for (var i = 0; i < Message.Length; i++)
        {
            var changed = (byte[])Message.Clone();
            changed[i] ^= 0x01;
            Assert.False(Sm.Verify(publicKey, changed, Sm.DefaultUserId, signature));
        }

        // Every byte of the DER: a changed tag or length makes it unreadable, a changed r or s makes it wrong.
        for (var i = 0; i < signature.Length; i++)
        {
            var changed = (byte[])signature.Clone();
            changed[i] ^= 0x01;
            Assert.False(Sm.Verify(publicKey, Message, Sm.DefaultUserId, changed));
            Assert.False(Sm.Verify(publicKey, Message, Convert.ToBase64String(changed)));
        }

        Assert.False(Sm.Verify(publicKey, Message, Encoding.ASCII.GetBytes("1234567812345679"), signature));
        Assert.False(Sm.Verify(publicKey, Message, "not base64!"));
    }

    /// <summary>Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A), ENTL_A the ID's length in bits as two bytes.</summary>
    private static byte[] Za(string id, params BigInteger[] rest)
    {
        var bits = Encoding.ASCII.GetByteCount(id) * 8;
        return [(byte)(bits >> 8), (byte)bits, .. Encoding.ASCII.GetBytes(id), .. rest.SelectMany(v => BigIntegers.AsUnsignedByteArray(32, v))];
    }

    private static ECPublicKeyParameters PublishedKey(ECDomainParameters domain, BigInteger x, BigInteger y) =>
        new(domain.Curve.CreatePoint(x, y), domain);

    private static SecureRandom FixedK(string k) => new(new FixedRandom(Convert.FromHexString(Plain(k))));

    private static BigInteger Hex(string spaced) => new(Plain(spaced), 16);

    private static string Plain(string spaced) => spaced.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();

    private static (BigInteger R, BigInteger S) Decode(byte[] der)
    {
        var sequence = Asn1Sequence.GetInstance(der);
        return (DerInteger.GetInstance(sequence[0]).Value, DerInteger.GetInstance(sequence[1]).Value);
    }

    private static byte[] Der(BigInteger r, BigInteger s) => new DerSequence(new DerInteger(r), new DerInteger(s)).GetEncoded();

    /// <summary>Hands out the given bytes once, then fails: a signature that drew more than the one k (a retry,
    /// a blinding value) would not be the standard's computation, and the test should say so.</summary>
    private sealed class FixedRandom(byte[] k) : IRandomGenerator
    {
        private bool _used;

        public void AddSeedMaterial(byte[] seed)
        {
        }

        public void AddSeedMaterial(ReadOnlySpan<byte> seed)
        {
        }

        public void AddSeedMaterial(long seed)
        {
        }

        public void NextBytes(byte[] bytes) => NextBytes(bytes.AsSpan());

        public void NextBytes(byte[] bytes, int start, int len) => NextBytes(bytes.AsSpan(start, len));

        public void NextBytes(Span<byte> output)
        {
            if (_used || output.Length != k.Length)
            {
                throw new InvalidOperationException($"the signer asked for {output.Length} more random bytes; the example fixes only k ({k.Length} bytes, once)");
            }

            k.CopyTo(output);
            _used = true;
        }
    }
}
