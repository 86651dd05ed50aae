namespace GovShare.Lake.Consistency;

/// <summary>What a difference between two providers' values is.</summary>
public static class DifferenceClass
{
    /// <summary>Identical values.</summary>
    public const string Equal = "equal";

    /// <summary>The same value written differently: full-width digits, traditional characters, spacing, a province
    /// prefix, a provider's coarser code.</summary>
    public const string Equivalent = "equivalent";

    /// <summary>A typo-level variant (an abbreviated address, one character off).</summary>
    public const string MinorVariant = "minor_variant";

    /// <summary>The providers really disagree: another birth date, another legal representative, another status.</summary>
    public const string MaterialConflict = "material_conflict";

    /// <summary>One provider has no value.</summary>
    public const string Missing = "missing";

    /// <summary>A record delivered under the wrong key (a per-record class, found by linkage, not by the classifier).</summary>
    public const string MisKeyed = "mis_keyed";

    /// <summary>The classes the classifier tells apart, in a fixed order.</summary>
    public static IReadOnlyList<string> Classified { get; } = [Equal, Equivalent, MinorVariant, MaterialConflict, Missing];

    /// <summary>The class in words.</summary>
    public static string Describe(string @class, bool english) => (@class, english) switch
    {
        (Equal, false) => "相同",
        (Equivalent, false) => "等价（规范化后相同）",
        (MinorVariant, false) => "轻微差异（录入级）",
        (MaterialConflict, false) => "实质冲突",
        (Missing, false) => "一方缺失",
        (MisKeyed, false) => "疑似错键",
        (Equal, true) => "equal",
        (Equivalent, true) => "equivalent (the same after normalisation)",
        (MinorVariant, true) => "minor variant (typo level)",
        (MaterialConflict, true) => "material conflict",
        (Missing, true) => "missing on one side",
        (MisKeyed, true) => "possibly mis-keyed",
        _ => @class,
    };
}
