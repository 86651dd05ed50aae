using GovShare.Lake.Divisions;

namespace GovShare.Lake.Identifiers;

/// <summary>Why a value is not a valid identifier. Stable codes: quarantine tables and the API carry them.</summary>
public enum IdentifierProblem
{
    /// <summary>The value is valid.</summary>
    None,

    /// <summary>Nothing but white space.</summary>
    Empty,

    /// <summary>The shape matches no identifier kind.</summary>
    UnrecognisedFormat,

    /// <summary>Too many or too few characters for the kind.</summary>
    BadLength,

    /// <summary>A character outside the kind's alphabet, at <see cref="IdentifierCheck.Position"/>.</summary>
    BadCharacter,

    /// <summary>The check character does not match the rest.</summary>
    BadCheckCharacter,

    /// <summary>The embedded birth date is not a calendar date, or is implausibly early.</summary>
    ImpossibleDate,

    /// <summary>The embedded birth date is after today (China Standard Time).</summary>
    FutureDate,

    /// <summary>The embedded division code never existed.</summary>
    UnknownRegion,

    /// <summary>The embedded division code came into use after the year that matters.</summary>
    RegionNotYetInUse,

    /// <summary>The embedded division code had been retired before the year that matters.</summary>
    RegionRetired,

    /// <summary>The organisation code embedded in a unified social credit code is itself invalid.</summary>
    BadEmbeddedOrganisationCode,

    /// <summary>The first character of a unified social credit code names no registration authority.</summary>
    UnknownRegistrationAuthority,
}

/// <summary>Sex as encoded in a resident identity number (odd sequence = male).</summary>
public enum Sex
{
    /// <summary>Odd sequence number.</summary>
    Male,

    /// <summary>Even sequence number.</summary>
    Female,
}

/// <summary>What a valid resident identity number says about its holder.</summary>
/// <param name="BirthDate">The embedded birth date.</param>
/// <param name="Sex">The sex encoded by the sequence number.</param>
/// <param name="RegionCode">The six-digit division code where the number was issued.</param>
/// <param name="Region">That division as it was in the birth year, or null for residence-permit codes.</param>
/// <param name="IsResidencePermit">True for Hong Kong, Macau and Taiwan residents' permits (81/82/83xxxx).</param>
public sealed record CitizenDetails(DateOnly BirthDate, Sex Sex, string RegionCode, DivisionRecord? Region, bool IsResidencePermit);

/// <summary>The outcome of checking one value: valid with its canonical form, or invalid with a
/// specific reason. Messages never repeat the whole value, so they are safe to log.</summary>
public sealed record IdentifierCheck
{
    /// <summary>The value as given.</summary>
    public required string Input { get; init; }

    /// <summary>The kind the value was checked as.</summary>
    public required IdentifierKind Kind { get; init; }

    /// <summary>The problem found, or <see cref="IdentifierProblem.None"/>.</summary>
    public IdentifierProblem Problem { get; init; }

    /// <summary>A sentence saying what is wrong and where; null when valid.</summary>
    public string? Reason { get; init; }

    /// <summary>The 1-based character position the problem is at, when it is at one.</summary>
    public int? Position { get; init; }

    /// <summary>The canonical form (upper case, separators removed or standardised, 15-digit
    /// identity numbers upgraded to 18); null when invalid.</summary>
    public string? Normalized { get; init; }

    /// <summary>For a valid resident identity number: birth date, sex and region.</summary>
    public CitizenDetails? Citizen { get; init; }

    /// <summary>For a valid division code, or the division embedded in a valid key: that division
    /// (for citizens, as of the birth year; otherwise its latest period).</summary>
    public DivisionRecord? Division { get; init; }

    /// <summary>True when no problem was found.</summary>
    public bool IsValid => Problem == IdentifierProblem.None;

    internal static IdentifierCheck Valid(string input, IdentifierKind kind, string normalized) =>
        new() { Input = input, Kind = kind, Normalized = normalized };

    internal static IdentifierCheck Invalid(string input, IdentifierKind kind, IdentifierProblem problem, string reason, int? position = null) =>
        new() { Input = input, Kind = kind, Problem = problem, Reason = reason, Position = position };
}
