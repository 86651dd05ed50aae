using System.Collections.Frozen;
using System.Text;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>Traditional → simplified Chinese by OpenCC's tables (<c>Reference/opencc-TS*.txt</c>, Apache 2.0):
/// phrases first, longest match, then single characters; the first value of each entry is the usual one.</summary>
/// <remarks>Most values compared are simplified already, so <see cref="MayChange(char)"/> tells from one bit per BMP
/// character whether a conversion could change anything: a character that is neither a key of the character
/// table nor a character a phrase replaces leaves every phrase and character lookup an identity.</remarks>
internal sealed class TraditionalChinese
{
    private static readonly Lazy<TraditionalChinese> Embedded = new(Load);

    private readonly FrozenDictionary<int, string> _characters;
    private readonly FrozenDictionary<string, string> _phrases;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _phraseLookup;
    private readonly FrozenSet<int> _phraseStarts;
    private readonly ulong[] _bmpTriggers;
    private readonly int _minPhrase;
    private readonly int _maxPhrase;

    private TraditionalChinese(Dictionary<int, string> characters, Dictionary<string, string> phrases)
    {
        _characters = characters.ToFrozenDictionary();
        _phrases = phrases.ToFrozenDictionary(StringComparer.Ordinal);
        _phraseLookup = _phrases.GetAlternateLookup<ReadOnlySpan<char>>();
        _phraseStarts = phrases.Keys.Select(key => char.ConvertToUtf32(key, 0)).ToFrozenSet();
        _minPhrase = phrases.Count == 0 ? 0 : phrases.Keys.Min(key => key.Length);
        _maxPhrase = phrases.Count == 0 ? 0 : phrases.Keys.Max(key => key.Length);
        MaxGrowth = 1;
        _bmpTriggers = new ulong[65536 / 64];
        foreach (var (key, value) in characters)
        {
            AddTrigger(key);
            MaxGrowth = Math.Max(MaxGrowth, value.Length);
        }

        foreach (var (key, value) in phrases)
        {
            MaxGrowth = Math.Max(MaxGrowth, (value.Length + key.Length - 1) / key.Length);
            var keyRunes = key.EnumerateRunes().ToArray();
            var valueRunes = value.EnumerateRunes().ToArray();
            for (var i = 0; i < keyRunes.Length; i++)
            {
                // Same length (OpenCC's phrases are): only the characters replaced matter. Otherwise all of them.
                if (keyRunes.Length != valueRunes.Length || keyRunes[i] != valueRunes[i])
                {
                    AddTrigger(keyRunes[i].Value);
                }
            }
        }
    }

    /// <summary>The shipped tables, loaded once on first use.</summary>
    public static TraditionalChinese Instance => Embedded.Value;

    /// <summary>The most UTF-16 code units one code unit of input can become (a BMP character whose simplified
    /// form lies outside the BMP takes two).</summary>
    public int MaxGrowth { get; }

    /// <summary>True when converting a text holding this (BMP) character could change it. Surrogates answer true:
    /// their code point is only known with the pair.</summary>
    public bool MayChange(char c) => char.IsSurrogate(c) || (_bmpTriggers[c >> 6] & (1UL << (c & 63))) != 0;

    /// <summary>Writes the simplified form of <paramref name="source"/> into <paramref name="destination"/>, which
    /// must hold <c>source.Length * MaxGrowth</c> code units; returns how many were written.</summary>
    public int ToSimplified(ReadOnlySpan<char> source, Span<char> destination)
    {
        var written = 0;
        var i = 0;
        while (i < source.Length)
        {
            var codePoint = CodePointAt(source, i, out var units);
            if (_phraseStarts.Contains(codePoint) && TryPhraseAt(source, i, out var length, out var phrase))
            {
                phrase.CopyTo(destination[written..]);
                written += phrase.Length;
                i += length;
                continue;
            }

            if (_characters.TryGetValue(codePoint, out var simplified))
            {
                simplified.CopyTo(destination[written..]);
                written += simplified.Length;
            }
            else
            {
                source.Slice(i, units).CopyTo(destination[written..]);
                written += units;
            }

            i += units;
        }

        return written;
    }

    private bool TryPhraseAt(ReadOnlySpan<char> source, int start, out int length, out string phrase)
    {
        for (length = Math.Min(_maxPhrase, source.Length - start); length >= _minPhrase; length--)
        {
            if (_phraseLookup.TryGetValue(source.Slice(start, length), out phrase!))
            {
                return true;
            }
        }

        phrase = string.Empty;
        return false;
    }

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate stands for itself.</summary>
    internal static int CodePointAt(ReadOnlySpan<char> text, int index, out int units)
    {
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out units) == System.Buffers.OperationStatus.Done)
        {
            return rune.Value;
        }

        units = 1;
        return text[index];
    }

    private void AddTrigger(int codePoint)
    {
        if (codePoint < 65536)
        {
            _bmpTriggers[codePoint >> 6] |= 1UL << (codePoint & 63);
        }
    }

    private static TraditionalChinese Load()
    {
        var characters = new Dictionary<int, string>();
        foreach (var (key, value) in Entries("opencc-TSCharacters.txt"))
        {
            var codePoint = char.ConvertToUtf32(key, 0);
            if (!string.Equals(key, value, StringComparison.Ordinal))
            {
                characters.TryAdd(codePoint, value);
            }
        }

        var phrases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Entries("opencc-TSPhrases.txt"))
        {
            phrases.TryAdd(key, value);
        }

        return new TraditionalChinese(characters, phrases);
    }

    private static IEnumerable<(string Key, string Value)> Entries(string fileName)
    {
        foreach (var line in EmbeddedText.DataLines(fileName))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0)
            {
                throw new LakeException(LakeErrorKind.Corrupt, $"{fileName}: '{line}' has no tab between key and values.");
            }

            var values = line.AsSpan(tab + 1);
            var space = values.IndexOf(' ');
            var first = (space < 0 ? values : values[..space]).Trim();
            if (first.IsEmpty)
            {
                throw new LakeException(LakeErrorKind.Corrupt, $"{fileName}: '{line}' has no value.");
            }

            yield return (line[..tab], first.ToString());
        }
    }
}
