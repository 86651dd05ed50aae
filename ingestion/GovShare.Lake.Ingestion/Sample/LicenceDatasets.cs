using System.Security.Cryptography;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>The electronic licences of one issuer: rows built from the holders (entities or persons) and the
/// deliberate errors every licence file carries.</summary>
internal abstract class LicenceDataset(SampleCity city) : SampleDataset(city)
{
    private static readonly FateRates Rates = new(Duplicate: 0.0015, InvalidIdentifier: 0.0015, InvalidDate: 0.001,
        MissingRequired: 0.0015, InvalidEnum: 0.001);

    /// <summary>The share of all licences this issuer holds, and the shares of the issuers before it.</summary>
    protected abstract (double Before, double Share) Split { get; }

    /// <summary>The licence's status words this issuer uses that are not in its catalogue mapping.</summary>
    protected abstract string[] UnmappedStatuses { get; }

    /// <summary>The random stream of this issuer.</summary>
    protected abstract ulong Stream { get; }

    public override long Units => End - Start;

    /// <summary>The first global licence index of this issuer.</summary>
    private long Start => (long)Math.Floor(City.LicenceCount * Split.Before);

    private long End => Split.Before + Split.Share >= 0.999 ? City.LicenceCount : (long)Math.Floor(City.LicenceCount * (Split.Before + Split.Share));

    public override string KeyColumn => Columns[0];

    public override IEnumerable<SampleRow> Rows(DatasetRun run)
    {
        for (var k = 0L; k < End - Start; k++)
        {
            run.Tick();
            var random = SampleRandom.For(City.Seed, Stream, k);
            var fate = Rates.Draw(ref random);
            var licence = Build(k, ref random);
            string?[] values =
            [
                licence.Number, licence.Type, licence.HolderKey, licence.HolderKind, licence.HolderName, licence.Issuer,
                SampleCity.Iso(licence.Issued), licence.Expires is { } expires ? SampleCity.Iso(expires) : null, licence.Status, licence.Scope,
                Seal(licence),
            ];
            yield return fate switch
            {
                RowFate.Duplicate => new SampleRow(values) { DuplicateAfter = 1 + random.Next(40) },
                RowFate.InvalidIdentifier => Broken(values, 2, licence.HolderKey.Length == 18 && licence.HolderKind == CitizenKind
                    ? SampleCity.BrokenCitizenId(licence.HolderKey, ref random, run.SyntheticKeys)
                    : SampleCity.BrokenUscc(licence.HolderKey, ref random), "invalid_identifier"),
                RowFate.InvalidDate => Broken(values, 6, SampleCity.ImpossibleDate(licence.Issued, "yyyy-MM-dd", ref random), "invalid_date"),
                RowFate.MissingRequired => Broken(values, 4, null, "missing_required"),
                RowFate.InvalidEnum => Broken(values, 8, random.Pick(UnmappedStatuses), "invalid_enum"),
                _ => new SampleRow(values),
            };
        }
    }

    protected const string CitizenKind = "居民身份证";

    protected abstract Licence Build(long k, ref SampleRandom random);

    /// <summary>A stand-in for the issuer's electronic seal: a digest of the licence's fields, base64. (A real
    /// seal is an SM2 signature; the platform only stores and shows it.)</summary>
    private string Seal(Licence licence) =>
        Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join('|', Agency, licence.Number, licence.HolderKey, licence.HolderName, SampleCity.Iso(licence.Issued)))));

    private SampleRow Broken(string?[] values, int column, string? value, string reason) =>
        new(HouseholdDataset.With(values, column, value)) { InvalidField = Columns[column], InvalidReason = reason };

    /// <summary>A date between two dates (inclusive of the first), or the first when they are out of order.</summary>
    protected static DateOnly Between(DateOnly from, DateOnly to, ref SampleRandom random) =>
        to <= from ? from : from.AddDays(random.Next(to.DayNumber - from.DayNumber));

    protected sealed record Licence(
        string Number, string Type, string HolderKey, string HolderKind, string HolderName, string Issuer,
        DateOnly Issued, DateOnly? Expires, string Status, string Scope);
}

/// <summary>amr.business_licence: electronic business licences of the market entities, JSON Lines.</summary>
internal sealed class BusinessLicenceDataset(SampleCity city) : LicenceDataset(city)
{
    public override string Id => "amr.business_licence";

    public override string Agency => "amr";

    public override SampleFormat Format => SampleFormat.JsonLines;

    public override SampleEncoding Encoding => SampleEncoding.Utf8;

    public override string FileName => $"business_licence_{Stamp}.jsonl";

    public override IReadOnlyList<string> Columns { get; } =
        ["证照编号", "证照类型", "持证主体代码", "持证主体代码类型", "持证主体名称", "发证机关", "发证日期", "有效期至", "证照状态", "经营范围", "电子印章"];

    protected override (double Before, double Share) Split => (0, 0.6);

    protected override string[] UnmappedStatuses => ["作废", "待审核"];

    protected override ulong Stream => Streams.BusinessLicence;

    public override string CatalogueYaml => """
        # Synthetic sample data, generated by `govshare sample generate`.
        id: amr.business_licence
        name:
          zh: 电子营业执照
          en: Electronic business licences
        description: 市场监督管理部门核发的电子营业执照照面信息及电子印章，实时交换。
        agency:
          code: amr
          name: { zh: 郑州市市场监督管理局, en: Zhengzhou Municipal Administration for Market Regulation }
        target: licence.licences
        key:
          column: 证照编号
          kind: none
        source:
          format: jsonl
          encoding: utf-8
        delivery:
          mode: full
        fields:
          - { source: 证照编号, target: licence_no, type: string, required: true }
          - { source: 证照类型, target: licence_type, type: string, required: true }
          - { source: 持证主体代码, target: holder_key, type: string, required: true, identifier: uscc }
          - { source: 持证主体代码类型, target: holder_kind, type: string, required: true, map: { 统一社会信用代码: uscc } }
          - { source: 持证主体名称, target: holder_name, type: string, required: true }
          - { source: 发证机关, target: issuing_agency, type: string }
          - { source: 发证日期, target: issue_date, type: date, required: true, format: [yyyy-MM-dd] }
          - { source: 有效期至, target: expiry_date, type: date, format: [yyyy-MM-dd] }
          - { source: 证照状态, target: status, type: string, required: true, map: { 有效: valid, 吊销: revoked, 注销: revoked, 过期: expired } }
          - { source: 经营范围, target: scope, type: string }
          - { source: 电子印章, target: seal, type: string }
        sharing:
          class: unconditional
        updateDeadline: real_time
        provision: [online_query, system_integration]
        themes: [credit]
        authoritative: [licence_no, licence_type, holder_key, holder_kind, holder_name, issuing_agency, issue_date, expiry_date, status, scope, seal]
        quarantineThreshold: 0.05

        """;

    protected override Licence Build(long k, ref SampleRandom random)
    {
        var entities = City.Entities;
        var holder = entities.Derive(k < entities.Count ? k : SampleRandom.Hash(City.Seed, Streams.LicenceHolder, k, entities.Count));
        var issued = random.Chance(0.7) ? holder.Established : Between(holder.Established, City.AsOf.AddDays(-1), ref random);
        DateOnly? expires = random.Chance(0.85) ? null : holder.Established.AddYears(random.Chance(0.5) ? 20 : 30);
        var status = holder.Status switch
        {
            "active" => expires < City.AsOf ? "过期" : "有效",
            "revoked" => "吊销",
            _ => "注销",
        };
        var number = FormattableString.Invariant($"YZ{holder.RegisteredIn.Code}{issued.Year}{k + 1:D8}");
        return new Licence(number, "营业执照", holder.Uscc, "统一社会信用代码", holder.Name, holder.Authority, issued, expires, status, holder.Scope);
    }
}

/// <summary>nhc.practising_cert: physicians' practising certificates, UTF-8 CSV.</summary>
internal sealed class PractisingCertificateDataset(SampleCity city) : LicenceDataset(city)
{
    private static readonly string[] Hospitals =
    [
        "郑州大学第一附属医院", "河南省人民医院", "郑州市中心医院", "郑州人民医院", "郑州市第一人民医院", "河南省中医院",
        "郑州市第七人民医院", "郑州市妇幼保健院", "郑州市儿童医院", "郑州市第三人民医院", "河南省肿瘤医院", "郑州市骨科医院",
        "中牟县人民医院", "巩义市人民医院", "新郑市人民医院", "登封市人民医院", "荥阳市人民医院", "新密市第一人民医院",
    ];

    private static readonly (char Code, string Category, string[] Scopes)[] Categories =
    [
        ('1', "临床", ["内科专业", "外科专业", "妇产科专业", "儿科专业", "眼耳鼻咽喉科专业", "皮肤病与性病专业", "精神卫生专业", "急救医学专业", "全科医学专业", "医学影像和放射治疗专业"]),
        ('2', "中医", ["中医专业", "中西医结合专业", "针灸推拿专业"]),
        ('3', "口腔", ["口腔专业"]),
        ('4', "公共卫生", ["公共卫生类别专业"]),
    ];

    public override string Id => "nhc.practising_cert";

    public override string Agency => "nhc";

    public override SampleFormat Format => SampleFormat.Csv;

    public override SampleEncoding Encoding => SampleEncoding.Utf8;

    public override string FileName => $"practising_cert_{Stamp}.csv";

    public override IReadOnlyList<string> Columns { get; } =
        ["证书编码", "证书名称", "身份证件号码", "证件类型", "姓名", "发证机关", "发证日期", "有效期至", "执业状态", "执业范围", "电子签章"];

    protected override (double Before, double Share) Split => (0.6, 0.25);

    protected override string[] UnmappedStatuses => ["不予注册", "待定"];

    protected override ulong Stream => Streams.PractisingCert;

    public override string CatalogueYaml => """
        # Synthetic sample data, generated by `govshare sample generate`.
        id: nhc.practising_cert
        name:
          zh: 医师执业证书
          en: Physicians' practising certificates
        description: 卫生健康部门核发的医师执业证书信息（执业类别、范围、地点），实时交换。
        agency:
          code: nhc
          name: { zh: 郑州市卫生健康委员会, en: Zhengzhou Municipal Health Commission }
        target: licence.licences
        key:
          column: 证书编码
          kind: none
        source:
          format: csv
          encoding: utf-8
          delimiter: ','
          header: true
        delivery:
          mode: full
        fields:
          - { source: 证书编码, target: licence_no, type: string, required: true }
          - { source: 证书名称, target: licence_type, type: string, required: true }
          - { source: 身份证件号码, target: holder_key, type: string, required: true, identifier: citizen }
          - { source: 证件类型, target: holder_kind, type: string, required: true, map: { 居民身份证: citizen } }
          - { source: 姓名, target: holder_name, type: string, required: true }
          - { source: 发证机关, target: issuing_agency, type: string }
          - { source: 发证日期, target: issue_date, type: date, required: true, format: [yyyy-MM-dd] }
          - { source: 有效期至, target: expiry_date, type: date, format: [yyyy-MM-dd] }
          - { source: 执业状态, target: status, type: string, required: true, map: { 有效: valid, 注销: revoked, 暂停执业: suspended } }
          - { source: 执业范围, target: scope, type: string }
          - { source: 电子签章, target: seal, type: string }
        sharing:
          class: unconditional
        updateDeadline: real_time
        provision: [online_query]
        themes: [health]
        authoritative: [licence_no, licence_type, holder_key, holder_kind, holder_name, issuing_agency, issue_date, expiry_date, status, scope, seal]
        quarantineThreshold: 0.05

        """;

    protected override Licence Build(long k, ref SampleRandom random)
    {
        var persons = City.Persons;
        Person holder = null!;
        for (var attempt = 0; attempt < 16; attempt++)
        {
            holder = persons.Derive(SampleRandom.Hash(City.Seed, Streams.LicenceHolder, (k * 16) + attempt + (1L << 40), persons.Count));
            if (holder.Age is >= 25 and <= 70)
            {
                break;
            }
        }

        var (code, category, scopes) = random.Pick(Categories);
        var level = random.Chance(0.8) ? '1' : '2';
        var county = Zhengzhou.ByCode[holder.HouseholdDivision];
        var first = holder.BirthDate.AddYears(24);
        var earliest = City.AsOf.AddYears(-30);
        var issued = Between(first > earliest ? first : earliest, City.AsOf.AddDays(-1), ref random);
        var status = holder.Status != LifeStatus.Alive ? "注销" : random.NextDouble() switch
        {
            < 0.02 => "注销",
            < 0.03 => "暂停执业",
            _ => "有效",
        };
        var issuer = random.Chance(0.6) ? "郑州市卫生健康委员会" : county.IsDistrict ? $"郑州市{county.Name}卫生健康委员会" : $"{county.Name}卫生健康委员会";
        var number = FormattableString.Invariant($"{code}{level}{county.Code}{k + 1:D7}");
        var scope = $"执业类别：{category}；执业范围：{random.Pick(scopes)}；执业地点：{random.Pick(Hospitals)}";
        return new Licence(number, level == '1' ? "医师执业证书" : "医师执业证书（执业助理医师）", holder.Id, CitizenKind, holder.Name, issuer, issued, null, status, scope);
    }
}

/// <summary>hurd.qualification: construction enterprises' qualification certificates, GBK CSV with Windows line ends.</summary>
internal sealed class QualificationDataset(SampleCity city) : LicenceDataset(city)
{
    private static readonly string[] Qualifications =
    [
        "建筑工程施工总承包二级", "建筑工程施工总承包三级", "市政公用工程施工总承包二级", "市政公用工程施工总承包三级",
        "建筑装修装饰工程专业承包二级", "地基基础工程专业承包三级", "钢结构工程专业承包三级", "环保工程专业承包三级",
        "电子与智能化工程专业承包二级", "消防设施工程专业承包二级", "防水防腐保温工程专业承包二级", "施工劳务不分等级",
        "公路工程施工总承包三级", "水利水电工程施工总承包三级", "城市及道路照明工程专业承包三级", "古建筑工程专业承包三级",
    ];

    public override string Id => "hurd.qualification";

    public override string Agency => "hurd";

    public override SampleFormat Format => SampleFormat.Csv;

    public override SampleEncoding Encoding => SampleEncoding.Gbk;

    public override bool CrLf => true;

    public override string FileName => $"qualification_{Stamp}.csv";

    public override IReadOnlyList<string> Columns { get; } =
        ["证书编号", "证书类型", "统一社会信用代码", "主体代码类型", "企业名称", "发证机关", "发证日期", "有效期至", "证书状态", "资质类别及等级", "电子印章"];

    protected override (double Before, double Share) Split => (0.85, 0.15);

    protected override string[] UnmappedStatuses => ["注销中", "待核查"];

    protected override ulong Stream => Streams.Qualification;

    public override string CatalogueYaml => """
        # Synthetic sample data, generated by `govshare sample generate`.
        id: hurd.qualification
        name:
          zh: 建筑业企业资质证书
          en: Construction enterprise qualification certificates
        description: 住房和城乡建设部门核发的建筑业企业资质证书信息，实时交换。
        agency:
          code: hurd
          name: { zh: 郑州市城乡建设局, en: Zhengzhou Municipal Urban and Rural Construction Bureau }
        target: licence.licences
        key:
          column: 证书编号
          kind: none
        source:
          format: csv
          encoding: auto
          delimiter: auto
          header: true
        delivery:
          mode: full
        fields:
          - { source: 证书编号, target: licence_no, type: string, required: true }
          - { source: 证书类型, target: licence_type, type: string, required: true }
          - { source: 统一社会信用代码, target: holder_key, type: string, required: true, identifier: uscc }
          - { source: 主体代码类型, target: holder_kind, type: string, required: true, map: { 统一社会信用代码: uscc } }
          - { source: 企业名称, target: holder_name, type: string, required: true }
          - { source: 发证机关, target: issuing_agency, type: string }
          - { source: 发证日期, target: issue_date, type: date, required: true, format: [yyyy-MM-dd] }
          - { source: 有效期至, target: expiry_date, type: date, format: [yyyy-MM-dd] }
          - { source: 证书状态, target: status, type: string, required: true, map: { 有效: valid, 过期: expired, 撤回: revoked, 暂扣: suspended } }
          - { source: 资质类别及等级, target: scope, type: string }
          - { source: 电子印章, target: seal, type: string }
        sharing:
          class: unconditional
        updateDeadline: real_time
        provision: [online_query, bulk_download]
        themes: [urban_construction, production_safety]
        authoritative: [licence_no, licence_type, holder_key, holder_kind, holder_name, issuing_agency, issue_date, expiry_date, status, scope, seal]
        quarantineThreshold: 0.05

        """;

    protected override Licence Build(long k, ref SampleRandom random)
    {
        var entities = City.Entities;
        Entity holder = null!;
        for (var attempt = 0; attempt < 16; attempt++)
        {
            holder = entities.Derive(SampleRandom.Hash(City.Seed, Streams.LicenceHolder, (k * 16) + attempt + (2L << 40), entities.Count));
            if (holder.Kind == EntityKind.Enterprise)
            {
                break;
            }
        }

        var provincial = random.Chance(0.4);
        var issued = Between(holder.Established > City.AsOf.AddYears(-8) ? holder.Established : City.AsOf.AddYears(-8), City.AsOf.AddDays(-1), ref random);
        var expires = issued.AddYears(5);
        var status = holder.Status != "active" ? "撤回" : expires < City.AsOf ? "过期" : random.Chance(0.01) ? "暂扣" : "有效";
        var number = FormattableString.Invariant($"D{(provincial ? 2 : 3)}41{k + 1:D7}");
        return new Licence(number, "建筑业企业资质证书", holder.Uscc, "统一社会信用代码", holder.Name,
            provincial ? "河南省住房和城乡建设厅" : "郑州市城乡建设局", issued, expires, status, random.Pick(Qualifications));
    }
}
