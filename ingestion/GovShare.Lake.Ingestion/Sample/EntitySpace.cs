using System.Globalization;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>The kind of market entity, as the enumeration of <c>legal_entity.entities.entity_type</c> has it.</summary>
internal enum EntityKind
{
    Enterprise,
    IndividualBusiness,
    FarmersCooperative,
}

/// <summary>One synthetic market entity registered in Zhengzhou, re-derived from (seed, index) on demand.</summary>
internal sealed class Entity
{
    public required long Index { get; init; }

    public required string Uscc { get; init; }

    /// <summary>The organisation code embedded in the credit code, written XXXXXXXX-Y.</summary>
    public required string OrgCode { get; init; }

    /// <summary>The 15-digit registration number of the old business licence; null for entities registered
    /// after the 2015 reform gave new entities a credit code only.</summary>
    public required string? RegistrationNumber { get; init; }

    public required string Name { get; init; }

    public required EntityKind Kind { get; init; }

    /// <summary>The entity type as the market regulator writes it (有限责任公司, 个体工商户, …).</summary>
    public required string TypeLabel { get; init; }

    public required Person LegalRep { get; init; }

    public required decimal? Capital { get; init; }

    public required string Currency { get; init; }

    public required DateOnly Established { get; init; }

    /// <summary>Registration status: active, revoked, cancelled or moved_out.</summary>
    public required string Status { get; init; }

    /// <summary>The status as the register writes it (存续, 在业, 吊销, 注销, 迁出).</summary>
    public required string StatusLabel { get; init; }

    public required string Address { get; init; }

    /// <summary>The county of the registered address today.</summary>
    public required County County { get; init; }

    /// <summary>The county whose code the credit code embeds (where the entity was first registered).</summary>
    public required County RegisteredIn { get; init; }

    public required string Industry { get; init; }

    public required string Scope { get; init; }

    public string Authority => RegisteredIn.MarketAuthority;
}

/// <summary>The city's market entities: entity <i>j</i> is derived from (seed, j); its codes are unique by
/// construction (affine bijections of j), and its legal representative is a person of the city chosen by a
/// hash of j, re-derived when needed.</summary>
internal sealed class EntitySpace(long seed, long count, PersonSpace persons)
{
    /// <summary>The largest number of entities whose licence registration numbers stay unique.</summary>
    public const long MaxCount = 10_000_000;

    private static readonly DateOnly CreditCodeReform = new(2015, 10, 1);
    private static readonly DateOnly CooperativeLaw = new(2007, 7, 1);

    private static readonly string[] TradeNameCharacters =
    [
        "鑫", "源", "华", "瑞", "宏", "达", "恒", "信", "中", "原", "豫", "商", "兴", "隆", "金", "盛", "博", "远", "安", "泰",
        "嘉", "禾", "永", "康", "天", "宇", "德", "润", "泽", "弘", "凯", "旭", "东", "方", "新", "航", "汇", "通", "明", "辉",
        "佳", "和", "科", "创", "宸", "睿", "鼎", "元", "正", "大", "合", "利", "丰", "祥", "福", "顺", "昌", "荣", "光", "耀",
        "启", "聚", "贤", "万", "众", "诚", "百", "川", "立", "邦", "晟", "铭", "益", "联", "峰", "亿", "腾", "跃", "嵩", "黄",
    ];

    private static readonly (string Industry, string Scope)[] Industries =
    [
        ("科技", "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；计算机软硬件及辅助设备零售"),
        ("信息技术", "信息系统集成服务；软件开发；数据处理和存储支持服务；信息技术咨询服务"),
        ("商贸", "日用百货销售；五金产品零售；建筑材料销售；电子产品销售；针纺织品销售"),
        ("建筑工程", "建设工程施工；住宅室内装饰装修；建筑劳务分包；市政设施管理"),
        ("装饰工程", "住宅室内装饰装修；建筑装饰材料销售；工程管理服务"),
        ("物流", "普通货物仓储服务（不含危险化学品等需许可审批的项目）；国内货物运输代理；道路货物运输（不含危险货物）"),
        ("餐饮管理", "餐饮服务；餐饮管理；食品销售；外卖递送服务"),
        ("房地产开发", "房地产开发经营；物业管理；住房租赁；非居住房地产租赁"),
        ("汽车服务", "汽车销售；汽车零配件零售；机动车修理和维护；二手车经纪"),
        ("食品", "食品生产；食品销售；农副产品销售；食用农产品批发"),
        ("文化传媒", "广告设计、代理；广告制作；广告发布；组织文化艺术交流活动；会议及展览服务"),
        ("医疗器械", "第一类医疗器械销售；第二类医疗器械销售；医护人员防护用品零售"),
        ("教育咨询", "教育咨询服务（不含涉许可审批的教育培训活动）；信息咨询服务（不含许可类信息咨询服务）"),
        ("环保科技", "环保咨询服务；污水处理及其再生利用；固体废物治理；大气污染治理"),
        ("电子科技", "电子元器件制造；电子产品销售；电子专用设备销售"),
        ("农业科技", "农业科学研究和试验发展；谷物种植；蔬菜种植；农产品的生产、销售、加工、运输、贮藏及其他相关服务"),
        ("企业管理咨询", "企业管理咨询；市场营销策划；企业形象策划；会议及展览服务"),
        ("机械设备", "通用设备制造（不含特种设备制造）；机械设备销售；机械设备租赁"),
        ("人力资源服务", "人力资源服务（不含职业中介活动、劳务派遣服务）；劳务服务（不含劳务派遣）"),
        ("供应链管理", "供应链管理服务；国内贸易代理；货物进出口；技术进出口"),
    ];

    private static readonly (string Shop, string Scope)[] Shops =
    [
        ("便利店", "食品销售；烟草制品零售；日用百货销售"),
        ("烩面馆", "餐饮服务；小餐饮"),
        ("超市", "食品销售；日用百货销售；食用农产品零售"),
        ("五金店", "五金产品零售；建筑材料销售"),
        ("理发店", "理发服务；美容服务"),
        ("水果店", "食用农产品零售；水果零售"),
        ("服装店", "服装服饰零售；鞋帽零售"),
        ("手机维修部", "通讯设备修理；通信设备销售"),
        ("早餐店", "餐饮服务；小餐饮、小食杂、食品小作坊经营"),
        ("干洗店", "洗染服务；家政服务"),
        ("副食店", "食品销售；日用百货销售"),
        ("家电维修部", "日用电器修理；家用电器销售"),
        ("汽车修理部", "机动车修理和维护；汽车零配件零售"),
        ("粮油店", "食品销售；食用农产品零售"),
    ];

    private static readonly string[] CooperativeTrades = ["种植", "养殖", "农机", "果蔬", "花卉", "蔬菜种植", "中药材种植"];

    private static readonly (string Label, EntityKind Kind, double Weight)[] Types =
    [
        ("有限责任公司", EntityKind.Enterprise, 40),
        ("有限责任公司（自然人投资或控股）", EntityKind.Enterprise, 16),
        ("有限责任公司（自然人独资）", EntityKind.Enterprise, 5),
        ("股份有限公司", EntityKind.Enterprise, 2),
        ("个人独资企业", EntityKind.Enterprise, 4),
        ("合伙企业", EntityKind.Enterprise, 3),
        ("个体工商户", EntityKind.IndividualBusiness, 27),
        ("农民专业合作社", EntityKind.FarmersCooperative, 3),
    ];

    private static readonly Weighted<(string Label, EntityKind Kind)> TypeTable = new(Types.Select(t => ((t.Label, t.Kind), t.Weight)));

    /// <summary>Every entity type label the register uses, with its value of the entity_type enumeration.</summary>
    public static IEnumerable<(string Label, string Value)> TypeLabels =>
        Types.Select(t => (t.Label, t.Kind switch
        {
            EntityKind.IndividualBusiness => "individual_business",
            EntityKind.FarmersCooperative => "farmers_cooperative",
            _ => "enterprise",
        }));

    public long Count => count;

    public PersonSpace Persons => persons;

    public Entity Derive(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var random = SampleRandom.For(seed, Streams.Entity, index);
        var (typeLabel, kind) = TypeTable.Pick(ref random);
        var asOf = persons.AsOf;
        var years = kind switch
        {
            EntityKind.IndividualBusiness => 15.0,
            EntityKind.FarmersCooperative => (asOf.DayNumber - CooperativeLaw.DayNumber) / 365.25,
            _ => 30.0,
        };
        var u = random.NextDouble();
        var established = asOf.AddDays(-1 - (int)(365.25 * years * u * u));
        // Cooperatives are registered where there are villages.
        var registeredIn = kind == EntityKind.FarmersCooperative ? Zhengzhou.ByRuralPopulation.Pick(ref random) : Zhengzhou.ByPopulation.Pick(ref random);
        var county = random.Chance(0.004) ? Zhengzhou.ByPopulation.Pick(ref random) : registeredIn;

        var orgBody = established < CreditCodeReform ? OldOrgBody(index) : NewOrgBody(index);
        var orgCheck = OrganisationCode.ComputeCheckCharacter(orgBody);
        var typeCode = kind switch
        {
            EntityKind.IndividualBusiness => '2',
            EntityKind.FarmersCooperative => '3',
            _ => '1',
        };
        var usccBody = string.Concat("9", typeCode.ToString(), registeredIn.Code, orgBody, orgCheck.ToString());
        var uscc = usccBody + UnifiedSocialCreditCode.ComputeCheckCharacter(usccBody);

        string? registrationNumber = null;
        if (established.Year < 2016)
        {
            var typeDigit = kind == EntityKind.IndividualBusiness ? '6' : '0';
            var serial = ((index * 7_654_321L) + 1_234_567L + SeedOffset(1_000_000L)) % 10_000_000L;
            var body = string.Concat(registeredIn.Code, typeDigit.ToString(), serial.ToString("D7", CultureInfo.InvariantCulture));
            registrationNumber = body + BusinessLicenceNumber.ComputeCheckDigit(body);
        }

        var legalRep = LegalRepresentative(index, established);
        var tradeName = TradeName(ref random);
        string name;
        string industry;
        string scope;
        string address;
        decimal? capital;
        switch (kind)
        {
            case EntityKind.IndividualBusiness:
                (industry, scope) = random.Pick(Shops);
                name = random.Chance(0.3)
                    ? $"{county.Name}{legalRep.Surname}记{industry}"
                    : $"郑州市{county.Name}{tradeName}{industry}";
                address = Zhengzhou.NewBusinessAddress(county, office: false, ref random);
                capital = random.Chance(0.6) ? random.Next(1, 51) * 10_000m : null;
                break;
            case EntityKind.FarmersCooperative:
                industry = random.Pick(CooperativeTrades);
                scope = $"组织收购、销售成员及当地农户{industry}产品；开展成员所需的农业生产资料购买；引进新技术、新品种，开展技术培训、技术交流和咨询服务";
                var village = Zhengzhou.NewAddress(county, ref random, rural: true);
                var town = county.Towns.FirstOrDefault(t => village.Locality.StartsWith(t, StringComparison.Ordinal)) ?? "";
                name = $"{county.Name}{town}{tradeName}{industry}专业合作社";
                address = village.Full;
                capital = random.Next(10, 501) * 10_000m;
                break;
            default:
                (industry, scope) = random.Pick(Industries);
                var prefix = random.NextDouble() switch
                {
                    < 0.5 => "郑州",
                    < 0.8 => "河南",
                    < 0.9 => "河南省",
                    _ => "郑州市",
                };
                name = typeLabel switch
                {
                    "股份有限公司" => $"{prefix}{tradeName}{industry}股份有限公司",
                    "个人独资企业" => $"{prefix}{tradeName}{industry}中心",
                    "合伙企业" => $"{prefix}{tradeName}{industry}合伙企业（有限合伙）",
                    _ => $"{prefix}{tradeName}{industry}有限公司",
                };
                address = Zhengzhou.NewBusinessAddress(county, office: random.Chance(0.8), ref random);
                var magnitude = typeLabel == "股份有限公司" ? 500 + random.Next(0, 9500) : (int)Math.Round(10 * Math.Pow(10, random.NextDouble() * 2.7));
                capital = magnitude * 10_000m;
                break;
        }

        var currency = kind == EntityKind.Enterprise && random.Chance(0.01) ? (random.Chance(0.7) ? "USD" : "HKD") : "CNY";
        var (status, statusLabel) = random.NextDouble() switch
        {
            < 0.60 => ("active", "存续"),
            < 0.86 => ("active", "在业"),
            < 0.91 => ("revoked", "吊销"),
            < 0.99 => ("cancelled", "注销"),
            _ => ("moved_out", "迁出"),
        };

        return new Entity
        {
            Index = index,
            Uscc = uscc,
            OrgCode = OrganisationCode.Format(orgBody + orgCheck),
            RegistrationNumber = registrationNumber,
            Name = name,
            Kind = kind,
            TypeLabel = typeLabel,
            LegalRep = legalRep,
            Capital = capital,
            Currency = currency,
            Established = established,
            Status = status,
            StatusLabel = statusLabel,
            Address = address,
            County = county,
            RegisteredIn = registeredIn,
            Industry = industry,
            Scope = scope,
        };
    }

    /// <summary>A person of the city who was an adult when the entity was founded (a few tries of the hash).</summary>
    private Person LegalRepresentative(long index, DateOnly established)
    {
        Person? candidate = null;
        for (var attempt = 0; attempt < 12; attempt++)
        {
            candidate = persons.Derive(SampleRandom.Hash(seed, Streams.LegalRep, (index * 16) + attempt, persons.Count));
            if (PersonSpace.AgeOn(candidate.BirthDate, established) is >= 20 and <= 75)
            {
                return candidate;
            }
        }

        return candidate!;
    }

    private long SeedOffset(long modulus) => (long)((ulong)seed % (ulong)modulus);

    private static string TradeName(ref SampleRandom random)
    {
        var first = random.Pick(TradeNameCharacters);
        string second;
        do
        {
            second = random.Pick(TradeNameCharacters);
        }
        while (second == first);
        return first + second;
    }

    /// <summary>An old-style all-digit organisation code body: an affine bijection of the index modulo 10^8.</summary>
    private string OldOrgBody(long index) =>
        (((index * 73_939_133L) + 17_002_345L + SeedOffset(10_000_000L)) % 100_000_000L).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>A post-2015 organisation code body, "MA" and six characters of the credit-code alphabet: an
    /// affine bijection of the index modulo 31^6.</summary>
    private string NewOrgBody(long index)
    {
        const long Space = 31L * 31 * 31 * 31 * 31 * 31;
        var value = ((index * 48_271L) + 5_550_001L + SeedOffset(1_000_000L)) % Space;
        Span<char> body = stackalloc char[8];
        body[0] = 'M';
        body[1] = 'A';
        for (var i = 7; i >= 2; i--)
        {
            body[i] = UnifiedSocialCreditCode.Alphabet[(int)(value % 31)];
            value /= 31;
        }

        return new string(body);
    }
}
