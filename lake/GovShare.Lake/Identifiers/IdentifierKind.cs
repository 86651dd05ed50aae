namespace GovShare.Lake.Identifiers;

/// <summary>The kinds of key a delivered record can carry (DOMAIN.md, "Base databases and their keys").</summary>
public enum IdentifierKind
{
    /// <summary>Kind could not be recognised from the value's shape.</summary>
    Unknown,

    /// <summary>Resident identity number, GB 11643-1999 (18 characters, or the old 15-digit form).</summary>
    Citizen,

    /// <summary>Unified social credit code, GB 32100-2015 (18 characters).</summary>
    Uscc,

    /// <summary>Organisation code, GB 11714-1997 (8 characters and a check character).</summary>
    Org,

    /// <summary>Business licence registration number, GS15-2006 (15 digits).</summary>
    Licence,

    /// <summary>Administrative division code, GB/T 2260 (6 digits).</summary>
    Division,
}

/// <summary>The short names used on the command line, in files and in catalogue entries.</summary>
public static class IdentifierKindNames
{
    /// <summary>The short name of a kind: <c>citizen</c>, <c>uscc</c>, <c>org</c>, <c>licence</c>, <c>division</c>.</summary>
    public static string ToName(this IdentifierKind kind) => kind switch
    {
        IdentifierKind.Citizen => "citizen",
        IdentifierKind.Uscc => "uscc",
        IdentifierKind.Org => "org",
        IdentifierKind.Licence => "licence",
        IdentifierKind.Division => "division",
        _ => "unknown",
    };

    /// <summary>Reads a short name (case-insensitive; <c>license</c> is accepted too).</summary>
    public static bool TryParse(string? name, out IdentifierKind kind)
    {
        kind = name?.Trim().ToLowerInvariant() switch
        {
            "citizen" => IdentifierKind.Citizen,
            "uscc" => IdentifierKind.Uscc,
            "org" => IdentifierKind.Org,
            "licence" or "license" => IdentifierKind.Licence,
            "division" => IdentifierKind.Division,
            _ => IdentifierKind.Unknown,
        };
        return kind != IdentifierKind.Unknown;
    }
}
