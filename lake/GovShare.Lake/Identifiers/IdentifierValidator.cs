using System.Globalization;
using GovShare.Lake.Divisions;

namespace GovShare.Lake.Identifiers;

/// <summary>Checks keys of every kind against their standards and the division-code history, and
/// recognises the kind of a key when it is not given. Thread-safe; share one instance.</summary>
/// <param name="divisions">The division-code history that embedded region codes are checked against.</param>
/// <param name="clock">The clock that decides which birth dates are in the future.</param>
public sealed class IdentifierValidator(DivisionRegistry divisions, TimeProvider clock)
{
    /// <summary>Resident identity numbers were first issued in 1984. The region part records where the
    /// number was issued, so for people born earlier the code must have held in 1984 or later, not
    /// in their birth year (when no number, and often not that code, existed yet).</summary>
    public const int FirstIssueYear = 1984;

    /// <summary>Birth dates before this year are taken to be typing errors.</summary>
    public const int EarliestBirthYear = 1880;

    /// <summary>The registration authority code of national-level authorities, used in licence numbers
    /// and credit codes of entities registered by central government; it is not a division.</summary>
    private const string NationalAuthorityCode = "100000";

    /// <summary>A validator over the embedded division codes and the system clock.</summary>
    public static IdentifierValidator Default { get; } = new(DivisionRegistry.Embedded, TimeProvider.System);

    /// <summary>The division-code history this validator uses.</summary>
    public DivisionRegistry Divisions => divisions;

    /// <summary>Checks a value as the given kind, or recognises its kind first when
    /// <paramref name="kind"/> is null or <see cref="IdentifierKind.Unknown"/>.</summary>
    public IdentifierCheck Check(string value, IdentifierKind? kind = null) => kind switch
    {
        IdentifierKind.Citizen => CheckCitizen(value),
        IdentifierKind.Uscc => CheckUscc(value),
        IdentifierKind.Org => CheckOrganisationCode(value),
        IdentifierKind.Licence => CheckLicence(value),
        IdentifierKind.Division => CheckDivision(value),
        _ => CheckAnyKind(value),
    };

    /// <summary>Checks a resident identity number (GB 11643-1999): 18 characters, or the old
    /// 15-digit form which is upgraded; check character; a real birth date not in the future;
    /// and a region code that held when the number could have been issued.</summary>
    public IdentifierCheck CheckCitizen(string value)
    {
        const IdentifierKind kind = IdentifierKind.Citizen;
        var text = IdentifierText.Clean(value, dropDashes: false);
        if (text.Length == 0)
        {
            return Empty(value, kind);
        }

        if (text.Length is not (18 or 15))
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadLength,
                $"bad length: a resident identity number has 18 characters (or 15 digits in the old form), found {text.Length}");
        }

        var isOldForm = text.Length == 15;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var allowed = char.IsAsciiDigit(c) || (c == 'X' && i == 17);
            if (!allowed)
            {
                var expected = i == 17 ? "a digit or X" : "a digit";
                return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCharacter,
                    $"bad character {IdentifierText.Describe(c)} at position {i + 1}: expected {expected}", i + 1);
            }
        }

        string number;
        if (isOldForm)
        {
            number = CitizenIdNumber.UpgradeFrom15(text);
        }
        else
        {
            var expectedCheck = CitizenIdNumber.ComputeCheckCharacter(text.AsSpan(0, 17));
            if (text[17] != expectedCheck)
            {
                return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCheckCharacter,
                    $"bad check character at position 18: expected {expectedCheck}, found {text[17]}", 18);
            }

            number = text;
        }

        // Both forms put the birth date right after the region code; the old one without the century.
        var datePositions = isOldForm ? "positions 7-12" : "positions 7-14";
        var dateProblem = ParseBirthDate(number.AsSpan(6, 8), datePositions, out var birthDate);
        if (dateProblem is not null)
        {
            return IdentifierCheck.Invalid(value, kind, dateProblem.Value.Problem, dateProblem.Value.Reason, 7);
        }

        var regionCode = number[..6];
        var isPermit = regionCode[0] == '8' && regionCode[1] is '1' or '2' or '3';
        DivisionRecord? region = null;
        if (!isPermit)
        {
            var regionProblem = CheckRegionInYear(regionCode, Math.Max(birthDate.Year, FirstIssueYear), birthDate.Year, out region);
            if (regionProblem is not null)
            {
                return IdentifierCheck.Invalid(value, kind, regionProblem.Value.Problem, regionProblem.Value.Reason, 1);
            }
        }

        var sequenceDigit = number[16] - '0';
        var details = new CitizenDetails(birthDate, sequenceDigit % 2 == 1 ? Sex.Male : Sex.Female, regionCode, region, isPermit);
        return IdentifierCheck.Valid(value, kind, number) with { Citizen = details, Division = region };
    }

    /// <summary>Checks a unified social credit code (GB 32100-2015): alphabet, check character,
    /// registration authority, embedded division code and embedded organisation code.</summary>
    public IdentifierCheck CheckUscc(string value)
    {
        const IdentifierKind kind = IdentifierKind.Uscc;
        var text = IdentifierText.Clean(value, dropDashes: true);
        if (text.Length == 0)
        {
            return Empty(value, kind);
        }

        if (text.Length != 18)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadLength,
                $"bad length: a unified social credit code has 18 characters, found {text.Length}");
        }

        for (var i = 0; i < 18; i++)
        {
            if (UnifiedSocialCreditCode.ValueOf(text[i]) < 0)
            {
                var hint = text[i] is 'I' or 'O' or 'Z' or 'S' or 'V' ? " (I, O, Z, S and V are not used)" : string.Empty;
                return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCharacter,
                    $"bad character {IdentifierText.Describe(text[i])} at position {i + 1}: expected 0-9 or an upper-case letter{hint}", i + 1);
            }
        }

        var expectedCheck = UnifiedSocialCreditCode.ComputeCheckCharacter(text.AsSpan(0, 17));
        if (text[17] != expectedCheck)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCheckCharacter,
                $"bad check character at position 18: expected {expectedCheck}, found {text[17]}", 18);
        }

        if (!UnifiedSocialCreditCode.RegistrationAuthorities.Contains(text[0], StringComparison.Ordinal))
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.UnknownRegistrationAuthority,
                $"unknown registration authority code {text[0]} at position 1: expected one of {UnifiedSocialCreditCode.RegistrationAuthorities}", 1);
        }

        var orgBody = text.AsSpan(8, 8);
        var orgCheck = OrganisationCode.ComputeCheckCharacter(orgBody);
        if (text[16] != orgCheck)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadEmbeddedOrganisationCode,
                $"the organisation code in positions 9-17 has a bad check character at position 17: expected {orgCheck}, found {text[16]}", 17);
        }

        return WithEmbeddedDivision(value, kind, text, start: 2);
    }

    /// <summary>Checks an organisation code (GB 11714-1997), written with or without the dash
    /// before the check character; the canonical form has the dash.</summary>
    public IdentifierCheck CheckOrganisationCode(string value)
    {
        const IdentifierKind kind = IdentifierKind.Org;
        var text = IdentifierText.Clean(value, dropDashes: false);
        if (text.Length == 0)
        {
            return Empty(value, kind);
        }

        // The dash, when written, stands just before the check character.
        if (text.Length >= 2 && text[^2] == '-')
        {
            text = string.Concat(text.AsSpan(0, text.Length - 2), text.AsSpan(text.Length - 1));
        }

        if (text.Length != 9)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadLength,
                $"bad length: an organisation code has 8 characters and a check character (XXXXXXXX-Y), found {text.Length}");
        }

        for (var i = 0; i < 8; i++)
        {
            if (OrganisationCode.ValueOf(text[i]) < 0)
            {
                return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCharacter,
                    $"bad character {IdentifierText.Describe(text[i])} at position {i + 1}: expected 0-9 or A-Z", i + 1);
            }
        }

        if (!char.IsAsciiDigit(text[8]) && text[8] != 'X')
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCharacter,
                $"bad character {IdentifierText.Describe(text[8])} at position 9: the check character is a digit or X", 9);
        }

        var expectedCheck = OrganisationCode.ComputeCheckCharacter(text.AsSpan(0, 8));
        if (text[8] != expectedCheck)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCheckCharacter,
                $"bad check character at position 9: expected {expectedCheck}, found {text[8]}", 9);
        }

        return IdentifierCheck.Valid(value, kind, OrganisationCode.Format(text));
    }

    /// <summary>Checks a 15-digit business licence registration number (GS15-2006): digits, the
    /// registering authority's division code and the MOD 11,10 check digit.</summary>
    public IdentifierCheck CheckLicence(string value)
    {
        const IdentifierKind kind = IdentifierKind.Licence;
        var text = IdentifierText.Clean(value, dropDashes: true);
        if (text.Length == 0)
        {
            return Empty(value, kind);
        }

        if (text.Length != 15)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadLength,
                $"bad length: a business licence registration number has 15 digits, found {text.Length}");
        }

        if (RejectNonDigits(value, kind, text) is { } badCharacter)
        {
            return badCharacter;
        }

        var expectedCheck = BusinessLicenceNumber.ComputeCheckDigit(text.AsSpan(0, 14));
        if (text[14] != expectedCheck)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCheckCharacter,
                $"bad check character at position 15: expected {expectedCheck}, found {text[14]}", 15);
        }

        return WithEmbeddedDivision(value, kind, text, start: 0);
    }

    /// <summary>Checks an administrative division code: six digits that the code history knows, in
    /// use today or retired (old records legitimately carry retired codes).</summary>
    public IdentifierCheck CheckDivision(string value)
    {
        const IdentifierKind kind = IdentifierKind.Division;
        var text = IdentifierText.Clean(value, dropDashes: false);
        if (text.Length == 0)
        {
            return Empty(value, kind);
        }

        if (text.Length != 6)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadLength,
                $"bad length: a division code has 6 digits, found {text.Length}");
        }

        if (RejectNonDigits(value, kind, text) is { } badCharacter)
        {
            return badCharacter;
        }

        var division = LatestPeriod(text);
        return division is null
            ? IdentifierCheck.Invalid(value, kind, IdentifierProblem.UnknownRegion, $"unknown region: {text} is not an administrative division code")
            : IdentifierCheck.Valid(value, kind, text) with { Division = division };
    }

    /// <summary>Checks a division code as it stood in a given year: it must have held then.</summary>
    public IdentifierCheck CheckDivision(string value, int year)
    {
        var check = CheckDivision(value);
        if (!check.IsValid)
        {
            return check;
        }

        var problem = CheckRegionInYear(check.Normalized!, year, year, out var division);
        return problem is null
            ? check with { Division = division }
            : IdentifierCheck.Invalid(value, IdentifierKind.Division, problem.Value.Problem, problem.Value.Reason);
    }

    /// <summary>Recognises the kind by shape and checks the value as that kind. Where two kinds share
    /// a shape (18 digits, 15 digits) the one that validates wins; when neither does, the more
    /// likely one reports its reason.</summary>
    private IdentifierCheck CheckAnyKind(string value)
    {
        var text = IdentifierText.Clean(value, dropDashes: true);
        switch (text.Length)
        {
            case 0:
                return Empty(value, IdentifierKind.Unknown);
            case 6:
                return CheckDivision(value);
            case 9:
                return CheckOrganisationCode(value);
            case 15:
                // An old identity number has no check digit, so one in ten passes the licence check by
                // chance: a valid old identity number wins over a valid licence number.
                return PreferValid(CheckCitizen(value), () => CheckLicence(value), preferSecond: !LooksLikeBirthDate(text.AsSpan(6, 6)));
            case 18 when IsDigits(text.AsSpan(0, 17)) && (char.IsAsciiDigit(text[17]) || text[17] == 'X'):
                // Digits with an optional final X are far likelier an identity number than a credit code.
                return PreferValid(CheckCitizen(value), () => CheckUscc(value), preferSecond: false);
            case 18:
                return CheckUscc(value);
            default:
                return IdentifierCheck.Invalid(value, IdentifierKind.Unknown, IdentifierProblem.UnrecognisedFormat,
                    $"not a recognised identifier: {text.Length} characters (expected 18 for an identity number or credit code, 15 for a licence number or old identity number, 9 for an organisation code, 6 for a division code)");
        }
    }

    private static IdentifierCheck PreferValid(IdentifierCheck first, Func<IdentifierCheck> second, bool preferSecond)
    {
        if (first.IsValid)
        {
            return first;
        }

        var other = second();
        if (other.IsValid)
        {
            return other;
        }

        return preferSecond ? other : first;
    }

    private static bool IsDigits(ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange('0', '9');

    /// <summary>True when six digits read as a 20th-century YYMMDD date, as in an old identity number.</summary>
    private static bool LooksLikeBirthDate(ReadOnlySpan<char> yymmdd) =>
        IsDigits(yymmdd) && DateOnly.TryParseExact(string.Concat("19", yymmdd), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private (IdentifierProblem Problem, string Reason)? ParseBirthDate(ReadOnlySpan<char> yyyymmdd, string positions, out DateOnly birthDate)
    {
        var year = int.Parse(yyyymmdd[..4], CultureInfo.InvariantCulture);
        var month = int.Parse(yyyymmdd[4..6], CultureInfo.InvariantCulture);
        var day = int.Parse(yyyymmdd[6..], CultureInfo.InvariantCulture);
        birthDate = default;
        if (month is < 1 or > 12)
        {
            return (IdentifierProblem.ImpossibleDate, $"impossible date: the birth date ({positions}) has month {month}");
        }

        if (year < 1)
        {
            return (IdentifierProblem.ImpossibleDate, $"impossible date: the birth date ({positions}) has year 0");
        }

        var daysInMonth = DateTime.DaysInMonth(year, month);
        if (day < 1 || day > daysInMonth)
        {
            return (IdentifierProblem.ImpossibleDate, $"impossible date: the birth date ({positions}) has day {day} in a month of {daysInMonth} days");
        }

        if (year < EarliestBirthYear)
        {
            return (IdentifierProblem.ImpossibleDate, $"impossible date: the birth year {year} is before {EarliestBirthYear}");
        }

        birthDate = new DateOnly(year, month, day);
        var today = ChinaTime.Today(clock);
        if (birthDate > today)
        {
            return (IdentifierProblem.FutureDate, $"impossible date: the birth date is in the future (after {today:yyyy-MM-dd})");
        }

        return null;
    }

    private (IdentifierProblem Problem, string Reason)? CheckRegionInYear(string code, int year, int birthYear, out DivisionRecord? region)
    {
        var history = divisions.History(code);
        region = DivisionRegistry.FindIn(history, year);
        if (region is not null)
        {
            return null;
        }

        var forWhom = year == birthYear ? $"the birth year {birthYear}" : $"{year}, the first year numbers were issued to people born in {birthYear}";
        if (history.Count == 0)
        {
            return (IdentifierProblem.UnknownRegion, $"unknown region: {code} is not an administrative division code");
        }

        if (history.All(row => row.Introduced > year))
        {
            return (IdentifierProblem.RegionNotYetInUse,
                $"region not yet in use: {code} came into use in {history[0].Introduced}, after {forWhom}");
        }

        var lastBefore = history.Where(row => row.Introduced <= year).MaxBy(row => row.Ended ?? int.MaxValue)!;
        return (IdentifierProblem.RegionRetired,
            $"region retired: {code} ({lastBefore.Name}) was retired in {lastBefore.Ended}, before {forWhom}");
    }

    /// <summary>The registering authority's division embedded in a credit code or licence number must be
    /// one the history knows, at any time (the authority may since have been merged), or the national one.</summary>
    private IdentifierCheck WithEmbeddedDivision(string value, IdentifierKind kind, string text, int start)
    {
        var divisionCode = text.Substring(start, 6);
        var division = LatestPeriod(divisionCode);
        if (division is null && divisionCode != NationalAuthorityCode)
        {
            return IdentifierCheck.Invalid(value, kind, IdentifierProblem.UnknownRegion,
                $"unknown region: positions {start + 1}-{start + 6} ({divisionCode}) are not an administrative division code", start + 1);
        }

        return IdentifierCheck.Valid(value, kind, text) with { Division = division };
    }

    private static IdentifierCheck? RejectNonDigits(string value, IdentifierKind kind, string text)
    {
        var bad = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        return bad < 0
            ? null
            : IdentifierCheck.Invalid(value, kind, IdentifierProblem.BadCharacter,
                $"bad character {IdentifierText.Describe(text[bad])} at position {bad + 1}: expected a digit", bad + 1);
    }

    private DivisionRecord? LatestPeriod(string code)
    {
        var history = divisions.History(code);
        return history.Count == 0 ? null : history[^1];
    }

    private static IdentifierCheck Empty(string value, IdentifierKind kind) =>
        IdentifierCheck.Invalid(value, kind, IdentifierProblem.Empty, "empty value");
}
