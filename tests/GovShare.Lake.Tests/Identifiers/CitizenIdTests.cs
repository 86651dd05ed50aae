using FsCheck.Xunit;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Tests.Identifiers;

public sealed class CitizenIdTests
{
    private static readonly IdentifierValidator Validator = ValidIds.Validator;

    [Fact]
    public void CheckCitizen_Should_UpgradeOldFifteenDigitNumber_When_ItIsValid()
    {
        var check = Validator.CheckCitizen("610104620927690");

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal("610104196209276908", check.Normalized);
        Assert.Equal("610104196209276908", CitizenIdNumber.UpgradeFrom15("610104620927690"));
        Assert.Equal(new DateOnly(1962, 9, 27), check.Citizen!.BirthDate);
    }

    [Fact]
    public void CheckCitizen_Should_ExposeBirthDateSexAndRegion_When_Valid()
    {
        var male = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 123);
        var female = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 124);

        var maleCheck = Validator.CheckCitizen(male);
        var femaleCheck = Validator.CheckCitizen(female);

        Assert.True(maleCheck.IsValid, maleCheck.Reason);
        Assert.Equal(Sex.Male, maleCheck.Citizen!.Sex);
        Assert.Equal(Sex.Female, femaleCheck.Citizen!.Sex);
        Assert.Equal(new DateOnly(1990, 3, 7), maleCheck.Citizen.BirthDate);
        Assert.Equal("410103", maleCheck.Citizen.RegionCode);
        Assert.Equal("二七区", maleCheck.Citizen.Region!.Name);
        Assert.Equal("河南省郑州市二七区", maleCheck.Division!.FullName);
    }

    [Fact]
    public void CheckCitizen_Should_AcceptLowerCaseX_And_NormaliseItToUpperCase()
    {
        var number = FindNumberWithCheckX();

        var check = Validator.CheckCitizen(number.ToLowerInvariant());

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(number, check.Normalized);
    }

    [Fact]
    public void CheckCitizen_Should_FoldFullWidthDigitsAndTrimSpaces()
    {
        var number = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 123);
        var fullWidth = new string(number.Select(c => char.IsAsciiDigit(c) ? (char)(c + 0xFEE0) : c).ToArray());

        var check = Validator.CheckCitizen("  " + fullWidth + "\u3000");

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(number, check.Normalized);
    }

    [Theory]
    [InlineData("4101031990030712", "bad length: a resident identity number has 18 characters (or 15 digits in the old form), found 16")]
    [InlineData("", "empty value")]
    public void CheckCitizen_Should_ReportTheLength_When_ItIsWrong(string value, string reason)
    {
        var check = Validator.CheckCitizen(value);

        Assert.False(check.IsValid);
        Assert.Equal(reason, check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_NameThePosition_When_ACharacterIsNotADigit()
    {
        var number = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 123);
        var bad = number[..9] + "A" + number[10..];

        var check = Validator.CheckCitizen(bad);

        Assert.Equal(IdentifierProblem.BadCharacter, check.Problem);
        Assert.Equal(10, check.Position);
        Assert.Equal("bad character 'A' at position 10: expected a digit", check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_SayWhichCheckCharacterWasExpected()
    {
        var number = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 123);
        var wrong = number[17] == '0' ? '1' : '0';

        var check = Validator.CheckCitizen(number[..17] + wrong);

        Assert.Equal(IdentifierProblem.BadCheckCharacter, check.Problem);
        Assert.Equal($"bad check character at position 18: expected {number[17]}, found {wrong}", check.Reason);
        Assert.DoesNotContain(number[..17], check.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("19900230", "impossible date: the birth date (positions 7-14) has day 30 in a month of 28 days")]
    [InlineData("19901301", "impossible date: the birth date (positions 7-14) has month 13")]
    [InlineData("19900100", "impossible date: the birth date (positions 7-14) has day 0 in a month of 31 days")]
    [InlineData("18790101", "impossible date: the birth year 1879 is before 1880")]
    public void CheckCitizen_Should_RejectImpossibleBirthDates(string date, string reason)
    {
        var body = "410103" + date + "123";
        var number = body + CitizenIdNumber.ComputeCheckCharacter(body);

        var check = Validator.CheckCitizen(number);

        Assert.Equal(IdentifierProblem.ImpossibleDate, check.Problem);
        Assert.Equal(reason, check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_RejectOldFormWithImpossibleDate_NamingTheOldPositions()
    {
        var check = Validator.CheckCitizen("610104621327690");

        Assert.Equal(IdentifierProblem.ImpossibleDate, check.Problem);
        Assert.Equal("impossible date: the birth date (positions 7-12) has month 13", check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_RejectBirthDatesAfterToday_InChina()
    {
        // 2026-11-22 10:00 in China: the 22nd is today, the 23rd is tomorrow.
        var today = ValidIds.Citizen("410103", new DateOnly(2026, 11, 22), 123);
        var tomorrow = ValidIds.Citizen("410103", new DateOnly(2026, 11, 23), 123);

        Assert.True(Validator.CheckCitizen(today).IsValid);
        var check = Validator.CheckCitizen(tomorrow);
        Assert.Equal(IdentifierProblem.FutureDate, check.Problem);
        Assert.Equal("impossible date: the birth date is in the future (after 2026-11-22)", check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_UseChinaDate_When_UtcIsStillYesterday()
    {
        // 2026-11-22 01:00 in China is 2026-11-21 17:00 UTC: a baby born on the 22nd is not "in the future".
        var validator = new IdentifierValidator(ValidIds.Validator.Divisions,
            new FixedClock(new DateTimeOffset(2026, 11, 21, 17, 0, 0, TimeSpan.Zero)));

        var check = validator.CheckCitizen(ValidIds.Citizen("410103", new DateOnly(2026, 11, 22), 2));

        Assert.True(check.IsValid, check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_AcceptRetiredRegion_When_BornWhileItExisted()
    {
        // 130228 遵化县 held from 1983 until it was retired in 1992 (replaced by 130281 遵化市).
        var bornIn1985 = ValidIds.Citizen("130228", new DateOnly(1985, 6, 1), 11);
        var bornIn1992 = ValidIds.Citizen("130228", new DateOnly(1992, 12, 31), 11);

        Assert.True(Validator.CheckCitizen(bornIn1985).IsValid);
        Assert.True(Validator.CheckCitizen(bornIn1992).IsValid);
    }

    [Fact]
    public void CheckCitizen_Should_RejectRetiredRegion_When_BornAfterItWasRetired()
    {
        var bornIn1995 = ValidIds.Citizen("130228", new DateOnly(1995, 6, 1), 11);

        var check = Validator.CheckCitizen(bornIn1995);

        Assert.Equal(IdentifierProblem.RegionRetired, check.Problem);
        Assert.Equal("region retired: 130228 (遵化县) was retired in 1992, before the birth year 1995", check.Reason);
    }

    [Fact]
    public void CheckCitizen_Should_RejectRegion_When_CreatedAfterTheBirthYear()
    {
        // 141102 离石区 came into use in 2003.
        var bornIn1995 = ValidIds.Citizen("141102", new DateOnly(1995, 6, 1), 11);
        var bornIn2005 = ValidIds.Citizen("141102", new DateOnly(2005, 6, 1), 11);

        var check = Validator.CheckCitizen(bornIn1995);

        Assert.Equal(IdentifierProblem.RegionNotYetInUse, check.Problem);
        Assert.Equal("region not yet in use: 141102 came into use in 2003, after the birth year 1995", check.Reason);
        Assert.True(Validator.CheckCitizen(bornIn2005).IsValid);
    }

    [Fact]
    public void CheckCitizen_Should_CheckRegionAsOf1984_When_BornBeforeNumbersWereIssued()
    {
        // 410103 二七区 dates from 1983: people born in 1960 received numbers with it from 1984 on.
        var zhengzhou1960 = ValidIds.Citizen("410103", new DateOnly(1960, 5, 4), 31);
        // 232323 绥化县 was retired in 1982, before any number was issued.
        var suihua1960 = ValidIds.Citizen("232323", new DateOnly(1960, 5, 4), 31);

        Assert.True(Validator.CheckCitizen(zhengzhou1960).IsValid);
        var check = Validator.CheckCitizen(suihua1960);
        Assert.Equal(IdentifierProblem.RegionRetired, check.Problem);
        Assert.Contains("1984, the first year numbers were issued", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckCitizen_Should_RejectUnknownRegion()
    {
        var check = Validator.CheckCitizen(ValidIds.Citizen("999999", new DateOnly(1990, 1, 1), 1));

        Assert.Equal(IdentifierProblem.UnknownRegion, check.Problem);
        Assert.Equal("unknown region: 999999 is not an administrative division code", check.Reason);
    }

    [Theory]
    [InlineData("810000")]
    [InlineData("820000")]
    [InlineData("830000")]
    public void CheckCitizen_Should_AcceptResidencePermitCodes_ForHongKongMacauAndTaiwanResidents(string region)
    {
        var check = Validator.CheckCitizen(ValidIds.Citizen(region, new DateOnly(1970, 1, 1), 1));

        Assert.True(check.IsValid, check.Reason);
        Assert.True(check.Citizen!.IsResidencePermit);
        Assert.Null(check.Citizen.Region);
    }

    [Property(MaxTest = 200)]
    public void CheckCitizen_Should_RejectEverySingleCharacterSubstitution_OfAValidNumber(Guid seed)
    {
        var number = ValidIds.RandomCitizen(new Random(seed.GetHashCode()));
        Assert.True(Validator.CheckCitizen(number).IsValid, $"{number} should be valid");

        foreach (var variant in Substitutions.Of(number, "0123456789XA"))
        {
            var check = Validator.CheckCitizen(variant);
            Assert.False(check.IsValid, $"{variant} (a substitution of {number}) was accepted");
        }
    }

    [Fact]
    public void Mask_Should_KeepOnlyTheFirstAndLastFourCharacters()
    {
        Assert.Equal("4101**********123X", CitizenIdNumber.Mask("41010519900307123X"));
        Assert.Equal("****", CitizenIdNumber.Mask("4101"));
        Assert.Equal(string.Empty, CitizenIdNumber.Mask(null));
    }

    private static string FindNumberWithCheckX()
    {
        for (var sequence = 0; sequence < 1000; sequence++)
        {
            var number = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), sequence);
            if (number[17] == 'X')
            {
                return number;
            }
        }

        throw new InvalidOperationException("No sequence gives check character X.");
    }
}

/// <summary>Every value that differs from a valid one in exactly one character.</summary>
internal static class Substitutions
{
    public static IEnumerable<string> Of(string value, string alphabet)
    {
        for (var position = 0; position < value.Length; position++)
        {
            foreach (var replacement in alphabet)
            {
                if (replacement != value[position])
                {
                    yield return string.Concat(value.AsSpan(0, position), replacement.ToString(), value.AsSpan(position + 1));
                }
            }
        }
    }
}
