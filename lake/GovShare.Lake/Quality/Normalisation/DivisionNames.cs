using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using GovShare.Lake.Divisions;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>A division in use today under one of the names an address may give it: its full name
/// (<c>郑州市</c>, <c>管城回族区</c>) or its name without the suffix (<c>郑州</c>, <c>管城</c>).</summary>
/// <param name="Division">The division.</param>
/// <param name="IsFullName">True for the full name; a short name only counts where another division follows it.</param>
internal readonly record struct NamedDivision(DivisionRecord Division, bool IsFullName);

/// <summary>The names of a registry's divisions in use, for reading them off the start of addresses; built once per
/// registry on first use.</summary>
internal sealed class DivisionNames
{
    private static readonly ConditionalWeakTable<DivisionRegistry, DivisionNames> ByRegistry = [];

    // Longest first, so that 自治县 goes before 县.
    private static readonly string[] Suffixes = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "地区", "林区", "省", "市", "区", "县", "盟", "旗"];

    // The 55 recognised minority nationalities, which autonomous divisions' names carry before their suffix
    // (延边朝鲜族自治州, 管城回族区, 新疆维吾尔自治区), and 各 of 各族 ("all nationalities", 龙胜各族自治县).
    private static readonly string[] Nationalities =
    [
        "柯尔克孜", "乌孜别克", "达斡尔", "维吾尔", "哈萨克", "塔吉克", "俄罗斯", "鄂温克", "塔塔尔", "鄂伦春",
        "蒙古", "布依", "朝鲜", "土家", "哈尼", "傈僳", "高山", "拉祜", "东乡", "纳西", "景颇", "仫佬", "布朗", "撒拉",
        "毛南", "仡佬", "锡伯", "阿昌", "普米", "德昂", "保安", "裕固", "独龙", "赫哲", "门巴", "珞巴", "基诺",
        "回", "藏", "苗", "彝", "壮", "满", "侗", "瑶", "白", "傣", "黎", "佤", "畲", "水", "土", "羌", "怒", "京", "各",
    ];

    private readonly FrozenDictionary<string, NamedDivision[]> _byName;
    private readonly FrozenDictionary<string, NamedDivision[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly FrozenDictionary<string, DivisionRecord> _byCode;

    private DivisionNames(DivisionRegistry registry)
    {
        var byName = new Dictionary<string, List<NamedDivision>>(StringComparer.Ordinal);
        var byCode = new Dictionary<string, DivisionRecord>(StringComparer.Ordinal);
        foreach (var division in registry.All.Where(row => row.Status == DivisionStatus.InUse))
        {
            byCode[division.Code] = division;
            if (TextNormaliser.Normalise(division.Name) is not { } full)
            {
                continue;
            }

            Add(byName, full, new NamedDivision(division, IsFullName: true));
            var (shortName, informal) = OtherNames(full);
            if (shortName is not null)
            {
                Add(byName, shortName, new NamedDivision(division, IsFullName: false));
            }

            if (informal is not null)
            {
                Add(byName, informal, new NamedDivision(division, IsFullName: true));
            }
        }

        _byName = byName.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
        _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
        _byCode = byCode.ToFrozenDictionary(StringComparer.Ordinal);
        LongestName = _byName.Count == 0 ? 0 : _byName.Keys.Max(name => name.Length);
    }

    /// <summary>The length of the longest name.</summary>
    public int LongestName { get; }

    /// <summary>The names of <paramref name="registry"/>'s divisions in use.</summary>
    public static DivisionNames Of(DivisionRegistry registry) =>
        ByRegistry.GetValue(registry, static r => new DivisionNames(r));

    /// <summary>The divisions in use under this name (full or short), or none.</summary>
    public ReadOnlySpan<NamedDivision> Find(ReadOnlySpan<char> name) =>
        _lookup.TryGetValue(name, out var found) ? found : [];

    /// <summary>The division in use under this code, or null.</summary>
    public DivisionRecord? InUse(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>The name without its suffix and the nationalities of an autonomous division, when two characters
    /// or more remain (<c>郊区</c> has no short name; <c>西藏自治区</c> is <c>西藏</c>, not <c>西</c>).</summary>
    internal static string? ShortName(string full) => OtherNames(full).Short;

    /// <summary>The short name and, for an autonomous prefecture, county or banner or an ethnic district, the name
    /// people write without the nationalities (<c>延边州</c>, <c>长阳县</c>, <c>管城区</c>).</summary>
    internal static (string? Short, string? Informal) OtherNames(string full)
    {
        var name = full.AsSpan();
        var autonomous = false;
        var kind = '\0';
        foreach (var suffix in Suffixes)
        {
            if (name.Length - suffix.Length >= 2 && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                autonomous = suffix.StartsWith("自治", StringComparison.Ordinal);
                kind = suffix is "自治州" or "自治县" or "自治旗" or "区" ? suffix[^1] : '\0';
                name = name[..^suffix.Length];
                break;
            }
        }

        var withoutNationalities = false;
        var stripped = true;
        while (stripped)
        {
            stripped = false;
            var withClan = name.EndsWith("族", StringComparison.Ordinal);
            if (!withClan && !autonomous)
            {
                break;
            }

            var body = withClan ? name[..^1] : name;
            foreach (var nationality in Nationalities)
            {
                if (body.Length - nationality.Length >= 2 && body.EndsWith(nationality, StringComparison.Ordinal))
                {
                    name = body[..^nationality.Length];
                    stripped = withoutNationalities = true;
                    break;
                }
            }
        }

        if (name.Length < 2 || name.Length == full.Length)
        {
            return (null, null);
        }

        return (name.ToString(), withoutNationalities && kind != '\0' ? string.Concat(name, [kind]) : null);
    }

    private static void Add(Dictionary<string, List<NamedDivision>> byName, string name, NamedDivision named)
    {
        if (!byName.TryGetValue(name, out var list))
        {
            byName.Add(name, list = []);
        }

        list.Add(named);
    }
}
