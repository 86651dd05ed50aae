using System.Globalization;

namespace GovShare.Lake.Quality.Linkage;

/// <summary>A linked pair's match weight in plain words, field by field, in Chinese or English: what a reviewer reads
/// to judge a link without knowing Fellegi-Sunter.</summary>
public static class LinkageExplanation
{
    /// <summary>Every field's verdict and its share of the weight, largest first, missing fields last:
    /// <c>姓名 agrees (+9.1), 出生日期 close: digits transposed (+4.2), 地址 differs (−2.3)</c>, or in Chinese
    /// <c>姓名 一致（+9.1）；出生日期 相近：数字颠倒（+4.2）；地址 不同（−2.3）</c>.</summary>
    public static string Explain(LinkedPair pair, bool english) => english
        ? string.Join(", ", pair.Contributions.Select(c => $"{c.Field} {English(c.Comparison)} ({Signed(c.Weight, '−')})"))
        : string.Join("；", pair.Contributions.Select(c => $"{c.Field} {Chinese(c.Comparison)}（{Signed(c.Weight, '−')}）"));

    /// <summary>The fields that carried weight, largest first, as a CSV cell: <c>姓名 +9.1; 出生日期 +4.2; 地址 -2.3</c>
    /// (missing fields, which weigh nothing, are left out).</summary>
    public static string TopFields(LinkedPair pair) => string.Join("; ", pair.Contributions
        .Where(c => c.Comparison.Level != ComparisonLevel.Missing)
        .Select(c => $"{c.Field} {Signed(c.Weight, '-')}"));

    /// <summary>A weight with one decimal and its sign: +9.1, −2.3, 0.</summary>
    private static string Signed(double weight, char minus) =>
        weight.ToString("+0.0;" + minus + "0.0;0", CultureInfo.InvariantCulture);

    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);

    private static string Score(double score) => score.ToString("0.00", CultureInfo.InvariantCulture);

    private static string English(Comparison comparison) => comparison.Reason switch
    {
        ComparisonReason.Equal => "agrees",
        ComparisonReason.SamePinyin => "close: same pinyin",
        ComparisonReason.SimilarSpelling => $"close: similar spelling (Jaro-Winkler {Score(comparison.Score)})",
        ComparisonReason.DigitsTransposed => "close: digits transposed",
        ComparisonReason.DayMonthSwapped => "close: day and month swapped",
        ComparisonReason.OneDigitDifferent => "close: one digit differs",
        ComparisonReason.OneCharacterDifferent => "close: one character differs",
        ComparisonReason.WordsShared => $"close: {Percent(comparison.Score)} of words shared",
        ComparisonReason.Differs => "differs",
        _ => "missing",
    };

    private static string Chinese(Comparison comparison) => comparison.Reason switch
    {
        ComparisonReason.Equal => "一致",
        ComparisonReason.SamePinyin => "相近：读音相同",
        ComparisonReason.SimilarSpelling => $"相近：写法相似（Jaro-Winkler {Score(comparison.Score)}）",
        ComparisonReason.DigitsTransposed => "相近：相邻数字颠倒",
        ComparisonReason.DayMonthSwapped => "相近：日、月颠倒",
        ComparisonReason.OneDigitDifferent => "相近：一位数字不同",
        ComparisonReason.OneCharacterDifferent => "相近：一个字符不同",
        ComparisonReason.WordsShared => $"相近：{Percent(comparison.Score)} 的词相同",
        ComparisonReason.Differs => "不同",
        _ => "缺失",
    };
}
