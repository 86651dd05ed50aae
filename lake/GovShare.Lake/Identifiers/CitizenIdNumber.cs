namespace GovShare.Lake.Identifiers;

/// <summary>The arithmetic of resident identity numbers (GB 11643-1999): ISO 7064 MOD 11-2.</summary>
public static partial class CitizenIdNumber
{
    private static ReadOnlySpan<byte> Weights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    private const string CheckCharacters = "10X98765432";

    /// <summary>The check character for the first 17 digits.</summary>
    /// <exception cref="ArgumentException">Not exactly 17 ASCII digits.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("A resident identity number's body is 17 digits.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var digit = first17[i] - '0';
            if (digit is < 0 or > 9)
            {
                throw new ArgumentException($"Position {i + 1} is not a digit.", nameof(first17));
            }

            sum += digit * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>Upgrades an old 15-digit number (YYMMDD, no check character) to the 18-character form
    /// by inserting the century "19" and appending the check character.</summary>
    /// <exception cref="ArgumentException">Not exactly 15 ASCII digits.</exception>
    public static string UpgradeFrom15(ReadOnlySpan<char> old)
    {
        if (old.Length != 15 || old.ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException("An old resident identity number is 15 digits.", nameof(old));
        }

        Span<char> upgraded = stackalloc char[18];
        old[..6].CopyTo(upgraded);
        upgraded[6] = '1';
        upgraded[7] = '9';
        old[6..].CopyTo(upgraded[8..]);
        upgraded[17] = ComputeCheckCharacter(upgraded[..17]);
        return new string(upgraded);
    }

    /// <summary>Masks all but the first four and last four characters, for logs, errors and masked
    /// grants (for example <c>4101**********123X</c>).</summary>
    public static string Mask(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value.Length <= 8)
        {
            return new string('*', value.Length);
        }

        return string.Create(value.Length, value, static (span, source) =>
        {
            source.AsSpan().CopyTo(span);
            span[4..^4].Fill('*');
        });
    }

    /// <summary>Masks every run of 15 or 18 ID-shaped characters (15 digits, or 17 digits and a digit or X)
    /// inside free text, such as a value echoed in an error message or a header that turned out to be data.</summary>
    public static string MaskWithin(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : IdShaped().Replace(text, match => Mask(match.Value));

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")]
    private static partial System.Text.RegularExpressions.Regex IdShaped();
}
