using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Ingest;

/// <summary>Every quarantine reason code, with the row as the quarantine table keeps it.</summary>
public sealed class QuarantineReasonTests : IDisposable
{
    private readonly TestLake _lake = new();

    private static readonly string ValidA = $"{People.A},张三,男,19900501";

    private BatchReport Deliver(params string[] lines)
    {
        _lake.Load(Entries.PersonsYaml(threshold: "0.9"));
        var report = _lake.Ingestor.Ingest(_lake.File("p.csv", People.Csv(lines)), Entries.Persons);
        AssertCommittedConsistently(_lake, report);
        return report;
    }

    /// <summary>The raw row of a well-formed CSV record: its columns and values as a JSON object, in file order.</summary>
    private static string Raw(string id, string name, string sex, string birth) =>
        $"{{\"公民身份号码\":\"{id}\",\"姓名\":\"{name}\",\"性别\":\"{sex}\",\"出生日期\":\"{birth}\"}}";

    [Fact]
    public void Ingest_Should_QuarantineAsMalformed_When_RowHasTheWrongFieldCount()
    {
        var report = Deliver(ValidA, $"{People.B},李四", $"{People.C},王五,男,19701212,多余");

        Assert.Equal(3, report.Read);
        Assert.Equal(1, report.Accepted);
        Assert.Equal(2, report.Quarantined);
        var rows = Quarantine(_lake, Entries.Persons);
        Assert.Equal(
            [
                new QuarantineRow(report.BatchId, Entries.Persons, "p.csv", 2, 3, $"{People.B},李四", rows[0].Field, QuarantineReasons.MalformedRow,
                    "the row has 2 field(s), the header has 4 (delimiter ',')"),
                new QuarantineRow(report.BatchId, Entries.Persons, "p.csv", 3, 4, $"{People.C},王五,男,19701212,多余", rows[1].Field, QuarantineReasons.MalformedRow,
                    "the row has 5 field(s), the header has 4 (delimiter ',')"),
            ],
            rows);
        Assert.All(rows, r => Assert.True(string.IsNullOrEmpty(r.Field)));
        var reason = Assert.Single(report.QuarantineReasons);
        Assert.Equal(QuarantineReasons.MalformedRow, reason.Code);
        Assert.Equal(2, reason.Count);
        Assert.Equal("row 2: the row has 2 field(s), the header has 4 (delimiter ',')", reason.Examples[0]);
    }

    [Fact]
    public void Ingest_Should_RefuseTheFile_When_AQuoteIsNeverClosed()
    {
        // Everything after a stray quote would be one field: rows would vanish into it, so nothing is committed.
        _lake.Load(Entries.PersonsYaml(threshold: "0.9"));
        var report = _lake.Ingestor.Ingest(
            _lake.File("p.csv", People.Csv(ValidA, $"{People.B},李四,女,19850131", $"{People.D},\"赵六,女,20010203", $"{People.C},王五,男,19700101")), Entries.Persons);

        Assert.Equal(BatchStatus.Failed, report.Status);
        Assert.Contains("line 4: a quote opened here is never closed", report.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_lake.Layout.ProviderTable(Entries.Persons)));
    }

    [Fact]
    public void Ingest_Should_QuarantineAsMissingRequired_When_ARequiredFieldOrTheKeyIsEmpty()
    {
        var report = Deliver(ValidA, $"{People.B}, ,女,19850131", ",王五,男,19701212");

        Assert.Equal(1, report.Accepted);
        Assert.Equal(2, report.Quarantined);
        Assert.Equal(
            [
                new QuarantineRow(report.BatchId, Entries.Persons, "p.csv", 2, 3, Raw(People.B, " ", "女", "19850131"), "姓名", QuarantineReasons.MissingRequired,
                    "姓名 is required but empty"),
                new QuarantineRow(report.BatchId, Entries.Persons, "p.csv", 3, 4, Raw("", "王五", "男", "19701212"), "公民身份号码", QuarantineReasons.MissingRequired,
                    "公民身份号码 is required but empty"),
            ],
            Quarantine(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_QuarantineAsInvalidIdentifier_When_CheckCharacterIsWrong_WithoutTheNumberInTheMessage()
    {
        var bad = People.WithBadCheckCharacter(People.B);

        var report = Deliver(ValidA, $"{bad},李四,女,19850131");

        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(QuarantineReasons.InvalidIdentifier, row.Reason);
        Assert.Equal("公民身份号码", row.Field);
        Assert.Equal(2, row.SourceRow);
        Assert.Equal(Raw(bad, "李四", "女", "19850131"), row.Raw);
        Assert.DoesNotContain(bad, row.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bad[4..^4], row.Message, StringComparison.Ordinal);
        // Not even masked: with the reason (region, birth year) a masked number would give most of it away.
        Assert.DoesNotContain(CitizenIdNumber.Mask(bad), row.Message, StringComparison.Ordinal);
        Assert.Contains("check character", row.Message, StringComparison.Ordinal);
        var reason = Assert.Single(report.QuarantineReasons);
        Assert.Equal("公民身份号码", reason.Field);
        Assert.All(reason.Examples, e => Assert.DoesNotContain(bad, e, StringComparison.Ordinal));
        Assert.DoesNotContain(bad, report.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20230230", "出生日期 '20230230' is not a real date")]
    [InlineData("2023-02-30", "出生日期 '2023-02-30' is not a real date")]
    [InlineData("abc", "出生日期 'abc' is not a date in a known form")]
    public void Ingest_Should_QuarantineAsInvalidDate_When_DateDoesNotExistOrIsNoDate(string birth, string message)
    {
        var report = Deliver(ValidA, $"{People.B},李四,女,{birth}");

        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(QuarantineReasons.InvalidDate, row.Reason);
        Assert.Equal("出生日期", row.Field);
        Assert.StartsWith(message, row.Message, StringComparison.Ordinal);
        Assert.Equal(Raw(People.B, "李四", "女", birth), row.Raw);
        Assert.Equal(1, report.Accepted);
    }

    [Theory]
    [InlineData("20270101", "出生日期 2027-01-01 lies in the future")]
    [InlineData("2026-11-23", "出生日期 2026-11-23 lies in the future")]
    [InlineData("18000101", "出生日期 1800-01-01 is outside 1880–2200")]
    public void Ingest_Should_QuarantineAsImplausibleDate_When_BirthDateIsInTheFutureOrTooEarly(string birth, string message)
    {
        var report = Deliver(ValidA, $"{People.B},李四,女,{birth}");

        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(QuarantineReasons.ImplausibleDate, row.Reason);
        Assert.Equal("出生日期", row.Field);
        Assert.Equal(message, row.Message);
        Assert.Equal(1, report.Accepted);
    }

    [Fact]
    public void Ingest_Should_AcceptABirthDateOfToday_When_ClockSaysSo()
    {
        var today = Ids.Citizen("410102", new DateOnly(2026, 11, 22), 1);

        var report = Deliver($"{today},新生,男,20261122");

        Assert.Equal(1, report.Accepted);
        Assert.Empty(Quarantine(_lake, Entries.Persons));
    }

    [Fact]
    public void Ingest_Should_QuarantineAsInvalidValue_When_AnAmountCannotBeRead_AndConvertTenThousandYuan()
    {
        _lake.Load(Entries.EntitiesYaml(threshold: "0.9"));
        var one = Credit.Uscc("410105", "12345678");
        var two = Credit.Uscc("410102", "23456789");
        var three = Credit.Uscc("410103", "34567890");
        var text = "统一社会信用代码,名称,注册资本,住所行政区划代码\n" +
            $"{one},郑州甲公司,50万元,410105\n" +
            $"{two},郑州乙公司,\"1,234.56\",410102\n" +
            $"{three},郑州丙公司,12abc,410103\n";

        var report = _lake.Ingestor.Ingest(_lake.File("e.csv", text), Entries.Entities);

        AssertCommittedConsistently(_lake, report);
        Assert.Equal(3, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(
            [[one, "郑州甲公司", "500000.00"], [two, "郑州乙公司", "1234.56"]],
            Provider(_lake, Entries.Entities, "uscc, name, CAST(registered_capital AS VARCHAR)"));
        Assert.Equal(
            new QuarantineRow(report.BatchId, Entries.Entities, "e.csv", 3, 4,
                $"{{\"统一社会信用代码\":\"{three}\",\"名称\":\"郑州丙公司\",\"注册资本\":\"12abc\",\"住所行政区划代码\":\"410103\"}}",
                "注册资本", QuarantineReasons.InvalidValue, "注册资本 '12abc' is not an amount"),
            Assert.Single(Quarantine(_lake, Entries.Entities)));
    }

    [Fact]
    public void Ingest_Should_QuarantineAsInvalidEnum_When_CodeIsNeitherMappedNorAllowed()
    {
        var report = Deliver(ValidA, $"{People.B},李四,未知,19850131", $"{People.C},王五,female,19701212");

        // 'female' is a value of the enumeration itself, so it is accepted unmapped.
        Assert.Equal(2, report.Accepted);
        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(QuarantineReasons.InvalidEnum, row.Reason);
        Assert.Equal("性别", row.Field);
        Assert.Equal("性别 '未知' is not one of male, female or a mapped code (男, 女)", row.Message);
        Assert.Equal([[People.A, "male"], [People.C, "female"]], Provider(_lake, Entries.Persons, "id_number, sex"));
    }

    [Fact]
    public void Ingest_Should_QuarantineEveryCopy_When_AKeyIsDeliveredTwice()
    {
        var report = Deliver(ValidA, $"{People.B},李四,女,19850131", $"{People.A},张叁,男,19900501");

        Assert.Equal(3, report.Read);
        Assert.Equal(1, report.Accepted);
        Assert.Equal(2, report.Quarantined);
        var message = $"公民身份号码 '{CitizenIdNumber.Mask(People.A)}' is delivered 2 times in this file; every copy is quarantined";
        Assert.Equal(
            [
                new QuarantineRow(report.BatchId, Entries.Persons, "p.csv", 1, 2, Raw(People.A, "张三", "男", "19900501"), "公民身份号码", QuarantineReasons.DuplicateKey, message),
                new QuarantineRow(report.BatchId, Entries.Persons, "p.csv", 3, 4, Raw(People.A, "张叁", "男", "19900501"), "公民身份号码", QuarantineReasons.DuplicateKey, message),
            ],
            Quarantine(_lake, Entries.Persons));
        Assert.Equal([[People.B]], Provider(_lake, Entries.Persons, "id_number"));
        var reason = Assert.Single(report.QuarantineReasons);
        Assert.Equal((QuarantineReasons.DuplicateKey, "公民身份号码", 2L), (reason.Code, reason.Field, reason.Count));
        Assert.Equal([$"row 1: {message}", $"row 3: {message}"], reason.Examples);
    }

    [Fact]
    public void Ingest_Should_QuarantineAsDuplicates_When_TwoSpellingsNormalizeToOneKey()
    {
        var fullWidth = string.Concat(People.A.Select(c => (char)(c + 0xFEE0)));

        var report = Deliver(ValidA, $"{fullWidth},张三,男,19900501", $"{People.B},李四,女,19850131");

        Assert.Equal(1, report.Accepted);
        Assert.Equal([QuarantineReasons.DuplicateKey, QuarantineReasons.DuplicateKey], Quarantine(_lake, Entries.Persons).Select(r => r.Reason));
    }

    [Fact]
    public void Ingest_Should_NameTheFirstProblemAndListTheOthers_When_ARowHasSeveral()
    {
        var report = Deliver(ValidA, $"{People.B},,未知,20230230");

        var row = Assert.Single(Quarantine(_lake, Entries.Persons));
        Assert.Equal(QuarantineReasons.MissingRequired, row.Reason);
        Assert.Equal("姓名", row.Field);
        Assert.Equal("姓名 is required but empty; also: 性别 '未知' is not one of male, female or a mapped code (男, 女); 出生日期 '20230230' is not a real date", row.Message);
        Assert.Equal(1, report.Accepted);
    }

    [Fact]
    public void Ingest_Should_BalanceReadAcceptedAndQuarantined_When_EveryReasonOccurs()
    {
        var report = Deliver(
            ValidA,                                                   // 1 accepted
            $"{People.B},李四",                                       // 2 malformed_row
            $"{People.C},,男,19701212",                               // 3 missing_required
            $"{People.WithBadCheckCharacter(People.D)},赵六,女,20010203", // 4 invalid_identifier
            $"{People.D},赵六,女,20230230",                           // 5 invalid_date
            $"{Ids.Citizen("410102", new DateOnly(1999, 9, 9), 5)},钱七,男,20991231", // 6 implausible_date
            $"{Ids.Citizen("410102", new DateOnly(1999, 9, 9), 7)},孙八,其他,19990909", // 7 invalid_enum
            $"{Ids.Citizen("410102", new DateOnly(1999, 9, 9), 9)},周九,男,19990909",   // 8 duplicate_key
            $"{Ids.Citizen("410102", new DateOnly(1999, 9, 9), 9)},周九,男,19990909",   // 9 duplicate_key
            $"{Ids.Citizen("410102", new DateOnly(1999, 9, 9), 13)},吴十,男,19990909"); // 10 accepted

        Assert.Equal(10, report.Read);
        Assert.Equal(2, report.Accepted);
        Assert.Equal(8, report.Quarantined);
        Assert.Equal(
            [
                QuarantineReasons.MalformedRow, QuarantineReasons.MissingRequired, QuarantineReasons.InvalidIdentifier, QuarantineReasons.InvalidDate,
                QuarantineReasons.ImplausibleDate, QuarantineReasons.InvalidEnum, QuarantineReasons.DuplicateKey, QuarantineReasons.DuplicateKey,
            ],
            Quarantine(_lake, Entries.Persons).Select(r => r.Reason));
        Assert.Equal([2L, 3, 4, 5, 6, 7, 8, 9], Quarantine(_lake, Entries.Persons).Select(r => r.SourceRow));
        Assert.Equal(8, report.QuarantineReasons.Sum(r => r.Count));
        Assert.Equal(QuarantineReasons.DuplicateKey, report.QuarantineReasons[0].Code);
        Assert.Equal(2, ProviderCount(_lake, Entries.Persons));
        var record = _lake.Store.FindBatch(report.BatchId)!;
        Assert.Equal((10L, 2L, 8L, "committed"), (record.Read, record.Accepted, record.Quarantined, record.Status));
    }

    public void Dispose() => _lake.Dispose();
}
