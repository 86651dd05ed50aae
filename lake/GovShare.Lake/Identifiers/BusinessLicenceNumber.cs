namespace GovShare.Lake.Identifiers;

/// <summary>The arithmetic of 15-digit business licence registration numbers (GS15-2006):
/// ISO 7064 MOD 11,10 over the first 14 digits.</summary>
public static class BusinessLicenceNumber
{
    /// <summary>The check digit for the first 14 digits.</summary>
    /// <exception cref="ArgumentException">Not exactly 14 ASCII digits.</exception>
    public static char ComputeCheckDigit(ReadOnlySpan<char> first14)
    {
        if (first14.Length != 14)
        {
            throw new ArgumentException("A licence registration number's body is 14 digits.", nameof(first14));
        }

        var product = 10;
        for (var i = 0; i < 14; i++)
        {
            var digit = first14[i] - '0';
            if (digit is < 0 or > 9)
            {
                throw new ArgumentException($"Position {i + 1} is not a digit.", nameof(first14));
            }

            var sum = (product + digit) % 10;
            if (sum == 0)
            {
                sum = 10;
            }

            product = 2 * sum % 11;
        }

        return (char)('0' + ((11 - product) % 10));
    }
}
