namespace GovShare.Lake.Divisions;

/// <summary>The level of an administrative division (GB/T 2260).</summary>
public enum DivisionLevel
{
    /// <summary>Province, autonomous region, municipality or special administrative region (省级).</summary>
    Province,

    /// <summary>Prefecture-level city, prefecture, league or autonomous prefecture (地级).</summary>
    Prefecture,

    /// <summary>County, county-level city or district (县级).</summary>
    County,
}

/// <summary>Whether a code row still holds today.</summary>
public enum DivisionStatus
{
    /// <summary>In use today (在用).</summary>
    InUse,

    /// <summary>Retired; the area now belongs to the replacement codes (弃用).</summary>
    Retired,

    /// <summary>The code stays but this row's name or extent ended (变更); a later row holds.</summary>
    Changed,
}

/// <summary>A code that took over (part of) a retired or changed division, with the year when known.</summary>
/// <param name="Code">The six-digit replacement code.</param>
/// <param name="Year">The year the replacement took effect, when the source gives one that differs from the row's end year.</param>
public readonly record struct DivisionReplacement(string Code, int? Year);

/// <summary>One period of one administrative division code: the code held this name and level
/// from <see cref="Introduced"/> until <see cref="Ended"/> (both years inclusive; null = still holds).</summary>
public sealed record DivisionRecord(
    string Code,
    string Name,
    string Province,
    string? Prefecture,
    DivisionLevel Level,
    DivisionStatus Status,
    int Introduced,
    int? Ended,
    IReadOnlyList<DivisionReplacement> Replacements)
{
    /// <summary>True when the code held this row's meaning at some time during <paramref name="year"/>.</summary>
    public bool HeldIn(int year) => Introduced <= year && (Ended is null || year <= Ended);

    /// <summary>The province-level name, prefecture name (if any) and name joined, for display.</summary>
    public string FullName => Level switch
    {
        DivisionLevel.Province => Name,
        DivisionLevel.Prefecture => Province + Name,
        _ => Province + (Prefecture is null ? string.Empty : Prefecture) + Name,
    };
}
