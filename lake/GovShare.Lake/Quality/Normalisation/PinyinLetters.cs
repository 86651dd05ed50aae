using System.Globalization;
using System.Text;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>Latin letters as a tone-insensitive pinyin key spells them: lower case, tone marks and other
/// diacritics removed, and ü (with or without a tone mark) written <c>v</c>, as pinyin keyboards do.</summary>
internal static class PinyinLetters
{
    private const char FirstLatin = '\u00C0';
    private const char LastLatin = '\u024F';
    private const char FirstExtended = '\u1E00';
    private const char LastExtended = '\u1EFF';

    // Built once from the runtime's canonical decompositions: the Latin-1, Extended-A/B and Extended Additional
    // letters cover every tone-marked syllable of pinyin.txt and of typed pinyin.
    private static readonly char[] Latin = Table(FirstLatin, LastLatin);
    private static readonly char[] Extended = Table(FirstExtended, LastExtended);

    /// <summary>The letter <paramref name="c"/> stands for in a key: an ASCII lower-case letter where it has one
    /// (<c>ǚ</c> → <c>v</c>, <c>Ā</c> → <c>a</c>), otherwise the character lower-cased; '\0' for a combining mark,
    /// which a key leaves out.</summary>
    public static char Fold(char c)
    {
        if (c < 0x80)
        {
            return char.ToLowerInvariant(c);
        }

        if (c is >= FirstLatin and <= LastLatin)
        {
            return Latin[c - FirstLatin];
        }

        if (c is >= FirstExtended and <= LastExtended)
        {
            return Extended[c - FirstExtended];
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark ? '\0' : char.ToLowerInvariant(c);
    }

    /// <summary>A reading of pinyin.txt (<c>lǚ</c>) as a key spells it (<c>lv</c>).</summary>
    public static string Toneless(string reading)
    {
        var decomposed = reading.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        for (var i = 0; i < decomposed.Length; i++)
        {
            var c = decomposed[i];
            if (c == '\u0308' && builder.Length > 0 && builder[^1] == 'u')
            {
                builder[^1] = 'v';
            }
            else if (Fold(c) is not '\0' and var folded)
            {
                builder.Append(folded);
            }
        }

        return builder.ToString();
    }

    private static char[] Table(char first, char last)
    {
        var table = new char[last - first + 1];
        for (var c = first; c <= last; c++)
        {
            var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
            var letter = char.ToLowerInvariant(decomposed[0]);
            if (!char.IsAsciiLetterLower(letter))
            {
                table[c - first] = char.ToLowerInvariant(c);
            }
            else if (letter == 'u' && decomposed.Contains('\u0308', StringComparison.Ordinal))
            {
                table[c - first] = 'v';
            }
            else
            {
                table[c - first] = letter;
            }
        }

        return table;
    }
}
