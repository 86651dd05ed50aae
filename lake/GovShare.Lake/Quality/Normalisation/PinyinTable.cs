using System.Collections.Frozen;
using System.Globalization;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>The pinyin readings of Han characters (<c>Reference/pinyin.txt</c>, mozillazg/pinyin-data, MIT), tone
/// marks removed and ü written <c>v</c>; the most common reading first, readings that differ only in tone merged.</summary>
internal sealed class PinyinTable
{
    private static readonly Lazy<PinyinTable> Embedded = new(Load);

    private readonly FrozenDictionary<int, string[]> _readings;

    private PinyinTable(FrozenDictionary<int, string[]> readings)
    {
        _readings = readings;
        LongestReading = readings.Values.SelectMany(r => r).Max(r => r.Length);
    }

    /// <summary>The shipped table, loaded once on first use.</summary>
    public static PinyinTable Instance => Embedded.Value;

    /// <summary>The length of the longest reading (<c>zhuang</c>: 6).</summary>
    public int LongestReading { get; }

    /// <summary>The distinct tone-less readings of a character, most common first; false when it has none.</summary>
    public bool TryGetReadings(int codePoint, out string[] readings) =>
        _readings.TryGetValue(codePoint, out readings!);

    private static PinyinTable Load()
    {
        const string fileName = "pinyin.txt";
        var syllables = new Dictionary<string, string>(StringComparer.Ordinal);
        var readings = new Dictionary<int, string[]>();
        foreach (var line in EmbeddedText.DataLines(fileName))
        {
            // U+5355: dān,chán,shàn  # 单
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (!line.StartsWith("U+", StringComparison.Ordinal) || colon < 0 || hash < colon
                || !int.TryParse(line.AsSpan(2, colon - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var codePoint))
            {
                throw new LakeException(LakeErrorKind.Corrupt, $"{fileName}: '{line}' is not 'U+XXXX: readings  # character'.");
            }

            var distinct = new List<string>(2);
            foreach (var reading in line[(colon + 1)..hash].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var toneless = PinyinLetters.Toneless(reading);
                if (!syllables.TryGetValue(toneless, out var shared))
                {
                    syllables.Add(toneless, shared = toneless);
                }

                if (!distinct.Contains(shared))
                {
                    distinct.Add(shared);
                }
            }

            if (distinct.Count > 0)
            {
                readings[codePoint] = [.. distinct];
            }
        }

        return new PinyinTable(readings.ToFrozenDictionary());
    }
}
