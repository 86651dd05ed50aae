using System.Collections.Frozen;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>Personal names as they are distributed in Henan: weighted common surnames (a few compound
/// ones), given names of one or two characters chosen by sex, and the traditional forms an agency's old
/// system or a clerk from Hong Kong or Taiwan would write instead.</summary>
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
