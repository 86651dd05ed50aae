using GovShare.Lake.Evidence;
using GovShare.Lake.Ingestion.Ingest;
using Org.BouncyCastle.Crypto;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Licence seals at ingestion: verified against the delivering agency's registered key, a row whose seal
/// is unreadable or does not verify quarantined, stored unverified when the agency has no key.</summary>
public sealed class IssuerSealTests : IDisposable
{
    private const string Dataset = "amr.business_licence";

    private const string Header = "证照编号,证照类型,持证主体代码,持证主体名称,发证日期,有效期至,证照状态,电子印章";

    private static readonly string HolderA = Credit.Uscc("410105", "12345678");
    private static readonly string HolderB = Credit.Uscc("410102", "23456789");

    private readonly TestLake _lake = new();
    private readonly AsymmetricCipherKeyPair _issuer = Sm.GenerateKeyPair();

    /// <summary>Licences of amr, CSV; <c>status</c> is a code map (有效 → valid), <c>seal</c> optional unless told.</summary>
    private static string Yaml(string threshold = "0.9", string sealRequired = "false") => $$"""
        id: {{Dataset}}
        name: { zh: 电子营业执照, en: Electronic business licences }
        agency: { code: amr, name: { zh: 市市场监督管理局, en: Administration for Market Regulation } }
        target: licence.licences
        key: { column: 证照编号, kind: none }
        source: { format: csv }
        fields:
          - { source: 证照编号, target: licence_no, required: true }
          - { source: 证照类型, target: licence_type, required: true }
          - { source: 持证主体代码, target: holder_key, required: true, identifier: uscc }
          - { source: 持证主体名称, target: holder_name, required: true }
          - { source: 发证日期, target: issue_date, required: true }
          - { source: 有效期至, target: expiry_date }
          - { source: 证照状态, target: status, required: true, map: { 有效: valid, 吊销: revoked } }
          - { source: 电子印章, target: seal, required: {{sealRequired}} }
        authoritative: [licence_type, holder_name, status, seal]
        quarantineThreshold: {{threshold}}
        """;

    /// <summary>A delivered row: the values as the file has them, and the seal over the record as the lake will
    /// store it (dates read, 长期 as no expiry, the status code mapped; attributes the entry does not map empty).</summary>
    private string Row(string number, string holder, string name, string issued, string? expires, string status, Func<string, string>? alter = null)
    {
        var record = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["licence_no"] = number,
            ["licence_type"] = "营业执照",
            ["holder_key"] = holder,
            ["holder_name"] = name,
            ["issue_date"] = DateOnly.ParseExact(issued, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            ["expiry_date"] = expires is null or "长期" ? null : DateOnly.ParseExact(expires, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            ["status"] = status == "有效" ? "valid" : "revoked",
        };
        var seal = IssuerSeals.Seal(_issuer.Private, record);
        return $"{number},营业执照,{holder},{name},{issued},{expires},{status},{(alter is null ? seal : alter(seal))}";
    }

    private static string Csv(params string[] rows) => string.Concat(new[] { Header }.Concat(rows).Select(r => r + "\n"));

    private IssuerKey Register(string agency = "amr") => new IssuerKeys(_lake.Layout).Register(agency, Sm.ToPem(_issuer.Public));

    [Fact]
    public void Ingest_Should_AcceptLicences_When_TheirSealsVerifyAgainstTheIssuersKey()
    {
        var key = Register();
        _lake.Load(Yaml());
        var first = Row("YZ001", HolderA, "郑州甲公司", "20240305", "长期", "有效");
        var second = Row("YZ002", HolderB, "郑州乙公司", "20230101", "20330101", "吊销");

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", Csv(first, second)), Dataset);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((2L, 2L, 0L), (report.Read, report.Accepted, report.Quarantined));
        Assert.Empty(report.Warnings);
        Assert.Equal($"amr key {key.KeyId}", report.SealKey);
        Assert.Contains($"seals      verified against the registered amr key {key.KeyId}", report.ToText(), StringComparison.Ordinal);
        Assert.Equal([["YZ001", "valid", first.Split(',')[^1]], ["YZ002", "revoked", second.Split(',')[^1]]],
            Provider(_lake, Dataset, "licence_no, status, seal"));
    }

    [Fact]
    public void Ingest_Should_QuarantineTheRow_NamingRowAndSeal_When_AFieldWasChangedAfterSealing()
    {
        var key = Register();
        _lake.Load(Yaml());
        var good = Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效");
        // Sealed as 郑州乙公司, delivered as 郑州丙公司.
        var altered = Row("YZ002", HolderB, "郑州乙公司", "20230101", null, "有效").Replace("郑州乙公司", "郑州丙公司", StringComparison.Ordinal);

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", Csv(good, altered)), Dataset);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((2L, 1L, 1L), (report.Read, report.Accepted, report.Quarantined));
        var row = Assert.Single(Quarantine(_lake, Dataset));
        Assert.Equal((2L, "电子印章", QuarantineReasons.SealMismatch), (row.SourceRow, row.Field, row.Reason));
        Assert.Equal($"电子印章 (seal) does not verify against the seal key registered for amr (key {key.KeyId}): " +
            "the record differs from what the issuer sealed, or another key sealed it", row.Message);
        Assert.Contains("郑州丙公司", row.Raw, StringComparison.Ordinal);
        var reason = Assert.Single(report.QuarantineReasons);
        Assert.Equal((QuarantineReasons.SealMismatch, "电子印章", 1L), (reason.Code, reason.Field, reason.Count));
        Assert.StartsWith("row 2: 电子印章 (seal) does not verify", reason.Examples[0], StringComparison.Ordinal);
        Assert.Equal([["YZ001"]], Provider(_lake, Dataset, "licence_no"));
    }

    /// <summary>Rows are checked in batches of 512 on several threads that share the one key.</summary>
    [Fact]
    public void Ingest_Should_QuarantineExactlyTheAlteredRow_When_SealsAreCheckedInParallelBatches()
    {
        Register();
        _lake.Load(Yaml());
        var rows = Enumerable.Range(1, 1100)
            .Select(i => Row($"YZ{i:D5}", i % 2 == 0 ? HolderA : HolderB, $"郑州{i}号公司", "20240305", null, "有效"))
            .ToArray();
        rows[999] = rows[999].Replace("郑州1000号公司", "郑州一千号公司", StringComparison.Ordinal);

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", Csv(rows)), Dataset);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((1100L, 1099L, 1L), (report.Read, report.Accepted, report.Quarantined));
        var row = Assert.Single(Quarantine(_lake, Dataset));
        Assert.Equal((1000L, QuarantineReasons.SealMismatch), (row.SourceRow, row.Reason));
    }

    [Fact]
    public void Ingest_Should_QuarantineAsInvalidSeal_When_TheSealIsNotBase64OrNoSignature()
    {
        Register();
        _lake.Load(Yaml());
        var text = Csv(
            Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效"),
            Row("YZ002", HolderB, "郑州乙公司", "20230101", null, "有效", _ => "not*base64"),
            Row("YZ003", HolderB, "郑州乙公司", "20230101", null, "有效", _ => "c2VhbA=="));

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", text), Dataset);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((3L, 1L, 2L), (report.Read, report.Accepted, report.Quarantined));
        var rows = Quarantine(_lake, Dataset);
        Assert.Equal([2L, 3L], rows.Select(r => r.SourceRow));
        Assert.All(rows, r => Assert.Equal(("电子印章", QuarantineReasons.InvalidSeal), (r.Field, r.Reason)));
        Assert.All(rows, r => Assert.Equal("电子印章 (seal) is not a seal: expected the base64 of an SM2 signature (DER, or r and s in 64 bytes)", r.Message));
    }

    [Fact]
    public void Ingest_Should_StoreSealsUnverified_When_TheDeliveringAgencyHasNoRegisteredKey()
    {
        // A key of another agency does not count: seals are verified against the delivering agency's key only.
        Register("psb");
        _lake.Load(Yaml());
        var altered = Row("YZ002", HolderB, "郑州乙公司", "20230101", null, "有效").Replace("郑州乙公司", "郑州丙公司", StringComparison.Ordinal);
        var text = Csv(Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效", _ => "not*base64"), altered);

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", text), Dataset);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((2L, 2L, 0L), (report.Read, report.Accepted, report.Quarantined));
        Assert.Null(report.SealKey);
        Assert.DoesNotContain("seals", report.ToText(), StringComparison.Ordinal);
        Assert.Equal("not*base64", Provider(_lake, Dataset, "seal").First()[0]);
    }

    [Fact]
    public void Ingest_Should_AcceptAndWarn_When_ASealIsEmpty_AndTheEntryDoesNotRequireOne()
    {
        Register();
        _lake.Load(Yaml());

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", Csv(
            Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效"),
            Row("YZ002", HolderB, "郑州乙公司", "20230101", null, "有效", _ => ""))), Dataset);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal((2L, 2L, 0L), (report.Read, report.Accepted, report.Quarantined));
        var warning = Assert.Single(report.Warnings);
        Assert.Equal((IngestionWarnings.UnsealedRecord, "电子印章", 1L), (warning.Code, warning.Field, warning.Count));
        Assert.Equal(["row 2: 电子印章 (seal) is empty although amr has a registered seal key: the record is accepted unsealed"], warning.Examples);
    }

    [Fact]
    public void Ingest_Should_QuarantineAsMissingRequired_When_ASealIsEmpty_AndTheEntryRequiresOne()
    {
        Register();
        _lake.Load(Yaml(sealRequired: "true"));

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", Csv(
            Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效"),
            Row("YZ002", HolderB, "郑州乙公司", "20230101", null, "有效", _ => ""))), Dataset);

        AssertCommittedConsistently(_lake, report);
        var row = Assert.Single(Quarantine(_lake, Dataset));
        Assert.Equal((2L, QuarantineReasons.MissingRequired), (row.SourceRow, row.Reason));
    }

    [Fact]
    public void Ingest_Should_RefuseTheDelivery_When_FailedSealsExceedTheThreshold()
    {
        Register();
        _lake.Load(Yaml(threshold: "0.2"));
        var text = Csv(
            Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效"),
            Row("YZ002", HolderB, "郑州乙公司", "20230101", null, "有效").Replace("郑州乙公司", "郑州丙公司", StringComparison.Ordinal));

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", text), Dataset);

        AssertNothingCommitted(_lake, report, status: "refused");
        Assert.Equal(BatchStatus.Refused, report.Status);
        Assert.Equal((2L, 1L, 1L), (report.Read, report.Accepted, report.Quarantined));
        Assert.Contains(QuarantineReasons.SealMismatch, report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_Should_FailTheDelivery_NamingTheFile_When_TheRegisteredKeyIsUnusable()
    {
        Directory.CreateDirectory(_lake.Layout.IssuerKeysFolder);
        File.WriteAllText(_lake.Layout.IssuerKey("amr"), "-----BEGIN PUBLIC KEY-----\ndamaged\n-----END PUBLIC KEY-----\n");
        _lake.Load(Yaml());

        var report = _lake.Ingestor.Ingest(_lake.File("l.csv", Csv(Row("YZ001", HolderA, "郑州甲公司", "20240305", null, "有效"))), Dataset);

        AssertNothingCommitted(_lake, report);
        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("amr.pem", report.Message, StringComparison.Ordinal);
        Assert.Contains("govshare agency seal-key amr", report.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _lake.Dispose();
}
