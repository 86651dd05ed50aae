using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Tests.Identifiers;

public sealed class KindDetectionTests
{
    private static readonly IdentifierValidator Validator = ValidIds.Validator;

    [Theory]
    [InlineData("91350100M000100Y43", IdentifierKind.Uscc)]
    [InlineData("D2143569-X", IdentifierKind.Org)]
    [InlineData("110108000000016", IdentifierKind.Licence)]
    [InlineData("610104620927690", IdentifierKind.Citizen)]
    [InlineData("110103", IdentifierKind.Division)]
    [InlineData("1234", IdentifierKind.Unknown)]
    public void Check_Should_RecogniseTheKindFromTheShape(string value, IdentifierKind kind)
    {
        Assert.Equal(kind, Validator.Check(value).Kind);
    }

    [Fact]
    public void Check_Should_RecogniseAnEighteenDigitCitizenNumber()
    {
        var number = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 123);

        var check = Validator.Check(number);

        Assert.Equal(IdentifierKind.Citizen, check.Kind);
        Assert.True(check.IsValid);
    }

    [Fact]
    public void Check_Should_RecogniseAnAllDigitCreditCode_When_ItIsNoValidCitizenNumber()
    {
        var code = FindAllDigitCreditCode();

        var check = Validator.Check(code);

        Assert.Equal(IdentifierKind.Uscc, check.Kind);
        Assert.True(check.IsValid, check.Reason);
    }

    [Fact]
    public void Check_Should_ReportTheCitizenReason_When_AnEighteenDigitValueWithABirthDateIsInvalid()
    {
        var number = ValidIds.Citizen("410103", new DateOnly(1990, 3, 7), 123);
        var broken = number[..17] + (number[17] == '0' ? '1' : '0');

        var check = Validator.Check(broken);

        Assert.Equal(IdentifierKind.Citizen, check.Kind);
        Assert.Equal(IdentifierProblem.BadCheckCharacter, check.Problem);
    }

    [Fact]
    public void Check_Should_TreatEighteenDigitsAsACitizenNumber_When_NeitherKindValidates()
    {
        // Regression: an impossible birth date once made the detector fall back to "credit code".
        var check = Validator.Check("41010319900230123X");

        Assert.Equal(IdentifierKind.Citizen, check.Kind);
        Assert.Equal(IdentifierProblem.ImpossibleDate, check.Problem);
    }

    [Fact]
    public void Check_Should_PreferAnOldCitizenNumber_When_ItAlsoPassesTheLicenceCheck()
    {
        // Regression: one old number in ten passed the licence check by chance and was never upgraded.
        var old = Enumerable.Range(0, 1000)
            .Select(sequence => $"410103600101{sequence:D3}")
            .First(value => Validator.CheckLicence(value).IsValid);

        var check = Validator.Check(old);

        Assert.Equal(IdentifierKind.Citizen, check.Kind);
        Assert.Equal(18, check.Normalized!.Length);
        Assert.Equal(IdentifierKind.Licence, Validator.Check(old, IdentifierKind.Licence).Kind);
    }

    [Theory]
    [InlineData("-110108000000016")]
    [InlineData("110108000000016-")]
    public void Check_Should_KeepLeadingAndTrailingDashes_AndReportThem(string value)
    {
        Assert.False(Validator.CheckLicence(value).IsValid);
        Assert.True(Validator.CheckLicence("110108-000000016").IsValid);
    }

    [Fact]
    public void Check_Should_UseTheForcedKind_When_OneIsGiven()
    {
        var check = Validator.Check("110108000000016", IdentifierKind.Citizen);

        Assert.Equal(IdentifierKind.Citizen, check.Kind);
        Assert.Equal(IdentifierProblem.ImpossibleDate, check.Problem);
    }

    [Theory]
    [InlineData("citizen", IdentifierKind.Citizen)]
    [InlineData("USCC", IdentifierKind.Uscc)]
    [InlineData("license", IdentifierKind.Licence)]
    public void KindNames_Should_RoundTrip(string name, IdentifierKind kind)
    {
        Assert.True(IdentifierKindNames.TryParse(name, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.True(IdentifierKindNames.TryParse(parsed.ToName(), out var again));
        Assert.Equal(kind, again);
    }

    private static string FindAllDigitCreditCode()
    {
        for (var serial = 0; serial < 100_000; serial++)
        {
            var code = ValidIds.Uscc('9', '1', "410100", $"{serial:D8}");
            if (code.All(char.IsAsciiDigit) && !Validator.CheckCitizen(code).IsValid)
            {
                return code;
            }
        }

        throw new InvalidOperationException("No all-digit credit code found.");
    }
}
