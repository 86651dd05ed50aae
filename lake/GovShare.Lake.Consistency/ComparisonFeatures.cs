using System.Globalization;
using GovShare.Lake.Divisions;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Consistency;

/// <summary>One comparison feature: its name, and how it reads in a reviewer's explanation.</summary>
/// <param name="Name">The feature's name (<c>jaro_winkler</c>).</param>
/// <param name="Zh">What it measures, in Chinese.</param>
/// <param name="En">What it measures, in English.</param>
public sealed record FeatureInfo(string Name, string Zh, string En);

/// <summary>The comparison features of two providers' values of one attribute: what the classifier sees. Values a feature
/// does not apply to (a date difference of two names) are −1.</summary>
public static class ComparisonFeatures
{
    /// <summary>The features, in vector order.</summary>
    public static IReadOnlyList<FeatureInfo> All { get; } =
    [
        new("exact", "原值完全相同", "identical as delivered"),
        new("normalised_equal", "规范化后相同", "equal after normalisation"),
        new("jaro_winkler", "字符相似度（Jaro-Winkler）", "character similarity (Jaro-Winkler)"),
        new("edit_distance", "编辑距离（Damerau-Levenshtein）", "edit distance (Damerau-Levenshtein)"),
        new("edit_similarity", "编辑相似度", "edit similarity"),
        new("token_jaccard", "词元重合度（Jaccard）", "token overlap (Jaccard)"),
        new("pinyin_equal", "拼音相同", "same pinyin"),
        new("division_equal", "行政区划相同", "same administrative division"),
        new("address_rest_equal", "区划以下地址相同", "same address below the division"),
        new("address_rest_similarity", "区划以下地址相似度", "similarity of the address below the division"),
        new("date_difference", "日期相差天数（对数）", "days between the dates (log)"),
        new("date_transposition", "日期数字互换", "date digits swapped"),
        new("digit_transposition", "相邻数字互换", "two adjacent digits swapped"),
        new("numeric_difference", "数值相对差", "relative numeric difference"),
        new("one_side_missing", "一方缺失", "missing on one side"),
        new("containment", "一方包含另一方", "one value contains the other"),
        new("length_difference", "长度差", "difference in length"),
        new("rarity_a", "甲方取值罕见程度", "how rare the first value is"),
        new("rarity_b", "乙方取值罕见程度", "how rare the second value is"),
        new("pair_share", "同一取值对的普遍程度", "how systematic this pair of values is between the two providers"),
        new("digits_equal", "所含数字相同", "the same digits in the same order"),
        new("kind_name", "属性类型：名称", "attribute kind: name"),
        new("kind_address", "属性类型：地址", "attribute kind: address"),
        new("kind_date", "属性类型：日期", "attribute kind: date"),
        new("kind_number", "属性类型：数值", "attribute kind: number"),
        new("kind_code", "属性类型：代码", "attribute kind: code"),
        new("kind_enumeration", "属性类型：枚举", "attribute kind: enumeration"),
        new("kind_text", "属性类型：文本", "attribute kind: text"),
    ];

    /// <summary>How many features a vector has.</summary>
    public static int Count => All.Count;

    /// <summary>The division addresses are read within when they name no province or city: Zhengzhou (410100), the city this
    /// deployment serves.</summary>
    public const string ContextCode = "410100";

    /// <summary>The index of the first attribute-kind feature; they describe the attribute, not the values, and are never
    /// given as a reason.</summary>
    public static int FirstKindFeature { get; } = 21;

    /// <summary>The features of a pair.</summary>
    /// <param name="pair">The values.</param>
    /// <param name="pairShare">The share of the first provider's records holding the first value whose key holds the
    /// second value at the second provider (1: the providers code this value differently every time).</param>
    /// <param name="divisions">The division codes, for addresses.</param>
    public static float[] Compute(ValuePair pair, double pairShare, DivisionRegistry divisions)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var features = new float[Count];
        var a = pair.ValueA;
        var b = pair.ValueB;
        features[FirstKindFeature + (int)pair.Kind] = 1;
        features[17] = Rarity(pair.FrequencyA, pair.RowsA);
        features[18] = Rarity(pair.FrequencyB, pair.RowsB);
        features[19] = (float)pairShare;
        if (a is null || b is null)
        {
            features[0] = a == b ? 1 : 0;
            features[14] = a == b ? 0 : 1;
            for (var i = 1; i <= 13; i++)
            {
                features[i] = -1;
            }

            features[15] = -1;
            features[16] = -1;
            features[20] = -1;
            return features;
        }

        features[0] = string.Equals(a, b, StringComparison.Ordinal) ? 1 : 0;
        var na = TextNormaliser.Normalise(a) ?? "";
        var nb = TextNormaliser.Normalise(b) ?? "";
        features[1] = string.Equals(na, nb, StringComparison.Ordinal) ? 1 : 0;
        features[2] = (float)Similarity.JaroWinkler(na, nb);
        features[3] = Similarity.DamerauLevenshtein(na, nb);
        features[4] = (float)Similarity.NormalisedDamerauLevenshtein(na, nb);
        features[5] = (float)Similarity.TokenJaccard(na, nb);
        features[6] = pair.Kind == AttributeKind.Name ? (PinyinKey.Matches(a, b) ? 1 : 0) : -1;
        if (pair.Kind == AttributeKind.Address)
        {
            // Zhengzhou's code as the context: a bare county name (金水区) is read as the city's.
            var pa = AddressParts.Split(a, divisions, ContextCode);
            var pb = AddressParts.Split(b, divisions, ContextCode);
            features[7] = pa.DivisionCode is null || pb.DivisionCode is null ? 0.5f
                : AddressParts.Compatible(pa.DivisionCode, pb.DivisionCode) ? 1 : 0;
            features[8] = string.Equals(pa.Rest, pb.Rest, StringComparison.Ordinal) ? 1 : 0;
            features[9] = (float)Similarity.JaroWinkler(pa.Rest ?? "", pb.Rest ?? "");
        }
        else
        {
            features[7] = features[8] = features[9] = -1;
        }

        if (DateForms.TryParse(a, out var da) && DateForms.TryParse(b, out var db))
        {
            features[10] = (float)Math.Log(1 + Math.Abs(Similarity.DateDifferenceDays(da, db)));
            features[11] = Similarity.IsDateTransposition(da, db) ? 1 : 0;
        }
        else
        {
            features[10] = features[11] = -1;
        }

        features[12] = Similarity.IsDigitTransposition(na, nb) ? 1 : 0;
        features[13] = decimal.TryParse(na, NumberStyles.Number, CultureInfo.InvariantCulture, out var xa)
            && decimal.TryParse(nb, NumberStyles.Number, CultureInfo.InvariantCulture, out var xb)
            ? (float)Similarity.RelativeDifference(xa, xb) : -1;
        features[15] = na.Length > 0 && nb.Length > 0 && (na.Contains(nb, StringComparison.Ordinal) || nb.Contains(na, StringComparison.Ordinal)) ? 1 : 0;
        features[16] = Math.Max(na.Length, nb.Length) == 0 ? 0 : (float)Math.Abs(na.Length - nb.Length) / Math.Max(na.Length, nb.Length);

        // A house number or a date is its digits: a changed digit is another address or day, a changed character is a typo.
        features[20] = !na.Any(char.IsAsciiDigit) && !nb.Any(char.IsAsciiDigit) ? -1
            : na.Where(char.IsAsciiDigit).SequenceEqual(nb.Where(char.IsAsciiDigit)) ? 1 : 0;
        return features;
    }

    /// <summary>The features two values would have if they were identical: the reference a reason is measured against.</summary>
    public static float[] Identical(ValuePair pair, DivisionRegistry divisions)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var value = pair.ValueA ?? pair.ValueB;
        return Compute(pair with { ValueA = value, ValueB = value, FrequencyB = pair.FrequencyA, RowsB = pair.RowsA }, 1, divisions);
    }

    // −log10 of the value's share of the provider's records: 0 for a value every record holds, about 7 for one in ten million.
    private static float Rarity(long frequency, long rows) =>
        rows <= 0 ? 0 : (float)-Math.Log10((frequency + 1.0) / (rows + 1.0));
}
