using System.Buffers;
using System.Text;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>Tone-insensitive pinyin keys of names, so that a name one agency writes in characters and another in
/// pinyin compare equal: <c>张伟</c>, <c>張偉</c>, <c>Zhang Wei</c>, <c>ZHANG wei</c> and <c>zhāng wěi</c> are all
/// <c>zhangwei</c>.</summary>
/// <remarks>The text is first put in <see cref="TextNormaliser"/>'s form (traditional characters simplified,
/// full-width letters folded, spaces and punctuation such as the <c>·</c> of transcribed names removed). Each Han
/// character then gives its most common reading (the first of pinyin.txt), Latin letters lose their tone marks and
/// diacritics, and tone numbers (<c>zhang1</c>) are dropped. ü is spelled <c>v</c> on both sides: <c>吕</c>,
/// <c>lǚ</c>, <c>lü</c>, <c>lu:</c> and <c>lv</c> are all <c>lv</c>; plain <c>lu</c> stays <c>lu</c> (that is
/// 路/卢, and passports spell 吕 <c>lyu</c>, which stays <c>lyu</c>). A character without a reading and letters of
/// other scripts stand for themselves, so they never vanish into a false match.</remarks>
public static class PinyinKey
{
    /// <summary>The most keys <see cref="Keys"/> returns for a name with several heteronyms.</summary>
    public const int MaxKeys = 8;

    private const int StackLimit = 256;

    /// <summary>The key of <paramref name="name"/> from the most common reading of each character; null when the
    /// name is null or holds no letters.</summary>
    public static string? Of(string? name)
    {
        var text = Prepare(name);
        if (text is null)
        {
            return null;
        }

        var capacity = text.Length * PinyinTable.Instance.LongestReading;
        char[]? rented = null;
        var buffer = capacity <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(capacity));
        try
        {
            var written = 0;
            for (var i = 0; i < text.Length;)
            {
                var part = Part(text, ref i, out var readings);
                var spelled = readings is null ? part : readings[0].AsSpan();
                spelled.CopyTo(buffer[written..]);
                written += spelled.Length;
            }

            return written == 0 ? null : new string(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Every key of <paramref name="name"/> over the readings of its heteronyms (<c>单</c> is dan, chan or
    /// shan; <c>曾</c> ceng or zeng), the most common readings first and <see cref="Of"/>'s key first of all, at
    /// most <see cref="MaxKeys"/>; empty when the name has no key.</summary>
    public static IReadOnlyList<string> Keys(string? name)
    {
        var text = Prepare(name);
        if (text is null)
        {
            return [];
        }

        List<string> keys = [string.Empty];
        var common = new StringBuilder();
        for (var i = 0; i < text.Length;)
        {
            var part = Part(text, ref i, out var readings);
            if (readings is null || readings.Length == 1)
            {
                common.Append(readings is null ? part : readings[0]);
                continue;
            }

            // Every key so far with the first reading, then with the second, ... until the cap: the keys from
            // the most common readings survive the cut.
            var next = new List<string>(Math.Min(MaxKeys, keys.Count * readings.Length));
            var between = common.ToString();
            foreach (var reading in readings)
            {
                foreach (var key in keys)
                {
                    if (next.Count == MaxKeys)
                    {
                        break;
                    }

                    next.Add(string.Concat(key, between, reading));
                }
            }

            common.Clear();
            keys = next;
        }

        if (common.Length > 0)
        {
            var tail = common.ToString();
            keys = keys.ConvertAll(key => key + tail);
        }

        return keys[0].Length == 0 ? [] : keys;
    }

    /// <summary>True when the two names share a key: the same most common readings, or the same readings of
    /// their heteronyms (<c>单伟</c> and <c>Shan Wei</c>). False when either has no key.</summary>
    public static bool Matches(string? a, string? b)
    {
        var first = Of(a);
        var second = Of(b);
        if (first is null || second is null)
        {
            return false;
        }

        if (string.Equals(first, second, StringComparison.Ordinal))
        {
            return true;
        }

        var keysOfA = Keys(a);
        var keysOfB = Keys(b);
        if (keysOfA.Count == 1 && keysOfB.Count == 1)
        {
            return false;
        }

        foreach (var key in keysOfA)
        {
            if (keysOfB.Contains(key, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name in <see cref="TextNormaliser"/>'s form, with <c>u:</c> (ü as typed without the
    /// letter) read as <c>v</c> before the normaliser removes the colon.</summary>
    private static string? Prepare(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (name.Contains("u:", StringComparison.OrdinalIgnoreCase))
        {
            name = name.Replace("u:", "v", StringComparison.OrdinalIgnoreCase);
        }

        return TextNormaliser.Normalise(name);
    }

    /// <summary>The next part of a normalised name from <paramref name="index"/>: a Han character with its
    /// readings, or one Latin letter folded into <c>a-z</c>, or a character standing for itself, or nothing (a
    /// tone number or a combining mark).</summary>
    private static ReadOnlySpan<char> Part(string text, ref int index, out string[]? readings)
    {
        var codePoint = TraditionalChinese.CodePointAt(text, index, out var units);
        var start = index;
        index += units;
        if (PinyinTable.Instance.TryGetReadings(codePoint, out var found))
        {
            readings = found;
            return default;
        }

        readings = null;
        if (units == 2)
        {
            return text.AsSpan(start, 2);
        }

        var c = text[start];
        if (char.IsAsciiDigit(c))
        {
            return default;
        }

        var folded = PinyinLetters.Fold(c);
        if (folded == '\0')
        {
            return default;
        }

        return char.IsAsciiLetterLower(folded) ? Letters.Slice(folded - 'a', 1) : text.AsSpan(start, 1);
    }

    // One string holding every character a fold can produce, so that a folded letter is a slice without allocating.
    private static ReadOnlySpan<char> Letters => "abcdefghijklmnopqrstuvwxyz";
}
