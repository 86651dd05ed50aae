using System.Buffers;
using System.Globalization;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>String, date and number comparisons for telling real differences between providers' values from
/// typing slips. Strings are compared as given, by UTF-16 code unit (a BMP Han character is one unit); put them
/// in <see cref="TextNormaliser"/>'s form (or <see cref="PinyinKey"/>'s) first.</summary>
/// <remarks>A null string counts as empty. Nothing here allocates on the heap for values up to a few hundred
/// characters: working rows live on the stack, longer ones are rented from the shared array pool.</remarks>
public static class Similarity
{
    /// <summary>Winkler's prefix scale.</summary>
    public const double PrefixScale = 0.1;

    /// <summary>The longest common prefix that earns the Winkler boost.</summary>
    public const int MaxPrefix = 4;

    /// <summary>The Jaro similarity above which the Winkler boost applies (Winkler's own threshold).</summary>
    public const double BoostThreshold = 0.7;

    private const int StackLimit = 256;

    /// <summary>The Jaro-Winkler similarity, 0 (nothing in common) to 1 (equal): <c>MARTHA</c>/<c>MARHTA</c>
    /// 0.961, <c>DWAYNE</c>/<c>DUANE</c> 0.84, <c>DIXON</c>/<c>DICKSONX</c> 0.813. Two empty strings are equal (1);
    /// an empty one against another has nothing in common (0).</summary>
    public static double JaroWinkler(string a, string b) => JaroWinkler(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="JaroWinkler(string, string)"/>
    public static double JaroWinkler(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var jaro = Jaro(a, b);
        if (jaro <= BoostThreshold)
        {
            return jaro;
        }

        var prefix = 0;
        var longest = Math.Min(MaxPrefix, Math.Min(a.Length, b.Length));
        while (prefix < longest && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * PrefixScale * (1 - jaro));
    }

    /// <summary>The Jaro similarity, 0 to 1.</summary>
    public static double Jaro(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.IsEmpty && b.IsEmpty)
        {
            return 1;
        }

        if (a.IsEmpty || b.IsEmpty)
        {
            return 0;
        }

        var window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        var total = a.Length + b.Length;
        bool[]? rented = null;
        var flags = total <= StackLimit ? stackalloc bool[total] : (rented = ArrayPool<bool>.Shared.Rent(total)).AsSpan(0, total);
        try
        {
            flags.Clear();
            var matchedA = flags[..a.Length];
            var matchedB = flags[a.Length..];
            var matches = 0;
            for (var i = 0; i < a.Length; i++)
            {
                var end = Math.Min(b.Length - 1, i + window);
                for (var j = Math.Max(0, i - window); j <= end; j++)
                {
                    if (!matchedB[j] && a[i] == b[j])
                    {
                        matchedA[i] = matchedB[j] = true;
                        matches++;
                        break;
                    }
                }
            }

            if (matches == 0)
            {
                return 0;
            }

            var halfTranspositions = 0;
            var k = 0;
            for (var i = 0; i < a.Length; i++)
            {
                if (!matchedA[i])
                {
                    continue;
                }

                while (!matchedB[k])
                {
                    k++;
                }

                if (a[i] != b[k])
                {
                    halfTranspositions++;
                }

                k++;
            }

            double m = matches;
            return ((m / a.Length) + (m / b.Length) + ((m - (halfTranspositions / 2.0)) / m)) / 3;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<bool>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The optimal string alignment distance (the restricted Damerau-Levenshtein distance): the fewest
    /// insertions, deletions, substitutions and transpositions of two adjacent characters, where no substring is
    /// edited twice. So <c>CA</c> → <c>ABC</c> is 3 (the unrestricted distance would be 2: CA → AC → ABC).</summary>
    public static int DamerauLevenshtein(string a, string b) => DamerauLevenshtein(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="DamerauLevenshtein(string, string)"/>
    public static int DamerauLevenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return Math.Max(a.Length, b.Length);
        }

        var width = b.Length + 1;
        var size = 3 * width;
        int[]? rented = null;
        var rows = size <= StackLimit ? stackalloc int[size] : (rented = ArrayPool<int>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            // Three rows: the one before last (for transpositions), the last, the current; rotated by offset.
            var beforeLast = rows[..width];
            var last = rows.Slice(width, width);
            var current = rows.Slice(2 * width, width);
            for (var j = 0; j < width; j++)
            {
                last[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    var best = Math.Min(Math.Min(last[j] + 1, current[j - 1] + 1), last[j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        best = Math.Min(best, beforeLast[j - 2] + 1);
                    }

                    current[j] = best;
                }

                var recycled = beforeLast;
                beforeLast = last;
                last = current;
                current = recycled;
            }

            return last[b.Length];
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>1 − <see cref="DamerauLevenshtein(string, string)"/> / the longer length: 1 for equal strings (two
    /// empty ones too), 0 when every character must change.</summary>
    public static double NormalisedDamerauLevenshtein(string a, string b) => NormalisedDamerauLevenshtein(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="NormalisedDamerauLevenshtein(string, string)"/>
    public static double NormalisedDamerauLevenshtein(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var longer = Math.Max(a.Length, b.Length);
        return longer == 0 ? 1 : 1 - ((double)DamerauLevenshtein(a, b) / longer);
    }

    /// <summary>The Jaccard similarity of the two strings' token sets (shared / all): Han text gives its character
    /// bigrams (a lone Han character itself), other letters and digits give words split at anything else (case
    /// ignored). 1 when neither has a token.</summary>
    /// <remarks>Tokens are 64-bit codes: a Han bigram or character is coded exactly, a word by a 62-bit FNV-1a
    /// hash, so two different words count as one with a chance of about 2⁻⁶².</remarks>
    public static double TokenJaccard(string a, string b) => TokenJaccard(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="TokenJaccard(string, string)"/>
    public static double TokenJaccard(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var size = a.Length + b.Length;
        ulong[]? rented = null;
        var tokens = size <= StackLimit ? stackalloc ulong[size] : (rented = ArrayPool<ulong>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            var first = Tokens.Distinct(tokens[..Tokens.Write(a, tokens)]);
            var second = Tokens.Distinct(tokens.Slice(a.Length, Tokens.Write(b, tokens[a.Length..])));
            if (first.IsEmpty && second.IsEmpty)
            {
                return 1;
            }

            var shared = 0;
            for (int i = 0, j = 0; i < first.Length && j < second.Length;)
            {
                var order = first[i].CompareTo(second[j]);
                shared += order == 0 ? 1 : 0;
                i += order <= 0 ? 1 : 0;
                j += order >= 0 ? 1 : 0;
            }

            return (double)shared / (first.Length + second.Length - shared);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True when the strings have the same length and differ only in two adjacent digits swapped
    /// (<c>410105</c> / <c>411005</c>).</summary>
    public static bool IsDigitTransposition(string a, string b) => IsDigitTransposition(a.AsSpan(), b.AsSpan());

    /// <inheritdoc cref="IsDigitTransposition(string, string)"/>
    public static bool IsDigitTransposition(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        var i = a.CommonPrefixLength(b);
        return i + 1 < a.Length
            && char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(a[i + 1])
            && a[i] == b[i + 1] && a[i + 1] == b[i]
            && a[(i + 2)..].SequenceEqual(b[(i + 2)..]);
    }

    /// <summary>How many days apart two dates are (never negative).</summary>
    public static int DateDifferenceDays(DateOnly a, DateOnly b) => Math.Abs(a.DayNumber - b.DayNumber);

    /// <summary>True when the dates differ by a typing slip: day and month swapped (2023-04-05 / 2023-05-04), or
    /// two adjacent digits of yyyyMMdd swapped (1985-03-12 / 1985-03-21, 1958-03-12 / 1985-03-12).</summary>
    public static bool IsDateTransposition(DateOnly a, DateOnly b)
    {
        if (a == b)
        {
            return false;
        }

        if (a.Year == b.Year && a.Month == b.Day && a.Day == b.Month)
        {
            return true;
        }

        Span<char> first = stackalloc char[8];
        Span<char> second = stackalloc char[8];
        return a.TryFormat(first, out var written, "yyyyMMdd", CultureInfo.InvariantCulture) && written == 8
            && b.TryFormat(second, out written, "yyyyMMdd", CultureInfo.InvariantCulture) && written == 8
            && IsDigitTransposition(first, second);
    }

    /// <summary>|a − b| / max(|a|, |b|): 0 when equal (both 0 too), 1 when one is 0 and the other not, up to 2
    /// for values of opposite sign.</summary>
    public static decimal RelativeDifference(decimal a, decimal b)
    {
        var larger = Math.Max(Math.Abs(a), Math.Abs(b));
        if (larger == 0)
        {
            return 0;
        }

        // Opposite signs: |a − b| = |a| + |b|, which may not fit a decimal; divided term by term it does.
        return Math.Sign(a) * Math.Sign(b) < 0
            ? (Math.Abs(a) / larger) + (Math.Abs(b) / larger)
            : Math.Abs(a - b) / larger;
    }
}
