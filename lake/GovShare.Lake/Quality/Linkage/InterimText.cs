using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace GovShare.Lake.Quality.Linkage;

/// <summary>Stand-ins for the shared text library (<c>Quality/Normalisation/</c>), kept to what record linkage needs
/// until that library is merged. Every method has the name and signature of its counterpart there, so that the swap
/// is a find/replace and then deleting this file:
/// <c>InterimText.Normalise</c> → <c>TextNormaliser.Normalise</c>, <c>InterimText.Of</c> → <c>PinyinKey.Of</c>,
/// <c>InterimText.TryParse</c> → <c>DateForms.TryParse</c>, and <c>InterimText.JaroWinkler</c>,
/// <c>DamerauLevenshtein</c>, <c>TokenJaccard</c>, <c>IsDigitTransposition</c>, <c>IsDateTransposition</c> →
/// <c>Similarity.*</c>.</summary>
/// <remarks>What the interim versions do not do: <see cref="Of"/> gives no pinyin (it folds the traditional forms of
/// common name characters only, so a homophone typo such as 张伟/张玮 is not "close" until the real key is in);
/// dates are read in the numeric forms only (no 1985年3月2日 with Chinese numerals).</remarks>
internal static class InterimText
{
    /// <summary>Traditional → simplified for characters common in names (OpenCC's TSCharacters, the name characters
    /// whose forms differ).</summary>
    private static readonly FrozenDictionary<char, char> Simplified = new Dictionary<char, char>
    {
        ['張'] = '张', ['劉'] = '刘', ['陳'] = '陈', ['楊'] = '杨', ['黃'] = '黄', ['趙'] = '赵', ['吳'] = '吴', ['孫'] = '孙',
        ['馬'] = '马', ['羅'] = '罗', ['鄭'] = '郑', ['謝'] = '谢', ['許'] = '许', ['韓'] = '韩', ['馮'] = '冯', ['鄧'] = '邓',
        ['蔣'] = '蒋', ['葉'] = '叶', ['蘇'] = '苏', ['呂'] = '吕', ['盧'] = '卢', ['鍾'] = '钟', ['譚'] = '谭', ['陸'] = '陆',
        ['賈'] = '贾', ['韋'] = '韦', ['鄒'] = '邹', ['閆'] = '闫', ['龍'] = '龙', ['賀'] = '贺', ['顧'] = '顾', ['龔'] = '龚',
        ['萬'] = '万', ['錢'] = '钱', ['嚴'] = '严', ['湯'] = '汤', ['喬'] = '乔', ['偉'] = '伟', ['強'] = '强', ['軍'] = '军',
        ['傑'] = '杰', ['濤'] = '涛', ['剛'] = '刚', ['輝'] = '辉', ['鵬'] = '鹏', ['華'] = '华', ['飛'] = '飞', ['凱'] = '凯',
        ['帥'] = '帅', ['寧'] = '宁', ['國'] = '国', ['東'] = '东', ['陽'] = '阳', ['棟'] = '栋', ['慶'] = '庆', ['澤'] = '泽',
        ['軒'] = '轩', ['銘'] = '铭', ['衛'] = '卫', ['長'] = '长', ['發'] = '发', ['紅'] = '红', ['靜'] = '静', ['麗'] = '丽',
        ['艷'] = '艳', ['蘭'] = '兰', ['穎'] = '颖', ['潔'] = '洁', ['悅'] = '悦', ['瑤'] = '瑶', ['鳳'] = '凤', ['雲'] = '云',
        ['蓮'] = '莲', ['詩'] = '诗', ['夢'] = '梦', ['語'] = '语', ['曉'] = '晓', ['亞'] = '亚', ['榮'] = '荣', ['愛'] = '爱',
        ['鄉'] = '乡', ['區'] = '区', ['縣'] = '县', ['號'] = '号', ['樓'] = '楼', ['單'] = '单', ['門'] = '门', ['鎮'] = '镇',
        ['廣'] = '广', ['興'] = '兴', ['學'] = '学', ['園'] = '园', ['關'] = '关', ['開'] = '开', ['豐'] = '丰', ['經'] = '经',
    }.ToFrozenDictionary();

    /// <summary>Full-width forms to ASCII (NFKC), surrounding blanks trimmed and inner runs of blanks made one space;
    /// null for null or blank text.</summary>
    internal static string? Normalise(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var folded = value.Normalize(NormalizationForm.FormKC);
        var text = new StringBuilder(folded.Length);
        var blank = false;
        foreach (var c in folded)
        {
            if (char.IsWhiteSpace(c))
            {
                blank = text.Length > 0;
                continue;
            }

            if (blank)
            {
                text.Append(' ');
                blank = false;
            }

            text.Append(c);
        }

        return text.Length == 0 ? null : text.ToString();
    }

    /// <summary>A key under which two spellings of a name are the same: normalised, lower case, without spaces and
    /// middle dots, traditional name characters folded to simplified. (The shared library's key is the tone-less
    /// pinyin, which also makes homophones and names written in pinyin equal.)</summary>
    internal static string? Of(string? name)
    {
        var text = Normalise(name);
        if (text is null)
        {
            return null;
        }

        var key = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is ' ' or '·' or '•' or '.' or '-')
            {
                continue;
            }

            key.Append(Simplified.TryGetValue(c, out var simple) ? simple : char.ToLowerInvariant(c));
        }

        return key.Length == 0 ? null : key.ToString();
    }

    /// <summary>Reads a date written yyyy-MM-dd, yyyyMMdd, yyyy/M/d or yyyy.M.d (full-width digits too), in the years
    /// 1800–2199.</summary>
    internal static bool TryParse(string? text, out DateOnly date)
    {
        date = default;
        var value = Normalise(text);
        if (value is null)
        {
            return false;
        }

        if (value.Length == 8 && value.All(char.IsAsciiDigit))
        {
            return Make(value[..4], value[4..6], value[6..], out date);
        }

        var parts = value.Split(['-', '/', '.'], StringSplitOptions.None);
        return parts.Length == 3 && parts[0].Length == 4 && parts[1].Length is 1 or 2 && parts[2].Length is 1 or 2
            && Make(parts[0], parts[1], parts[2], out date);
    }

    private static bool Make(string year, string month, string day, out DateOnly date)
    {
        date = default;
        if (!int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(month, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || !int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            || y is < 1800 or > 2199 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return false;
        }

        date = new DateOnly(y, m, d);
        return true;
    }

    /// <summary>Jaro-Winkler similarity (prefix scale 0.1, up to four prefix characters): 1 for equal text, 0 for text
    /// with no character in common.</summary>
    internal static double JaroWinkler(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 1 : 0;
        }

        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 1;
        }

        var window = Math.Max(0, Math.Max(a.Length, b.Length) / 2 - 1);
        Span<bool> aMatched = a.Length <= 256 ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> bMatched = b.Length <= 256 ? stackalloc bool[b.Length] : new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var from = Math.Max(0, i - window);
            var to = Math.Min(b.Length - 1, i + window);
            for (var j = from; j <= to; j++)
            {
                if (!bMatched[j] && a[i] == b[j])
                {
                    aMatched[i] = bMatched[j] = true;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0;
        }

        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!aMatched[i])
            {
                continue;
            }

            while (!bMatched[k])
            {
                k++;
            }

            if (a[i] != b[k])
            {
                transpositions++;
            }

            k++;
        }

        double m = matches;
        var jaro = (m / a.Length + m / b.Length + (m - transpositions / 2.0) / m) / 3;
        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + prefix * 0.1 * (1 - jaro);
    }

    /// <summary>The number of insertions, deletions, substitutions and swaps of two adjacent characters that turn one
    /// text into the other (the optimal-string-alignment form of Damerau-Levenshtein).</summary>
    internal static int DamerauLevenshtein(string a, string b)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, previous2[j - 2] + 1);
                }

                current[j] = best;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length];
    }

    /// <summary>Jaccard similarity of the two texts' word sets: words are split at blanks and punctuation, and a run of
    /// Han characters (written without spaces) counts as its overlapping character pairs. Words are compared by a
    /// 64-bit hash, without allocating: linkage calls this for every compared pair of addresses.</summary>
    internal static double TokenJaccard(string a, string b)
    {
        Span<ulong> left = a.Length <= 256 ? stackalloc ulong[a.Length + 1] : new ulong[a.Length + 1];
        Span<ulong> right = b.Length <= 256 ? stackalloc ulong[b.Length + 1] : new ulong[b.Length + 1];
        var leftCount = Tokens(a, left);
        var rightCount = Tokens(b, right);
        if (leftCount == 0 && rightCount == 0)
        {
            return 1;
        }

        int i = 0, j = 0, shared = 0;
        while (i < leftCount && j < rightCount)
        {
            if (left[i] == right[j])
            {
                shared++;
                i++;
                j++;
            }
            else if (left[i] < right[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (double)shared / (leftCount + rightCount - shared);
    }

    /// <summary>The text's distinct word hashes, sorted, into <paramref name="tokens"/> (at most one per character,
    /// plus one); returns how many.</summary>
    private static int Tokens(string text, Span<ulong> tokens)
    {
        const ulong Offset = 14695981039346656037UL;
        const ulong Prime = 1099511628211UL;
        var count = 0;
        var word = Offset;
        var wordLength = 0;
        var previousHan = '\0';
        var hanRun = 0;
        foreach (var raw in text)
        {
            var c = Fold(raw);
            if (IsHan(c))
            {
                if (wordLength > 0)
                {
                    tokens[count++] = word;
                    (word, wordLength) = (Offset, 0);
                }

                if (hanRun > 0)
                {
                    tokens[count++] = (((Offset ^ previousHan) * Prime) ^ c) * Prime;
                }

                previousHan = c;
                hanRun++;
            }
            else
            {
                if (hanRun == 1)
                {
                    tokens[count++] = (Offset ^ previousHan) * Prime;
                }

                hanRun = 0;
                if (char.IsLetterOrDigit(c))
                {
                    word = (word ^ char.ToLowerInvariant(c)) * Prime;
                    wordLength++;
                }
                else if (wordLength > 0)
                {
                    tokens[count++] = word;
                    (word, wordLength) = (Offset, 0);
                }
            }
        }

        if (hanRun == 1)
        {
            tokens[count++] = (Offset ^ previousHan) * Prime;
        }

        if (wordLength > 0)
        {
            tokens[count++] = word;
        }

        var found = tokens[..count];
        found.Sort();
        var distinct = 0;
        for (var k = 0; k < found.Length; k++)
        {
            if (k == 0 || found[k] != found[k - 1])
            {
                found[distinct++] = found[k];
            }
        }

        return distinct;
    }

    /// <summary>Full-width forms to ASCII and traditional name and address characters to simplified, one character at a time.</summary>
    private static char Fold(char c)
    {
        if (c < '\u3400')
        {
            return c;
        }

        if (c is >= '\uFF01' and <= '\uFF5E')
        {
            return (char)(c - 0xFEE0);
        }

        return Simplified.TryGetValue(c, out var simple) ? simple : c;
    }

    private static bool IsHan(char c) => c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF');

    /// <summary>Whether the texts differ only by two adjacent characters swapped (19850312 / 19853012).</summary>
    internal static bool IsDigitTransposition(string a, string b)
    {
        if (a.Length != b.Length || a.Length < 2)
        {
            return false;
        }

        var first = -1;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i])
            {
                continue;
            }

            if (first >= 0)
            {
                return i == first + 1 && a[first] == b[i] && a[i] == b[first] && a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1));
            }

            first = i;
        }

        return false;
    }

    /// <summary>Whether two dates are one written with two adjacent digits swapped (1985-03-12 / 1985-03-21) or with
    /// day and month swapped (1985-03-12 / 1985-12-03).</summary>
    internal static bool IsDateTransposition(DateOnly a, DateOnly b) =>
        a != b && (IsDigitTransposition(Digits(a), Digits(b)) || (a.Year == b.Year && a.Month == b.Day && a.Day == b.Month));

    private static string Digits(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
