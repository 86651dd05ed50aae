namespace GovShare.Lake.Identifiers;

/// <summary>The arithmetic of unified social credit codes (GB 32100-2015): MOD 31 over a 31-character
/// alphabet that leaves out I, O, Z, S and V.</summary>
public static class UnifiedSocialCreditCode
{
    /// <summary>The code's alphabet; a character's value is its position here.</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// <summary>Registration authority codes allowed in position 1 (GB 32100-2015, table 1): 1 机构编制,
    /// 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商, A 中央军委改革和编制办公室,
    /// N 农业, Y 其他.</summary>
    public const string RegistrationAuthorities = "123456789ANY";

    private static ReadOnlySpan<byte> Weights => [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>The value of a character in the alphabet, or -1 when it is not in it.</summary>
    public static int ValueOf(char c) => Alphabet.IndexOf(c, StringComparison.Ordinal);

    /// <summary>The check character for the first 17 characters.</summary>
    /// <exception cref="ArgumentException">Not 17 characters of the alphabet.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("A unified social credit code's body is 17 characters.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = ValueOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException($"Position {i + 1} is not in the code's alphabet.", nameof(first17));
            }

            sum += value * Weights[i];
        }

        return Alphabet[(31 - (sum % 31)) % 31];
    }
}
