namespace GovShare.Lake.Identifiers;

/// <summary>The arithmetic of organisation codes (GB 11714-1997): eight characters 0-9 A-Z
/// (A = 10 … Z = 35) and a MOD 11 check character (10 → X, 11 → 0).</summary>
public static class OrganisationCode
{
    private static ReadOnlySpan<byte> Weights => [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>The value of a body character (0-9 → 0-9, A-Z → 10-35), or -1.</summary>
    public static int ValueOf(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The check character for an eight-character body.</summary>
    /// <exception cref="ArgumentException">Not eight characters 0-9 A-Z.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> body)
    {
        if (body.Length != 8)
        {
            throw new ArgumentException("An organisation code's body is 8 characters.", nameof(body));
        }

        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            var value = ValueOf(body[i]);
            if (value < 0)
            {
                throw new ArgumentException($"Position {i + 1} is not 0-9 or A-Z.", nameof(body));
            }

            sum += value * Weights[i];
        }

        return (11 - (sum % 11)) switch
        {
            10 => 'X',
            11 => '0',
            var digit => (char)('0' + digit),
        };
    }

    /// <summary>The canonical written form, <c>XXXXXXXX-Y</c>.</summary>
    public static string Format(ReadOnlySpan<char> nineCharacters) =>
        string.Concat(nineCharacters[..8], "-", nineCharacters[8..]);
}
