namespace GovShare.Lake.Quality.Normalisation;

/// <summary>The tokens of <see cref="Similarity.TokenJaccard(ReadOnlySpan{char}, ReadOnlySpan{char})"/> as 64-bit
/// codes: the top two bits tell the kind (00 word, 01 lone Han character, 10 Han bigram), so kinds never collide.</summary>
internal static class Tokens
{
    private const ulong HanCharacter = 1UL << 62;
    private const ulong HanBigram = 2UL << 62;
    private const ulong WordMask = (1UL << 62) - 1;

    /// <summary>Writes the tokens of <paramref name="text"/> (at most one per code unit) and returns how many.</summary>
    public static int Write(ReadOnlySpan<char> text, Span<ulong> tokens)
    {
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            var codePoint = TraditionalChinese.CodePointAt(text, i, out var units);
            if (IsHan(codePoint))
            {
                // A run of Han characters: each adjacent pair, or the character itself when it stands alone.
                var previous = -1;
                var runLength = 0;
                while (i < text.Length && IsHan(codePoint = TraditionalChinese.CodePointAt(text, i, out units)))
                {
                    if (previous >= 0)
                    {
                        tokens[count++] = HanBigram | ((ulong)(uint)previous << 21) | (uint)codePoint;
                    }

                    previous = codePoint;
                    runLength++;
                    i += units;
                }

                if (runLength == 1)
                {
                    tokens[count++] = HanCharacter | (uint)previous;
                }
            }
            else if (char.IsLetterOrDigit(text[i]))
            {
                var hash = 14695981039346656037UL;
                while (i < text.Length && char.IsLetterOrDigit(text[i]) && !IsHan(TraditionalChinese.CodePointAt(text, i, out units)))
                {
                    hash = (hash ^ char.ToLowerInvariant(text[i])) * 1099511628211UL;
                    i++;
                }

                tokens[count++] = hash & WordMask;
            }
            else
            {
                i += units;
            }
        }

        return count;
    }

    /// <summary>Sorts the tokens and keeps each once; returns the distinct ones.</summary>
    public static Span<ulong> Distinct(Span<ulong> tokens)
    {
        tokens.Sort();
        var kept = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (kept == 0 || tokens[kept - 1] != tokens[i])
            {
                tokens[kept++] = tokens[i];
            }
        }

        return tokens[..kept];
    }

    /// <summary>CJK Unified Ideographs and their extensions, compatibility ideographs and 〇.</summary>
    private static bool IsHan(int codePoint) => codePoint
        is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0xF900 and <= 0xFAFF) or 0x3007
        or (>= 0x20000 and <= 0x323AF);
}
