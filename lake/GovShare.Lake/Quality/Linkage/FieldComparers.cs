using System.Globalization;

using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Quality.Linkage;

/// <summary>How two records' values of a field compare. The model estimates how often each level occurs among
/// matches (m) and non-matches (u); a missing value on either side says nothing and weighs 0.</summary>
public enum ComparisonLevel
{
    /// <summary>The values are the same (after normalisation).</summary>
    Exact = 0,

    /// <summary>Not the same, but as near as a typing slip, another spelling or a swap (see <see cref="ComparisonReason"/>).</summary>
    Close = 1,

    /// <summary>The values differ.</summary>
    Different = 2,

    /// <summary>One side or both has no (readable) value.</summary>
    Missing = 3,
}

/// <summary>Why a comparison came out at its level: the words of an explanation.</summary>
public enum ComparisonReason
{
    /// <summary>The same value.</summary>
    Equal,

    /// <summary>Names that read the same (same pinyin, or traditional and simplified forms).</summary>
    SamePinyin,

    /// <summary>Names spelt almost the same (Jaro-Winkler at or above 0.92; the score says how close).</summary>
    SimilarSpelling,

    /// <summary>Two adjacent digits swapped.</summary>
    DigitsTransposed,

    /// <summary>A date with day and month swapped.</summary>
    DayMonthSwapped,

    /// <summary>A date with one digit different.</summary>
    OneDigitDifferent,

    /// <summary>A code with one character added, dropped or replaced.</summary>
    OneCharacterDifferent,

    /// <summary>Text sharing most of its words (the score is the Jaccard share).</summary>
    WordsShared,

    /// <summary>The values differ.</summary>
    Differs,

    /// <summary>One side or both has no value.</summary>
    Missing,
}

/// <summary>The outcome of comparing one field of two records.</summary>
/// <param name="Level">The comparison level the model weighs.</param>
/// <param name="Reason">Why, for the explanation.</param>
/// <param name="Score">The similarity behind a <see cref="ComparisonReason.SimilarSpelling"/> or
/// <see cref="ComparisonReason.WordsShared"/> verdict (0–1); 1 for equal values, 0 otherwise.</param>
public readonly record struct Comparison(ComparisonLevel Level, ComparisonReason Reason, double Score = 0)
{
    internal static readonly Comparison Missing = new(ComparisonLevel.Missing, ComparisonReason.Missing);
    internal static readonly Comparison Equal = new(ComparisonLevel.Exact, ComparisonReason.Equal, 1);
    internal static readonly Comparison Differs = new(ComparisonLevel.Different, ComparisonReason.Differs);
}

/// <summary>A value prepared once for many comparisons: normalised text (null when missing), and per type a key
/// (a name's pinyin key) or a date.</summary>
internal readonly record struct FieldValue(string? Text, string? Key = null, DateOnly Date = default)
{
    public bool IsMissing => Text is null;
}

/// <summary>Prepares and compares the values of one field type.</summary>
internal interface IFieldComparer
{
    /// <summary>The value as comparisons use it; <see cref="FieldValue.Text"/> null when it is blank or unreadable
    /// (a date that is not a date).</summary>
    FieldValue Prepare(string? raw);

    /// <summary>Compares two prepared values.</summary>
    Comparison Compare(in FieldValue left, in FieldValue right);

    /// <summary>The comparers, one per type.</summary>
    public static IFieldComparer For(FieldType type) => type switch
    {
        FieldType.Name => NameComparer.Instance,
        FieldType.Date => DateComparer.Instance,
        FieldType.Code => CodeComparer.Instance,
        _ => TextComparer.Instance,
    };
}

/// <summary>Names: equal after normalisation and case folding; close when the pinyin keys are equal or Jaro-Winkler
/// is at least 0.92 (for Chinese names of two or three characters a changed character is well below that, so only
/// a same-sounding name is close).</summary>
internal sealed class NameComparer : IFieldComparer
{
    public const double CloseSimilarity = 0.92;

    public static readonly NameComparer Instance = new();

    public FieldValue Prepare(string? raw)
    {
        var text = TextNormaliser.Normalise(raw);
        return string.IsNullOrEmpty(text) ? default : new FieldValue(text.ToLowerInvariant(), PinyinKey.Of(text));
    }

    public Comparison Compare(in FieldValue left, in FieldValue right)
    {
        if (left.IsMissing || right.IsMissing)
        {
            return Comparison.Missing;
        }

        if (string.Equals(left.Text, right.Text, StringComparison.Ordinal))
        {
            return Comparison.Equal;
        }

        if (left.Key is not null && string.Equals(left.Key, right.Key, StringComparison.Ordinal))
        {
            return new Comparison(ComparisonLevel.Close, ComparisonReason.SamePinyin, 1);
        }

        var similarity = Similarity.JaroWinkler(left.Text!, right.Text!);
        return similarity >= CloseSimilarity
            ? new Comparison(ComparisonLevel.Close, ComparisonReason.SimilarSpelling, similarity)
            : Comparison.Differs;
    }
}

/// <summary>Dates: equal; close when two adjacent digits or day and month are swapped, or one digit differs; values
/// that are not dates are missing.</summary>
internal sealed class DateComparer : IFieldComparer
{
    public static readonly DateComparer Instance = new();

    public FieldValue Prepare(string? raw) =>
        DateForms.TryParse(raw, out var date)
            ? new FieldValue(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture), Date: date)
            : default;

    public Comparison Compare(in FieldValue left, in FieldValue right)
    {
        if (left.IsMissing || right.IsMissing)
        {
            return Comparison.Missing;
        }

        if (left.Date == right.Date)
        {
            return Comparison.Equal;
        }

        if (Similarity.IsDigitTransposition(left.Text!, right.Text!))
        {
            return new Comparison(ComparisonLevel.Close, ComparisonReason.DigitsTransposed);
        }

        if (Similarity.IsDateTransposition(left.Date, right.Date))
        {
            return new Comparison(ComparisonLevel.Close, ComparisonReason.DayMonthSwapped);
        }

        var differing = 0;
        for (var i = 0; i < 8; i++)
        {
            if (left.Text![i] != right.Text![i])
            {
                differing++;
            }
        }

        return differing == 1 ? new Comparison(ComparisonLevel.Close, ComparisonReason.OneDigitDifferent) : Comparison.Differs;
    }
}

/// <summary>Codes: compared in upper case without blanks and hyphens; close when one edit apart, for codes of four
/// characters or more (a one-character code such as a sex code is either equal or not).</summary>
internal sealed class CodeComparer : IFieldComparer
{
    public const int MinimumCloseLength = 4;

    public static readonly CodeComparer Instance = new();

    public FieldValue Prepare(string? raw)
    {
        var text = TextNormaliser.Normalise(raw);
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        var code = string.Concat(text.Where(c => c is not (' ' or '-'))).ToUpperInvariant();
        return code.Length == 0 ? default : new FieldValue(code);
    }

    public Comparison Compare(in FieldValue left, in FieldValue right)
    {
        if (left.IsMissing || right.IsMissing)
        {
            return Comparison.Missing;
        }

        var a = left.Text!;
        var b = right.Text!;
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return Comparison.Equal;
        }

        if (Math.Min(a.Length, b.Length) < MinimumCloseLength || !MayBeOneEditApart(a, b))
        {
            return Comparison.Differs;
        }

        if (Similarity.IsDigitTransposition(a, b))
        {
            return new Comparison(ComparisonLevel.Close, ComparisonReason.DigitsTransposed);
        }

        return Similarity.DamerauLevenshtein(a, b) <= 1
            ? new Comparison(ComparisonLevel.Close, ComparisonReason.OneCharacterDifferent)
            : Comparison.Differs;
    }

    /// <summary>A quick necessary condition for one edit: without their common start and end, neither code has more
    /// than two characters left. Most compared pairs have unrelated codes, and the edit distance is the costly part.</summary>
    private static bool MayBeOneEditApart(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 1)
        {
            return false;
        }

        var prefix = a.AsSpan().CommonPrefixLength(b);
        var shorter = Math.Min(a.Length, b.Length);
        var suffix = 0;
        while (suffix < shorter - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        return a.Length - prefix - suffix <= 2 && b.Length - prefix - suffix <= 2;
    }
}

/// <summary>Free text: equal after normalisation and case folding; close when the word sets' Jaccard share is at
/// least 0.6.</summary>
internal sealed class TextComparer : IFieldComparer
{
    public const double CloseOverlap = 0.6;

    public static readonly TextComparer Instance = new();

    public FieldValue Prepare(string? raw)
    {
        var text = TextNormaliser.Normalise(raw);
        return string.IsNullOrEmpty(text) ? default : new FieldValue(text.ToLowerInvariant());
    }

    public Comparison Compare(in FieldValue left, in FieldValue right)
    {
        if (left.IsMissing || right.IsMissing)
        {
            return Comparison.Missing;
        }

        if (string.Equals(left.Text, right.Text, StringComparison.Ordinal))
        {
            return Comparison.Equal;
        }

        var overlap = Similarity.TokenJaccard(left.Text!, right.Text!);
        return overlap >= CloseOverlap ? new Comparison(ComparisonLevel.Close, ComparisonReason.WordsShared, overlap) : Comparison.Differs;
    }
}
