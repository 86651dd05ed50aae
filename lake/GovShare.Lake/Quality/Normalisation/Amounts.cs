using System.Globalization;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>Reads amounts of money as registers write them: <c>100万元</c>, <c>100 万元</c>,
/// <c>1,000,000.00元</c>, <c>1.5亿元</c>, <c>1000000</c>, <c>￥1,000</c>, <c>100万美元</c>, <c>人民币100万元整</c>,
/// <c>USD 2.5万</c>.</summary>
/// <remarks>Digits may be full-width; a number may carry thousands separators only in groups of three (so that
/// <c>1,5</c>, a decimal comma, is refused rather than read as 15); 十, 百, 千, 万 and 亿 multiply, alone or
/// combined (<c>万亿</c>, <c>千万</c>). Amounts in Chinese numerals (<c>壹佰万元</c>) are not read.</remarks>
public static class Amounts
{
    private const int LongestText = 64;

    private static readonly (string Marker, string Currency)[] Prefixes =
    [
        ("人民币", "CNY"), ("RMB", "CNY"), ("CNY", "CNY"), ("¥", "CNY"),
        ("US$", "USD"), ("USD", "USD"), ("HK$", "HKD"), ("HKD", "HKD"), ("$", "USD"),
        ("EUR", "EUR"), ("€", "EUR"), ("GBP", "GBP"), ("£", "GBP"), ("JPY", "JPY"),
    ];

    // Longest first: 美元 before 元.
    private static readonly (string Marker, string Currency)[] Suffixes =
    [
        ("元人民币", "CNY"), ("人民币元", "CNY"), ("人民币", "CNY"), ("RMB", "CNY"), ("CNY", "CNY"),
        ("USD", "USD"), ("HKD", "HKD"), ("EUR", "EUR"), ("JPY", "JPY"), ("GBP", "GBP"),
        ("美元", "USD"), ("美金", "USD"), ("港元", "HKD"), ("港币", "HKD"), ("欧元", "EUR"), ("日元", "JPY"), ("英镑", "GBP"),
        ("元", "CNY"),
    ];

    /// <summary>Reads an amount in one of the forms above; false for anything else.</summary>
    public static bool TryParse(string? text, out Amount amount)
    {
        amount = new Amount(0, Amount.Yuan);
        if (text is null || text.Length > LongestText)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[text.Length];
        var s = Fold(text, buffer);
        if (s.EndsWith("整", StringComparison.Ordinal))
        {
            s = s[..^1];
        }

        var prefix = Marker(ref s, Prefixes, atStart: true);
        if (!TryNumber(ref s, out var number) || !TryMagnitude(ref s, out var magnitude))
        {
            return false;
        }

        var suffix = Marker(ref s, Suffixes, atStart: false);
        if (!s.IsEmpty || (prefix is not null && suffix is not null && prefix != suffix)
            || Math.Abs(number) > decimal.MaxValue / magnitude)
        {
            return false;
        }

        amount = new Amount(number * magnitude, prefix ?? suffix ?? Amount.Yuan);
        return true;
    }

    /// <summary>Full-width forms to ASCII (￥ to ¥), letters upper-cased, whitespace removed.</summary>
    private static ReadOnlySpan<char> Fold(string text, Span<char> buffer)
    {
        var written = 0;
        foreach (var raw in text)
        {
            var c = raw switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(raw - 0xFEE0),
                '\uFFE5' => '¥',
                '\uFFE1' => '£',
                _ => raw,
            };
            if (!char.IsWhiteSpace(c))
            {
                buffer[written++] = char.ToUpperInvariant(c);
            }
        }

        return buffer[..written];
    }

    /// <summary>Takes a currency marker off the start or the end; the first listed that fits wins.</summary>
    private static string? Marker(ref ReadOnlySpan<char> s, (string Marker, string Currency)[] markers, bool atStart)
    {
        foreach (var (marker, currency) in markers)
        {
            if (atStart ? s.StartsWith(marker, StringComparison.Ordinal) : s.EndsWith(marker, StringComparison.Ordinal))
            {
                s = atStart ? s[marker.Length..] : s[..^marker.Length];
                return currency;
            }
        }

        return null;
    }

    /// <summary>An optional sign, digits with optional thousands separators in groups of three, an optional
    /// fraction.</summary>
    private static bool TryNumber(ref ReadOnlySpan<char> s, out decimal number)
    {
        number = 0;
        var length = 0;
        if (length < s.Length && s[length] is '+' or '-')
        {
            length++;
        }

        var group = 0;
        var groups = 0;
        var digits = 0;
        for (; length < s.Length; length++)
        {
            var c = s[length];
            if (char.IsAsciiDigit(c))
            {
                group++;
                digits++;
            }
            else if (c == ',' && group > 0 && (groups == 0 ? group <= 3 : group == 3))
            {
                groups++;
                group = 0;
            }
            else
            {
                break;
            }
        }

        if (digits == 0 || (groups > 0 && group != 3))
        {
            return false;
        }

        if (length < s.Length && s[length] == '.')
        {
            var fraction = 0;
            while (length + 1 + fraction < s.Length && char.IsAsciiDigit(s[length + 1 + fraction]))
            {
                fraction++;
            }

            length += fraction == 0 ? 0 : 1 + fraction;
        }

        Span<char> plain = stackalloc char[length];
        var written = 0;
        foreach (var c in s[..length])
        {
            if (c != ',')
            {
                plain[written++] = c;
            }
        }

        s = s[length..];
        return decimal.TryParse(plain[..written], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out number);
    }

    /// <summary>十, 百, 千, 万 and 亿, in any sequence (万亿 is 10¹²); 1 when there are none.</summary>
    private static bool TryMagnitude(ref ReadOnlySpan<char> s, out decimal magnitude)
    {
        magnitude = 1;
        while (!s.IsEmpty)
        {
            decimal factor = s[0] switch
            {
                '十' => 10m,
                '百' => 100m,
                '千' => 1_000m,
                '万' => 10_000m,
                '亿' => 100_000_000m,
                _ => 0m,
            };
            if (factor == 0m)
            {
                break;
            }

            if (magnitude > decimal.MaxValue / factor)
            {
                return false;
            }

            magnitude *= factor;
            s = s[1..];
        }

        return true;
    }
}
