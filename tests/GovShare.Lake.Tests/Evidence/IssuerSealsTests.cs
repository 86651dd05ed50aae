using System.Text;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Evidence;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace GovShare.Lake.Tests.Evidence;

/// <summary>The canonical form an issuer seals, the seal check, and the registry of issuers' keys in <c>keys/issuers/</c>.</summary>
public sealed class IssuerSealsTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-seals-").FullName;

    private static Dictionary<string, object?> Licence() => new(StringComparer.Ordinal)
    {
        ["licence_no"] = "YZ4101052024000001",
        ["licence_type"] = "营业执照",
        ["holder_key"] = "91410105MA3X00001K",
        ["holder_kind"] = "uscc",
        ["holder_name"] = "郑州某某有限公司",
        ["issuing_agency"] = "郑州市金水区市场监督管理局",
        ["issue_date"] = new DateOnly(2024, 3, 5),
        ["expiry_date"] = null,
        ["status"] = "valid",
        ["scope"] = "技术服务\\咨询\n第二行\r",
        ["seal"] = "ignored",
        ["providing_agency"] = "ignored too",
    };

    [Fact]
    public void CanonicalBytes_Should_BeTheDocumentedLines_InTheFormsOrder()
    {
        var bytes = IssuerSeals.CanonicalBytes(Licence());

        Assert.Equal(
            "govshare-seal/1 licence.licences\n" +
            "licence_no=YZ4101052024000001\n" +
            "licence_type=营业执照\n" +
            "holder_key=91410105MA3X00001K\n" +
            "holder_kind=uscc\n" +
            "holder_name=郑州某某有限公司\n" +
            "issuing_agency=郑州市金水区市场监督管理局\n" +
            "issue_date=2024-03-05\n" +
            "expiry_date=\n" +
            "status=valid\n" +
            @"scope=技术服务\\咨询\n第二行\r" + "\n",
            Encoding.UTF8.GetString(bytes));
        Assert.NotEqual(0xEF, bytes[0]); // no byte-order mark
    }

    [Fact]
    public void CanonicalBytes_Should_TreatAMissingAnEmptyAndANullValueAlike()
    {
        var missing = Licence();
        missing.Remove("scope");
        var empty = Licence();
        empty["scope"] = "";
        var nothing = Licence();
        nothing["scope"] = null;

        Assert.Equal(IssuerSeals.CanonicalBytes(missing), IssuerSeals.CanonicalBytes(empty));
        Assert.Equal(IssuerSeals.CanonicalBytes(missing), IssuerSeals.CanonicalBytes(nothing));
    }

    [Fact]
    public void CanonicalBytes_Should_KeepAnEscapedLineBreakApartFromARealOne()
    {
        var real = Licence();
        real["scope"] = "a\nb";
        var written = Licence();
        written["scope"] = @"a\nb";

        Assert.NotEqual(IssuerSeals.CanonicalBytes(real), IssuerSeals.CanonicalBytes(written));
    }

    [Fact]
    public void CanonicalBytes_Should_RefuseAValueWithoutACanonicalForm()
    {
        var record = Licence();
        record["issue_date"] = new DateTime(2024, 3, 5);

        var error = Assert.Throws<ArgumentException>(() => IssuerSeals.CanonicalBytes(record));
        Assert.Contains("issue_date", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The form is fixed per version; this fails when licence.licences changes, so that the change is a
    /// decision (a form version 2) rather than every issued seal turning invalid.</summary>
    [Fact]
    public void SealedAttributes_Should_BeEveryLicenceAttributeButSeal_InTheTablesOrder()
    {
        Assert.Equal(BaseDatabaseCatalog.Licences.Attributes.Select(a => a.Name).Where(n => n != "seal"), IssuerSeals.SealedAttributes);
    }

    [Fact]
    public void Check_Should_AcceptTheIssuersSeal_AndCatchAChangedFieldOrAnotherKey()
    {
        var issuer = Sm.GenerateKeyPair();
        var record = Licence();
        var seal = IssuerSeals.Seal(issuer.Private, record);

        Assert.Equal(SealCheck.Valid, IssuerSeals.Check(issuer.Public, record, seal));
        foreach (var name in IssuerSeals.SealedAttributes)
        {
            var changed = Licence();
            changed[name] = changed[name] switch
            {
                DateOnly date => date.AddDays(1),
                null => "x",
                var text => text + " ",
            };
            Assert.Equal(SealCheck.Mismatch, IssuerSeals.Check(issuer.Public, changed, seal));
        }

        Assert.Equal(SealCheck.Mismatch, IssuerSeals.Check(Sm.GenerateKeyPair().Public, record, seal));
        // What the check ignores does not matter.
        record["seal"] = seal;
        record["batch_id"] = "b-1";
        Assert.Equal(SealCheck.Valid, IssuerSeals.Check(issuer.Public, record, seal));
    }

    /// <summary>An independent implementation: this seal was made by OpenSSL 3.0 over <see cref="Licence"/>'s canonical
    /// bytes (written by hand as in CanonicalBytes_Should_BeTheDocumentedLines), the way docs/issuer-seals.md tells
    /// an issuer to: <c>openssl genpkey -algorithm SM2 -out issuer.pem; openssl pkey -in issuer.pem -pubout;
    /// openssl dgst -sm3 -sign issuer.pem -sigopt distid:1234567812345678 -out seal.der canonical.txt</c>.</summary>
    [Fact]
    public void Check_Should_AcceptASealMadeByOpenSsl_WithItsPublicKeyAsOpenSslWritesIt()
    {
        const string publicKey = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAErpbSUVnPOFj7PYbtbzJE3ls9hVPM
            H4D5Eixmt6Q38Kb6Sxxh3NY3vz80tR/JM7KEDYd8Ey/cKKDCra1e2CkiHw==
            -----END PUBLIC KEY-----
            """;
        const string seal = "MEUCIFsaMuzSV4Z8xq21TMaBknk0ktWLSKZawgAJZcrkqmc9AiEAkXskgn1Zogbc0/Iw8MtZJqd8ATg4hvzVpzdLnZsgV9k=";
        var key = IssuerKeys.Parse(publicKey);

        Assert.Equal(SealCheck.Valid, IssuerSeals.Check(key, Licence(), seal));
        var changed = Licence();
        changed["status"] = "revoked";
        Assert.Equal(SealCheck.Mismatch, IssuerSeals.Check(key, changed, seal));
    }

    [Fact]
    public void Check_Should_AcceptRAndSAs64PlainBytes_AsSigningDevicesWriteThem()
    {
        var issuer = Sm.GenerateKeyPair();
        var record = Licence();
        var sequence = Asn1Sequence.GetInstance(Convert.FromBase64String(IssuerSeals.Seal(issuer.Private, record)));
        var plain = Arrays.Concatenate(
            BigIntegers.AsUnsignedByteArray(32, DerInteger.GetInstance(sequence[0]).Value),
            BigIntegers.AsUnsignedByteArray(32, DerInteger.GetInstance(sequence[1]).Value));

        Assert.Equal(SealCheck.Valid, IssuerSeals.Check(issuer.Public, record, Convert.ToBase64String(plain)));
        plain[^1] ^= 1;
        Assert.Equal(SealCheck.Mismatch, IssuerSeals.Check(issuer.Public, record, Convert.ToBase64String(plain)));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2VhbA==")] // "seal": base64, but no signature
    [InlineData("")]
    [InlineData("MAYCAQACAQE=")] // DER (0, 1): r out of range
    public void Check_Should_SayUnreadable_When_TheSealIsNoSignature(string seal)
    {
        Assert.Equal(SealCheck.Unreadable, IssuerSeals.Check(Sm.GenerateKeyPair().Public, Licence(), seal));
    }

    [Fact]
    public void IssuerKeys_Should_RegisterFindAndList_InKeysIssuers()
    {
        var keys = new IssuerKeys(new LakeLayout(_lake));
        var issuer = Sm.GenerateKeyPair();

        Assert.Null(keys.Find("amr"));
        var registered = keys.Register("amr", Sm.ToPem(issuer.Public));

        Assert.True(File.Exists(Path.Combine(_lake, "keys", "issuers", "amr.pem")));
        Assert.Equal(Sm.KeyId(issuer.Public), registered.KeyId);
        Assert.Equal(registered.KeyId, keys.Find("amr")?.KeyId);
        Assert.Equal(["amr"], keys.List().Keys);
        var replacement = Sm.GenerateKeyPair();
        keys.Register("amr", Sm.ToPem(replacement.Public));
        Assert.Equal(Sm.KeyId(replacement.Public), keys.Find("amr")?.KeyId);
        Assert.Empty(Directory.GetFiles(Path.Combine(_lake, "keys", "issuers"), "*.tmp"));
    }

    [Fact]
    public void IssuerKeys_Should_RefuseAPrivateKey_AKeyOnAnotherCurve_AndText()
    {
        var keys = new IssuerKeys(new LakeLayout(_lake));
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(new ECDomainParameters(ECNamedCurveTable.GetByName("P-256")), new SecureRandom()));
        var p256 = generator.GenerateKeyPair();

        var privateKey = Assert.Throws<LakeException>(() => keys.Register("amr", Sm.ToPem(Sm.GenerateKeyPair().Private)));
        var otherCurve = Assert.Throws<LakeException>(() => keys.Register("amr", Sm.ToPem(p256.Public)));
        var text = Assert.Throws<LakeException>(() => keys.Register("amr", "hello"));
        var broken = Assert.Throws<LakeException>(() => keys.Register("amr", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));

        Assert.Contains("private key", privateKey.Message, StringComparison.Ordinal);
        Assert.Contains("another curve", otherCurve.Message, StringComparison.Ordinal);
        Assert.Contains("no PEM public key", text.Message, StringComparison.Ordinal);
        Assert.Equal(LakeErrorKind.InvalidInput, broken.Kind);
        Assert.False(Directory.Exists(Path.Combine(_lake, "keys", "issuers")) && Directory.EnumerateFileSystemEntries(Path.Combine(_lake, "keys", "issuers")).Any());
    }

    [Fact]
    public void IssuerKeys_Should_NameTheFile_When_ARegisteredKeyIsUnusable()
    {
        var keys = new IssuerKeys(new LakeLayout(_lake));
        Directory.CreateDirectory(Path.Combine(_lake, "keys", "issuers"));
        File.WriteAllText(Path.Combine(_lake, "keys", "issuers", "amr.pem"), "damaged");

        var error = Assert.Throws<LakeException>(() => keys.Find("amr"));

        Assert.Equal(LakeErrorKind.InvalidInput, error.Kind);
        Assert.Contains("amr.pem", error.Message, StringComparison.Ordinal);
        Assert.Contains("govshare agency seal-key amr", error.Message, StringComparison.Ordinal);
        Assert.Empty(keys.List());
    }

    [Theory]
    [InlineData("../amr")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("")]
    public void IssuerKeys_Should_RefuseACodeThatCouldLeaveTheFolder(string code)
    {
        var keys = new IssuerKeys(new LakeLayout(_lake));

        Assert.Throws<LakeException>(() => keys.Register(code, Sm.ToPem(Sm.GenerateKeyPair().Public)));
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
