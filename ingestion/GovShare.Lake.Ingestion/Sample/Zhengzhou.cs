using System.Collections.Frozen;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>A county-level division of Zhengzhou as it is today, with the places addresses are made of.</summary>
/// <param name="Code">The division code in use today (GB/T 2260).</param>
/// <param name="Name">Its name.</param>
/// <param name="Weight">Relative population (金水区 = 1).</param>
/// <param name="UrbanShare">Share of addresses in sub-district (街道) communities rather than villages.</param>
/// <param name="Streets">Sub-districts (街道).</param>
/// <param name="Towns">Towns and townships (镇, 乡).</param>
/// <param name="Longitude">Centre longitude.</param>
/// <param name="Latitude">Centre latitude.</param>
/// <param name="Spread">Half-width of the area around the centre, in degrees.</param>
internal sealed record County(
    string Code, string Name, double Weight, double UrbanShare, string[] Streets, string[] Towns,
    double Longitude, double Latitude, double Spread)
{
    /// <summary>True for a district of the city proper (区), false for a county or county-level city.</summary>
    public bool IsDistrict => Name.EndsWith('区');

    /// <summary>The market regulation bureau that registers entities here.</summary>
    public string MarketAuthority => IsDistrict ? $"郑州市{Name}市场监督管理局" : $"{Name}市场监督管理局";
}

/// <summary>A postal address in Zhengzhou, kept in parts so that providers' abbreviations of it can be written.</summary>
/// <param name="County">The county-level division.</param>
/// <param name="Locality">Sub-district and community, or town and village.</param>
/// <param name="Yard">Compound (号院) number, or the house number in a village.</param>
/// <param name="Building">Building number (0 in a village).</param>
/// <param name="Unit">Stairwell (单元) number.</param>
/// <param name="Flat">Flat number, floor and door (501 = fifth floor, door 1).</param>
/// <param name="Group">Villager group (组) in a village.</param>
internal sealed record Address(County County, string Locality, int Yard, int Building, int Unit, int Flat, int Group)
{
    public bool IsUrban => Building > 0;

    /// <summary>The standard form: 河南省郑州市金水区花园路街道幸福社区12号院3号楼2单元501室.</summary>
    public string Full => "河南省郑州市" + County.Name + Locality + Detail;

    /// <summary>Where the part below the county-level division starts in <see cref="Full"/> (花园路街道… after 河南省郑州市金水区).</summary>
    public int BelowDivision => "河南省郑州市".Length + County.Name.Length;

    /// <summary>Without the province: 郑州市金水区….</summary>
    public string WithoutProvince => "郑州市" + County.Name + Locality + Detail;

    /// <summary>Province and city without their 省/市 suffixes: 河南郑州金水区….</summary>
    public string WithoutSuffixes => "河南郑州" + County.Name + Locality + Detail;

    /// <summary>Building, unit and flat in the short form clerks type: …12号院3-2-501.</summary>
    public string Shorthand => IsUrban
        ? "河南省郑州市" + County.Name + Locality + Invariant($"{Yard}号院{Building}-{Unit}-{Flat}")
        : WithoutSuffixes;

    private string Detail => IsUrban
        ? Invariant($"{Yard}号院{Building}号楼{Unit}单元{Flat}室")
        : Invariant($"{Group}组{Yard}号");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>Zhengzhou's county-level divisions today, with their sub-districts, towns and rough extents,
/// and the vocabulary addresses and entity names are drawn from.</summary>
internal static class Zhengzhou
{
    public static IReadOnlyList<County> Counties { get; } =
    [
        new("410102", "中原区", 0.60, 0.95,
            ["林山寨街道", "建设路街道", "棉纺路街道", "秦岭路街道", "桐柏路街道", "三官庙街道", "绿东村街道", "汝河路街道", "航海西路街道", "中原西路街道", "须水街道"],
            ["须水镇"], 113.60, 34.75, 0.05),
        new("410103", "二七区", 0.55, 0.90,
            ["淮河路街道", "解放路街道", "铭功路街道", "一马路街道", "蜜蜂张街道", "五里堡街道", "大学路街道", "建中街街道", "福华街街道", "德化街街道", "嵩山路街道", "京广路街道", "长江路街道", "人和路街道"],
            ["侯寨乡", "马寨镇"], 113.63, 34.70, 0.05),
        new("410104", "管城回族区", 0.45, 0.90,
            ["西大街街道", "北下街街道", "南关街道", "城东路街道", "东大街街道", "二里岗街道", "陇海马路街道", "紫荆山南路街道", "航海东路街道", "十八里河街道", "南曹街道", "商都路街道"],
            ["圃田乡"], 113.70, 34.72, 0.05),
        new("410105", "金水区", 1.00, 1.00,
            ["经八路街道", "花园路街道", "人民路街道", "杜岭街道", "大石桥街道", "南阳路街道", "南阳新村街道", "文化路街道", "丰产路街道", "东风路街道", "北林路街道", "未来路街道", "凤凰台街道", "兴达路街道", "国基路街道", "杨金路街道", "丰庆路街道", "龙子湖街道", "博学路街道"],
            [], 113.70, 34.79, 0.05),
        new("410106", "上街区", 0.10, 0.90,
            ["济源路街道", "中心路街道", "新安路街道", "工业路街道", "矿山街道"],
            ["峡窝镇"], 113.30, 34.80, 0.04),
        new("410108", "惠济区", 0.30, 0.75,
            ["新城街道", "刘寨街道", "老鸦陈街道", "长兴路街道", "迎宾路街道", "大河路街道"],
            ["古荥镇", "花园口镇"], 113.62, 34.86, 0.05),
        new("410122", "中牟县", 0.50, 0.45,
            ["青年路街道", "东风路街道", "广惠街街道"],
            ["韩寺镇", "官渡镇", "狼城岗镇", "万滩镇", "白沙镇", "郑庵镇", "黄店镇", "大孟镇", "刘集镇", "八岗镇", "雁鸣湖镇", "姚家镇"],
            113.98, 34.72, 0.12),
        new("410181", "巩义市", 0.45, 0.50,
            ["新华路街道", "杜甫路街道", "永安路街道", "孝义街道", "紫荆路街道"],
            ["米河镇", "新中镇", "小关镇", "竹林镇", "大峪沟镇", "河洛镇", "站街镇", "康店镇", "北山口镇", "西村镇", "芝田镇", "回郭镇", "鲁庄镇", "夹津口镇", "涉村镇"],
            113.02, 34.73, 0.12),
        new("410182", "荥阳市", 0.45, 0.50,
            ["京城路街道", "索河街道"],
            ["乔楼镇", "豫龙镇", "广武镇", "王村镇", "汜水镇", "高山镇", "刘河镇", "崔庙镇", "贾峪镇", "城关乡", "高村乡", "金寨回族乡"],
            113.38, 34.78, 0.10),
        new("410183", "新密市", 0.45, 0.50,
            ["青屏街街道", "新华路街道", "西大街街道", "矿区街道"],
            ["城关镇", "米村镇", "牛店镇", "平陌镇", "超化镇", "苟堂镇", "大隗镇", "刘寨镇", "白寨镇", "岳村镇", "来集镇", "曲梁镇", "袁庄乡"],
            113.39, 34.53, 0.10),
        new("410184", "新郑市", 0.55, 0.55,
            ["新建路街道", "新华路街道", "新烟街道"],
            ["城关乡", "和庄镇", "薛店镇", "孟庄镇", "郭店镇", "龙湖镇", "辛店镇", "观音寺镇", "梨河镇", "八千乡", "龙王乡"],
            113.74, 34.40, 0.10),
        new("410185", "登封市", 0.40, 0.45,
            ["嵩阳街道", "少林街道", "中岳街道"],
            ["大冶镇", "宣化镇", "徐庄镇", "东华镇", "卢店镇", "告成镇", "大金店镇", "颍阳镇", "君召乡", "石道乡", "白坪乡"],
            113.05, 34.45, 0.12),
    ];

    /// <summary>Zhengzhou's county-level codes of the past and their weight in the years they held, for
    /// the region part of identity numbers of people born then (a code retired since is still on their card).</summary>
    public static FrozenDictionary<string, double> HistoricalWeights { get; } = new Dictionary<string, double>
    {
        ["410107"] = 0.05, // 新密区, 1983-1987
        ["410111"] = 0.05, // 金海区, 1983-1987
        ["410112"] = 0.10, // 郊区, 1983-1987
        ["410121"] = 0.45, // 荥阳县, until 1994
        ["410123"] = 0.55, // 新郑县, until 1994
        ["410124"] = 0.45, // 巩县, until 1991
        ["410125"] = 0.40, // 登封县, until 1994
        ["410126"] = 0.45, // 密县, until 1994
    }.ToFrozenDictionary();

    public static FrozenDictionary<string, County> ByCode { get; } = Counties.ToFrozenDictionary(c => c.Code);

    public static Weighted<County> ByPopulation { get; } = new(Counties.Select(c => (c, c.Weight)));

    /// <summary>Counties by their rural population (those with towns and villages only).</summary>
    public static Weighted<County> ByRuralPopulation { get; } = new(Counties.Where(c => c.Towns.Length > 0).Select(c => (c, c.Weight * (1.05 - c.UrbanShare))));

    public static IReadOnlyList<string> Communities { get; } =
    [
        "幸福", "和平", "建设", "文化", "光明", "花园", "金桥", "阳光", "锦绣", "紫荆", "桃源", "新华", "东方", "春晓",
        "翠竹", "丰华", "凤鸣", "银河", "绿城", "康宁", "福寿", "如意", "铁路", "电厂", "纺织", "工人", "民主", "团结",
        "友爱", "红旗", "黄河", "嵩山", "中州", "政通", "同乐", "裕华", "园丁", "金色港湾", "名门", "枫林",
    ];

    public static IReadOnlyList<string> Villages { get; } =
    [
        "王庄", "李庄", "张庄", "刘庄", "后寨", "前寨", "东村", "西村", "南岗", "北岗", "小河", "大河", "柳林", "杨树岗",
        "孙庄", "马庄", "白庙", "黄台", "石桥", "新庄", "沙窝", "郭庄", "何庄", "高庄", "赵家", "上庄", "下庄", "河西",
        "河东", "枣园", "桃园", "杏树", "槐树", "井沟", "岗李", "五里铺", "十里铺", "三官庙",
    ];

    public static IReadOnlyList<string> Roads { get; } =
    [
        "花园路", "农业路", "文化路", "经三路", "纬五路", "金水路", "建设路", "中原路", "大学路", "嵩山路", "航海路",
        "陇海路", "商都路", "郑汴路", "未来路", "东风路", "北三环", "南三环", "桐柏路", "伏牛路", "秦岭路", "工人路",
        "京广路", "紫荆山路", "城东路", "红旗路", "黄河路", "丰产路", "英才街", "龙湖中环路", "科学大道", "长椿路",
        "莲花街", "百花路", "淮河路", "长江路", "南阳路", "国基路", "索凌路", "人民路", "中州大道", "农业东路",
    ];

    public static IReadOnlyList<string> Buildings { get; } =
    [
        "绿地中心", "正弘国际", "金成时代广场", "升龙国际中心", "建业置地广场", "国贸中心", "华润大厦", "汇金中心",
        "农科大厦", "创业大厦", "兴业大厦", "中州大厦", "曼哈顿广场", "招银大厦", "联合大厦", "宏达大厦", "天明广场",
        "世纪联华大厦", "鑫苑国际", "正商中心", "永和国际", "瀚海北金", "民生大厦", "泰宏国际",
    ];

    /// <summary>An address in a county, in a community (with building, unit and flat) or in a village.</summary>
    public static Address NewAddress(County county, ref SampleRandom random, bool rural = false)
    {
        if (county.Towns.Length == 0 || (!rural && random.Chance(county.UrbanShare)))
        {
            var locality = random.Pick(county.Streets) + random.Pick(Communities) + "社区";
            var floor = random.Next(1, 34);
            return new Address(county, locality, random.Next(1, 200), random.Next(1, 31), random.Next(1, 7), floor * 100 + random.Next(1, 5), 0);
        }

        var village = random.Pick(county.Towns) + random.Pick(Villages) + "村";
        return new Address(county, village, random.Next(1, 300), 0, 0, 0, random.Next(1, 13));
    }

    /// <summary>The address with one digit of its house number (the number before its first 号: the compound of
    /// 12号院, the house of 3组120号, the road number of 花园路88号) changed, never to a leading zero; null when it has
    /// none. A different house number is a different address.</summary>
    public static string? OtherHouseNumber(string address, ref SampleRandom random)
    {
        var end = address.IndexOf('号', StringComparison.Ordinal);
        var start = end;
        while (start > 0 && char.IsAsciiDigit(address[start - 1]))
        {
            start--;
        }

        if (start == end)
        {
            return null;
        }

        var chars = address.ToCharArray();
        var at = start + random.Next(end - start);
        var lowest = at == start ? 1 : 0;
        var digit = (char)('0' + lowest + random.Next(9 - lowest));
        chars[at] = digit >= chars[at] ? (char)(digit + 1) : digit;
        return new string(chars);
    }

    /// <summary>The address with ideographic (full-width) spaces where a clerk pads it: after the county-level division
    /// (which ends at <paramref name="from"/>) and, half the time, before the house number too.</summary>
    public static string WithFullWidthSpaces(string address, int from, ref SampleRandom random)
    {
        var digit = address.AsSpan(from).IndexOfAnyInRange('0', '9');
        var text = digit > 0 && random.Chance(0.5) ? address.Insert(from + digit, "\u3000") : address;
        return text.Insert(from, "\u3000");
    }

    /// <summary>A business address: a road, a number and, for companies, an office in a tower.</summary>
    public static string NewBusinessAddress(County county, bool office, ref SampleRandom random)
    {
        var road = random.Pick(Roads);
        var number = random.Next(1, 300);
        if (!office)
        {
            return FormattableString.Invariant($"河南省郑州市{county.Name}{road}{number}号");
        }

        var floor = random.Next(1, 40);
        return FormattableString.Invariant(
            $"河南省郑州市{county.Name}{road}{number}号{random.Pick(Buildings)}{random.Next(1, 6)}号楼{floor}层{floor}{random.Next(1, 20):D2}号");
    }
}
