using System.Collections.Frozen;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>Personal names as they are distributed in Henan: weighted common surnames (a few compound
/// ones), given names of one or two characters chosen by sex, the traditional forms an agency's old
/// system or a clerk from Hong Kong or Taiwan would write instead, the characters a clerk mistypes, and pinyin.</summary>
internal static class ChineseNames
{
    /// <summary>Surnames with their approximate share (per cent) of Henan's population.</summary>
    public static Weighted<string> Surnames { get; } = new(
    [
        ("王", 7.9), ("李", 7.4), ("张", 7.1), ("刘", 5.4), ("陈", 4.2), ("杨", 3.1), ("赵", 2.9), ("郭", 1.9),
        ("黄", 1.6), ("周", 1.7), ("吴", 1.3), ("徐", 1.2), ("孙", 1.6), ("马", 1.7), ("朱", 1.4), ("胡", 1.3),
        ("高", 1.4), ("林", 0.6), ("何", 0.9), ("罗", 0.6), ("郑", 0.9), ("梁", 0.8), ("宋", 1.1), ("谢", 0.6),
        ("韩", 0.9), ("唐", 0.6), ("冯", 0.9), ("于", 0.7), ("董", 0.8), ("程", 0.7), ("曹", 0.8), ("袁", 0.6),
        ("邓", 0.5), ("许", 0.7), ("傅", 0.3), ("沈", 0.4), ("曾", 0.3), ("彭", 0.4), ("吕", 0.6), ("苏", 0.5),
        ("卢", 0.4), ("蒋", 0.3), ("蔡", 0.4), ("贾", 0.6), ("丁", 0.5), ("魏", 0.6), ("薛", 0.4), ("叶", 0.3),
        ("闫", 0.4), ("余", 0.3), ("潘", 0.3), ("杜", 0.5), ("戴", 0.3), ("夏", 0.3), ("钟", 0.2), ("汪", 0.2),
        ("田", 0.5), ("任", 0.5), ("姜", 0.3), ("范", 0.5), ("方", 0.3), ("石", 0.4), ("姚", 0.4), ("谭", 0.2),
        ("廖", 0.1), ("邹", 0.2), ("熊", 0.2), ("金", 0.2), ("陆", 0.2), ("郝", 0.4), ("孔", 0.3), ("白", 0.4),
        ("崔", 0.4), ("康", 0.3), ("毛", 0.3), ("邱", 0.2), ("秦", 0.3), ("江", 0.2), ("史", 0.4), ("顾", 0.1),
        ("侯", 0.4), ("邵", 0.2), ("孟", 0.5), ("龙", 0.1), ("万", 0.2), ("段", 0.3), ("雷", 0.3), ("钱", 0.2),
        ("汤", 0.2), ("尹", 0.2), ("常", 0.4), ("武", 0.4), ("乔", 0.3), ("贺", 0.2), ("龚", 0.1), ("申", 0.3),
        ("牛", 0.3), ("翟", 0.2), ("岳", 0.2), ("韦", 0.1), ("严", 0.1), ("向", 0.1),
        ("欧阳", 0.02), ("司马", 0.01), ("上官", 0.01), ("诸葛", 0.01),
    ]);

    private static readonly string[] MaleCharacters =
    [
        "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
        "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "博", "峰", "建", "国", "文", "志", "海",
        "亮", "东", "晨", "阳", "然", "振", "洋", "栋", "成", "豪", "坤", "昊", "宏", "庆", "永", "春", "德", "松",
        "瑞", "泽", "轩", "铭", "睿", "航", "卫", "新", "民", "生", "兵", "金", "福", "喜", "长", "发", "红", "荣",
    ];

    private static readonly string[] FemaleCharacters =
    [
        "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "桂", "兰", "萍", "燕", "红", "梅", "琳",
        "婷", "雪", "慧", "颖", "倩", "洁", "晶", "莉", "佳", "欣", "怡", "悦", "琪", "涵", "萱", "雨", "璐", "蕾",
        "薇", "露", "瑶", "月", "玉", "珍", "凤", "华", "云", "莲", "淑", "彤", "诗", "梦", "思", "语", "可", "馨",
        "丹", "亚", "利", "荣", "爱", "雅", "婉", "晓",
    ];

    private static readonly string[] LeadingCharacters =
    [
        "子", "一", "雨", "思", "佳", "晓", "小", "建", "志", "国", "文", "海", "春", "秋", "明", "金", "永", "德",
        "嘉", "欣", "俊", "梦", "诗", "浩", "宇", "新", "红", "丽",
    ];

    /// <summary>Simplified → traditional for the characters above that have a different traditional form in a
    /// name (from OpenCC's TSCharacters, read backwards; surnames whose traditional form is the same character,
    /// such as 于, 余, 范, 沈, 周, are left out on purpose).</summary>
    private static readonly FrozenDictionary<char, char> Traditional = new Dictionary<char, char>
    {
        ['张'] = '張', ['刘'] = '劉', ['陈'] = '陳', ['杨'] = '楊', ['黄'] = '黃', ['赵'] = '趙', ['吴'] = '吳', ['孙'] = '孫',
        ['马'] = '馬', ['罗'] = '羅', ['郑'] = '鄭', ['谢'] = '謝', ['许'] = '許', ['韩'] = '韓', ['冯'] = '馮', ['邓'] = '鄧',
        ['蒋'] = '蔣', ['叶'] = '葉', ['苏'] = '蘇', ['吕'] = '呂', ['卢'] = '盧', ['钟'] = '鍾', ['谭'] = '譚', ['陆'] = '陸',
        ['贾'] = '賈', ['韦'] = '韋', ['邹'] = '鄒', ['闫'] = '閆', ['龙'] = '龍', ['贺'] = '賀', ['顾'] = '顧', ['龚'] = '龔',
        ['万'] = '萬', ['钱'] = '錢', ['严'] = '嚴', ['汤'] = '湯', ['乔'] = '喬', ['伟'] = '偉', ['强'] = '強', ['军'] = '軍',
        ['杰'] = '傑', ['涛'] = '濤', ['刚'] = '剛', ['辉'] = '輝', ['鹏'] = '鵬', ['华'] = '華', ['飞'] = '飛', ['凯'] = '凱',
        ['帅'] = '帥', ['宁'] = '寧', ['国'] = '國', ['东'] = '東', ['阳'] = '陽', ['栋'] = '棟', ['庆'] = '慶', ['泽'] = '澤',
        ['轩'] = '軒', ['铭'] = '銘', ['卫'] = '衛', ['长'] = '長', ['发'] = '發', ['红'] = '紅', ['静'] = '靜', ['丽'] = '麗',
        ['艳'] = '艷', ['兰'] = '蘭', ['颖'] = '穎', ['洁'] = '潔', ['悦'] = '悅', ['瑶'] = '瑤', ['凤'] = '鳳', ['云'] = '雲',
        ['莲'] = '蓮', ['诗'] = '詩', ['梦'] = '夢', ['语'] = '語', ['晓'] = '曉', ['亚'] = '亞', ['荣'] = '榮', ['爱'] = '愛',
    }.ToFrozenDictionary();

    /// <summary>Characters a clerk types instead of others (Chinese IME typos): a homophone the input method lists next to
    /// the intended one (伟 wěi → 玮 wěi, 静 → 婧, 明 → 铭, 花园 → 华园) or one that looks alike (磊 → 蕾). Never a
    /// traditional form of the character (that is the equivalent <c>traditional_chars</c>, not a typo; a test checks the
    /// normaliser keeps every pair apart), never a digit (a different house number is a different address). Covers the
    /// characters of the generated names, trade names and addresses.</summary>
    private static readonly FrozenDictionary<char, string> Confusable = new Dictionary<char, string>
    {
        // Given names and a few surnames.
        ['伟'] = "玮炜", ['磊'] = "蕾", ['军'] = "君", ['勇'] = "涌", ['杰'] = "洁", ['涛'] = "韬", ['斌'] = "彬", ['明'] = "铭鸣",
        ['刚'] = "钢", ['平'] = "萍", ['辉'] = "晖", ['鹏'] = "朋", ['华'] = "桦化", ['飞'] = "菲", ['鑫'] = "新", ['波'] = "博",
        ['宇'] = "羽雨", ['浩'] = "皓昊", ['凯'] = "恺", ['健'] = "建", ['俊'] = "骏峻", ['帆'] = "凡", ['旭'] = "煦", ['龙'] = "隆",
        ['林'] = "琳临", ['博'] = "波", ['峰'] = "锋", ['建'] = "健", ['文'] = "雯闻", ['志'] = "智", ['东'] = "栋冬", ['晨'] = "辰",
        ['阳'] = "扬杨", ['然'] = "冉", ['振'] = "震", ['洋'] = "阳", ['栋'] = "东", ['成'] = "诚", ['豪'] = "浩", ['坤'] = "琨",
        ['昊'] = "浩", ['宏'] = "鸿弘", ['永'] = "勇", ['春'] = "椿", ['德'] = "得", ['松'] = "嵩", ['瑞'] = "睿", ['泽'] = "择",
        ['轩'] = "萱", ['铭'] = "明", ['睿'] = "瑞", ['航'] = "杭", ['卫'] = "伟", ['新'] = "欣鑫", ['民'] = "敏", ['生'] = "升",
        ['兵'] = "冰", ['金'] = "锦今", ['福'] = "富", ['喜'] = "禧", ['长'] = "常", ['红'] = "虹洪", ['荣'] = "蓉容", ['芳'] = "方",
        ['静'] = "婧", ['丽'] = "莉", ['艳'] = "燕", ['娟'] = "鹃", ['秀'] = "绣", ['英'] = "瑛", ['玲'] = "琳铃", ['桂'] = "贵",
        ['兰'] = "岚", ['萍'] = "苹", ['燕'] = "艳", ['梅'] = "玫", ['琳'] = "林", ['婷'] = "亭", ['慧'] = "惠", ['颖'] = "莹",
        ['倩'] = "茜", ['洁'] = "杰", ['晶'] = "菁", ['莉'] = "丽", ['佳'] = "嘉", ['欣'] = "馨", ['怡'] = "宜", ['悦'] = "越",
        ['琪'] = "琦", ['涵'] = "晗", ['萱'] = "轩", ['雨'] = "宇", ['璐'] = "露", ['蕾'] = "磊", ['薇'] = "微", ['露'] = "璐",
        ['瑶'] = "遥", ['月'] = "玥", ['玉'] = "钰", ['珍'] = "真", ['凤'] = "风", ['云'] = "芸", ['莲'] = "连", ['淑'] = "姝",
        ['彤'] = "桐", ['诗'] = "师", ['梦'] = "孟", ['思'] = "斯", ['语'] = "雨", ['馨'] = "欣", ['亚'] = "雅", ['利'] = "力",
        ['爱'] = "艾", ['雅'] = "亚", ['婉'] = "宛", ['晓'] = "小", ['子'] = "梓", ['小'] = "晓", ['嘉'] = "佳", ['一'] = "依",
        ['张'] = "章", ['徐'] = "许", ['许'] = "徐", ['王'] = "汪",
        // Trade names.
        ['源'] = "原元", ['原'] = "源", ['达'] = "大", ['恒'] = "衡", ['中'] = "忠", ['商'] = "尚", ['兴'] = "星", ['隆'] = "龙",
        ['盛'] = "胜", ['远'] = "源", ['泰'] = "太", ['禾'] = "和", ['天'] = "添", ['润'] = "闰", ['弘'] = "宏", ['方'] = "芳",
        ['汇'] = "会", ['和'] = "禾合", ['宸'] = "辰", ['鼎'] = "顶", ['元'] = "源圆", ['正'] = "政", ['大'] = "达", ['合'] = "和",
        ['祥'] = "翔", ['顺'] = "舜", ['光'] = "广", ['耀'] = "曜", ['启'] = "起", ['聚'] = "巨", ['诚'] = "城成", ['百'] = "佰",
        ['立'] = "力", ['邦'] = "帮", ['晟'] = "胜", ['联'] = "连", ['亿'] = "忆", ['腾'] = "藤", ['跃'] = "越", ['嵩'] = "松",
        ['黄'] = "皇", ['丰'] = "峰",
        // Roads, sub-districts, communities, towns and villages.
        ['花'] = "华", ['园'] = "圆", ['路'] = "录", ['幸'] = "杏", ['设'] = "社", ['社'] = "设", ['化'] = "华", ['名'] = "明",
        ['桥'] = "乔", ['锦'] = "金", ['绣'] = "秀", ['紫'] = "子", ['荆'] = "京", ['桃'] = "陶", ['翠'] = "萃", ['竹'] = "筑",
        ['鸣'] = "明", ['河'] = "和", ['城'] = "成", ['意'] = "艺", ['电'] = "店", ['厂'] = "场", ['工'] = "公", ['主'] = "住",
        ['结'] = "洁", ['友'] = "有", ['旗'] = "齐", ['州'] = "洲", ['政'] = "正", ['同'] = "童", ['门'] = "们", ['枫'] = "风",
        ['道'] = "到", ['区'] = "曲", ['经'] = "京", ['京'] = "经", ['人'] = "仁", ['杜'] = "度", ['岭'] = "领", ['石'] = "时",
        ['风'] = "丰", ['来'] = "莱", ['基'] = "机", ['杨'] = "阳", ['湖'] = "胡", ['学'] = "雪", ['庄'] = "桩", ['李'] = "理",
        ['村'] = "存", ['柳'] = "刘", ['槐'] = "怀", ['井'] = "景", ['沟'] = "勾", ['铺'] = "浦", ['庙'] = "妙", ['郭'] = "国",
        ['何'] = "和", ['赵'] = "照", ['上'] = "尚", ['下'] = "夏", ['枣'] = "早", ['杏'] = "幸", ['镇'] = "震", ['乡'] = "香",
        ['农'] = "浓", ['业'] = "叶", ['纬'] = "伟", ['陇'] = "龙", ['汴'] = "卞", ['桐'] = "同", ['柏'] = "百", ['伏'] = "付",
        ['秦'] = "琴", ['广'] = "光", ['才'] = "材", ['椿'] = "春", ['淮'] = "怀", ['凌'] = "陵", ['索'] = "锁",
    }.ToFrozenDictionary();

    /// <summary>Name characters whose most common reading (the first of the lake's pinyin table) is not the one a name
    /// is read with.</summary>
    private static readonly FrozenDictionary<char, string> NameReadings =
        new Dictionary<char, string> { ['曾'] = "zeng", ['翟'] = "zhai", ['长'] = "chang" }.ToFrozenDictionary();

    /// <summary>A given name of one character (about a quarter of people) or two.</summary>
    public static string GivenName(ref SampleRandom random, bool male)
    {
        var pool = male ? MaleCharacters : FemaleCharacters;
        if (random.Chance(0.25))
        {
            return random.Pick(pool);
        }

        var first = random.Chance(0.35) ? random.Pick(LeadingCharacters) : random.Pick(pool);
        string second;
        do
        {
            second = random.Pick(pool);
        }
        while (second == first);
        return first + second;
    }

    /// <summary>The name written in traditional characters, or null when none of its characters differs.</summary>
    public static string? ToTraditional(string name)
    {
        var changed = false;
        var result = string.Create(name.Length, name, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = Traditional.TryGetValue(source[i], out var t) ? t : source[i];
            }
        });
        for (var i = 0; i < name.Length && !changed; i++)
        {
            changed = result[i] != name[i];
        }

        return changed ? result : null;
    }

    /// <summary>Each character that has confusable ones, with them (for the tests).</summary>
    public static IReadOnlyDictionary<char, string> Confusables => Confusable;

    /// <summary>The text with one of its characters at or after <paramref name="from"/> replaced by a confusable one
    /// (<see cref="Confusables"/>), or null when none of them has one.</summary>
    public static string? Mistype(string text, int from, ref SampleRandom random)
    {
        var candidates = 0;
        for (var i = from; i < text.Length; i++)
        {
            candidates += Confusable.ContainsKey(text[i]) ? 1 : 0;
        }

        if (candidates == 0)
        {
            return null;
        }

        var pick = random.Next(candidates);
        var chars = text.ToCharArray();
        for (var i = from; i < chars.Length; i++)
        {
            if (Confusable.TryGetValue(chars[i], out var instead) && pick-- == 0)
            {
                chars[i] = instead[random.Next(instead.Length)];
                break;
            }
        }

        return new string(chars);
    }

    /// <summary>The name in Hanyu Pinyin as a passport or a clerk of foreign-related registrations writes it: the surname,
    /// a space, the given name's syllables run together, no tone marks, ü as <c>v</c>: <c>ZHANG Weiming</c> with the
    /// surname in capitals, or <c>Zhang Weiming</c>. Null when a character has no reading.</summary>
    public static string? Pinyin(string surname, string givenName, bool capitalSurname)
    {
        if (Syllables(surname) is not { } family || Syllables(givenName) is not { } given)
        {
            return null;
        }

        return (capitalSurname ? family.ToUpperInvariant() : Capitalised(family)) + " " + Capitalised(given);
    }

    private static string? Syllables(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length * 4);
        foreach (var c in text)
        {
            var reading = NameReadings.TryGetValue(c, out var known) ? known : PinyinKey.Of(c.ToString());
            if (reading is null || !reading.All(char.IsAsciiLetterLower))
            {
                return null;
            }

            builder.Append(reading);
        }

        return builder.ToString();
    }

    private static string Capitalised(string syllables) => char.ToUpperInvariant(syllables[0]) + syllables[1..];

    /// <summary>Full-width forms of the ASCII digits in a text (as typed with a Chinese input method).</summary>
    public static string FullWidthDigits(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= '0' and <= '9' ? (char)(source[i] + 0xFEE0) : source[i];
            }
        });

    /// <summary>True when the text has an ASCII digit.</summary>
    public static bool HasDigit(string text) => text.AsSpan().IndexOfAnyInRange('0', '9') >= 0;
}
