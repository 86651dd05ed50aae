using FsCheck.Xunit;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Tests.Identifiers;

/// <summary>Unified social credit codes, organisation codes and business licence numbers.</summary>
public sealed class CodeIdentifierTests
{
    private static readonly IdentifierValidator Validator = ValidIds.Validator;

    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000600037341L")]
    public void CheckUscc_Should_AcceptTheStandardsWorkedExamples(string code)
    {
        var check = Validator.CheckUscc(code);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(code, check.Normalized);
    }

    [Fact]
    public void CheckUscc_Should_StripSpacesAndDashes_And_UpperCase()
    {
        var check = Validator.CheckUscc(" 9135-0100-m000-100y43 ");

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal("91350100M000100Y43", check.Normalized);
        Assert.Equal("福州市", check.Division!.Name);
    }

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('Z')]
    [InlineData('S')]
    [InlineData('V')]
    public void CheckUscc_Should_RejectLettersTheStandardLeavesOut(char letter)
    {
        var check = Validator.CheckUscc("91350100M000100" + letter + "43");

        Assert.Equal(IdentifierProblem.BadCharacter, check.Problem);
        Assert.Equal(16, check.Position);
        Assert.Equal($"bad character '{letter}' at position 16: expected 0-9 or an upper-case letter (I, O, Z, S and V are not used)", check.Reason);
    }

    [Fact]
    public void CheckUscc_Should_SayWhichCheckCharacterWasExpected()
    {
        var check = Validator.CheckUscc("91350100M000100Y44");

        Assert.Equal(IdentifierProblem.BadCheckCharacter, check.Problem);
        Assert.Equal("bad check character at position 18: expected 3, found 4", check.Reason);
    }

    [Fact]
    public void CheckUscc_Should_RejectABadEmbeddedOrganisationCode_EvenWhenItsOwnCheckHolds()
    {
        // Change the organisation code's check character and recompute the credit code's own.
        var body = "91350100M000100Y" + (ValidIds.Org("M000100Y")[8] == '1' ? '2' : '1');
        var code = body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);

        var check = Validator.CheckUscc(code);

        Assert.Equal(IdentifierProblem.BadEmbeddedOrganisationCode, check.Problem);
        Assert.Equal(17, check.Position);
        Assert.StartsWith("the organisation code in positions 9-17 has a bad check character at position 17: expected 4", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckUscc_Should_RejectAnUnknownRegistrationAuthority()
    {
        var code = ValidIds.Uscc('B', '1', "350100", "M000100Y");

        var check = Validator.CheckUscc(code);

        Assert.Equal(IdentifierProblem.UnknownRegistrationAuthority, check.Problem);
        Assert.Equal(1, check.Position);
    }

    [Fact]
    public void CheckUscc_Should_RejectAnEmbeddedDivisionThatNeverExisted()
    {
        var check = Validator.CheckUscc(ValidIds.Uscc('9', '1', "999999", "M000100Y"));

        Assert.Equal(IdentifierProblem.UnknownRegion, check.Problem);
        Assert.Equal("unknown region: positions 3-8 (999999) are not an administrative division code", check.Reason);
    }

    [Fact]
    public void CheckUscc_Should_AcceptNationalAuthorityDivision()
    {
        var check = Validator.CheckUscc(ValidIds.Uscc('1', '1', "100000", "00001312"));

        Assert.True(check.IsValid, check.Reason);
        Assert.Null(check.Division);
    }

    [Property(MaxTest = 200)]
    public void CheckUscc_Should_RejectEverySingleCharacterSubstitution_OfAValidCode(Guid seed)
    {
        var code = ValidIds.RandomUscc(new Random(seed.GetHashCode()));
        Assert.True(Validator.CheckUscc(code).IsValid, $"{code} should be valid");

        foreach (var variant in Substitutions.Of(code, UnifiedSocialCreditCode.Alphabet + "IOZSV"))
        {
            Assert.False(Validator.CheckUscc(variant).IsValid, $"{variant} (a substitution of {code}) was accepted");
        }
    }

    [Theory]
    [InlineData("D2143569-X")]
    [InlineData("D2143569X")]
    [InlineData("d2143569-x")]
    [InlineData(" D2143569 - X ")]
    public void CheckOrganisationCode_Should_AcceptTheWorkedExample_InEveryWrittenForm(string value)
    {
        var check = Validator.CheckOrganisationCode(value);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal("D2143569-X", check.Normalized);
    }

    [Theory]
    [InlineData("D2143569-1", IdentifierProblem.BadCheckCharacter, "bad check character at position 9: expected X, found 1")]
    [InlineData("D2143569-A", IdentifierProblem.BadCharacter, "bad character 'A' at position 9: the check character is a digit or X")]
    [InlineData("D214356-X", IdentifierProblem.BadLength, "bad length: an organisation code has 8 characters and a check character (XXXXXXXX-Y), found 8")]
    [InlineData("D21435*9-X", IdentifierProblem.BadCharacter, "bad character '*' at position 7: expected 0-9 or A-Z")]
    public void CheckOrganisationCode_Should_GiveASpecificReason(string value, IdentifierProblem problem, string reason)
    {
        var check = Validator.CheckOrganisationCode(value);

        Assert.Equal(problem, check.Problem);
        Assert.Equal(reason, check.Reason);
    }

    [Property(MaxTest = 200)]
    public void CheckOrganisationCode_Should_RejectEverySubstitution_ExceptThoseItsMod11CheckCannotSee(Guid seed)
    {
        // GB 11714's MOD 11 over 36 symbols cannot see a body character replaced by one whose value
        // differs by a multiple of 11 (0 ↔ B ↔ M ↔ X, 1 ↔ C ↔ N ↔ Y, …). Every other substitution is caught.
        var code = ValidIds.RandomOrg(new Random(seed.GetHashCode()));
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

        for (var position = 0; position < 9; position++)
        {
            foreach (var replacement in alphabet)
            {
                if (replacement == code[position])
                {
                    continue;
                }

                var variant = string.Concat(code.AsSpan(0, position), replacement.ToString(), code.AsSpan(position + 1));
                var blind = position < 8 && (OrganisationCode.ValueOf(replacement) - OrganisationCode.ValueOf(code[position])) % 11 == 0;
                Assert.Equal(blind, Validator.CheckOrganisationCode(variant).IsValid);
            }
        }
    }

    [Theory]
    [InlineData("110108000000016", true)]
    [InlineData("110108000000017", false)]
    public void CheckLicence_Should_MatchTheWorkedExamples(string number, bool valid)
    {
        var check = Validator.CheckLicence(number);

        Assert.Equal(valid, check.IsValid);
        if (!valid)
        {
            Assert.Equal("bad check character at position 15: expected 6, found 7", check.Reason);
        }
    }

    [Fact]
    public void CheckLicence_Should_RejectAnUnknownRegistrationDivision()
    {
        var check = Validator.CheckLicence(ValidIds.Licence("99999900000001"));

        Assert.Equal(IdentifierProblem.UnknownRegion, check.Problem);
    }

    [Property(MaxTest = 200)]
    public void CheckLicence_Should_RejectEverySingleCharacterSubstitution_OfAValidNumber(Guid seed)
    {
        var number = ValidIds.RandomLicence(new Random(seed.GetHashCode()));
        Assert.True(Validator.CheckLicence(number).IsValid, $"{number} should be valid");

        foreach (var variant in Substitutions.Of(number, "0123456789A"))
        {
            Assert.False(Validator.CheckLicence(variant).IsValid, $"{variant} (a substitution of {number}) was accepted");
        }
    }

    [Theory]
    [InlineData("110103", true, null)]
    [InlineData("410108", true, null)]
    [InlineData("999999", false, "unknown region: 999999 is not an administrative division code")]
    [InlineData("41010", false, "bad length: a division code has 6 digits, found 5")]
    public void CheckDivision_Should_AcceptCodesTheHistoryKnows_InUseOrRetired(string code, bool valid, string? reason)
    {
        var check = Validator.CheckDivision(code);

        Assert.Equal(valid, check.IsValid);
        Assert.Equal(reason, check.Reason);
    }

    [Fact]
    public void CheckDivision_Should_CheckTheYear_When_OneIsGiven()
    {
        Assert.True(Validator.CheckDivision("110103", 2009).IsValid);
        Assert.Equal(IdentifierProblem.RegionRetired, Validator.CheckDivision("110103", 2011).Problem);
    }
}
