using FsCheck.Xunit;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class SimilarityTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.840)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    [InlineData("JELLYFISH", "SMELLYFISH", 0.896)]
    public void JaroWinkler_Should_GiveTheTextbookValues(string a, string b, double expected)
    {
        Assert.Equal(expected, Similarity.JaroWinkler(a, b), 3);
        Assert.Equal(expected, Similarity.JaroWinkler(b, a), 3);
    }

    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.944)]
    [InlineData("DWAYNE", "DUANE", 0.822)]
    [InlineData("DIXON", "DICKSONX", 0.767)]
    public void Jaro_Should_GiveTheTextbookValues(string a, string b, double expected)
    {
        Assert.Equal(expected, Similarity.Jaro(a, b), 3);
    }

    [Fact]
    public void JaroWinkler_Should_HandleEdgeCases()
    {
        Assert.Equal(1.0, Similarity.JaroWinkler("", ""));
        Assert.Equal(0.0, Similarity.JaroWinkler("", "abc"));
        Assert.Equal(0.0, Similarity.JaroWinkler("abc", "xyz"));
        Assert.Equal(1.0, Similarity.JaroWinkler("张伟", "张伟"));
        Assert.True(Similarity.JaroWinkler("郑州市金水区", "郑州市金水路") > 0.9);
        Assert.InRange(Similarity.JaroWinkler(new string('a', 300) + "b", new string('a', 300) + "c"), 0.99, 1.0);
    }

    [Theory]
    [InlineData("CA", "ABC", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("", "", 0)]
    [InlineData("410105", "411005", 1)]
    [InlineData("张伟", "张玮", 1)]
    [InlineData("abcdef", "badcfe", 3)]
    public void DamerauLevenshtein_Should_GiveTheOptimalStringAlignmentDistance(string a, string b, int expected)
    {
        Assert.Equal(expected, Similarity.DamerauLevenshtein(a, b));
        Assert.Equal(expected, Similarity.DamerauLevenshtein(b, a));
    }

    [Property(MaxTest = 300)]
    public bool DamerauLevenshtein_Should_AgreeWithTheFullMatrix(string? a, string? b)
    {
        a ??= "";
        b ??= "";
        return Similarity.DamerauLevenshtein(a, b) == FullMatrixOsa(a, b);
    }

    [Fact]
    public void DamerauLevenshtein_Should_AgreeWithTheFullMatrix_When_BeyondTheStackBuffer()
    {
        var random = new Random(8);
        for (var run = 0; run < 20; run++)
        {
            var a = new string([.. Enumerable.Range(0, 120 + random.Next(60)).Select(_ => (char)('a' + random.Next(4)))]);
            var b = new string([.. Enumerable.Range(0, 120 + random.Next(60)).Select(_ => (char)('a' + random.Next(4)))]);
            Assert.Equal(FullMatrixOsa(a, b), Similarity.DamerauLevenshtein(a, b));
        }
    }

    [Theory]
    [InlineData("abcd", "abcd", 1.0)]
    [InlineData("abcd", "abdc", 0.75)]
    [InlineData("abcd", "wxyz", 0.0)]
    [InlineData("", "", 1.0)]
    [InlineData("ab", "", 0.0)]
    public void NormalisedDamerauLevenshtein_Should_BeOneMinusDistanceOverTheLongerLength(string a, string b, double expected)
    {
        Assert.Equal(expected, Similarity.NormalisedDamerauLevenshtein(a, b), 10);
    }

    [Theory]
    [InlineData("郑州市金水区", "郑州市金水区", 1.0)]
    [InlineData("金水区花园路", "花园路金水区", 0.667)] // 金水 水区 区花 花园 园路 and 花园 园路 路金 金水 水区: 4 shared of 6
    [InlineData("张伟", "张玮", 0.0)]
    [InlineData("Zhengzhou Data Bureau", "data bureau of zhengzhou", 0.75)]
    [InlineData("", "", 1.0)]
    [InlineData("张", "张", 1.0)]
    [InlineData("A座101", "a座 101", 1.0)]
    public void TokenJaccard_Should_CompareBigramsAndWords(string a, string b, double expected)
    {
        Assert.Equal(expected, Similarity.TokenJaccard(a, b), 3);
    }

    [Property(MaxTest = 300)]
    public bool TokenJaccard_Should_AgreeWithAStringSetImplementation(string? a, string? b)
    {
        var left = Mixed(a ?? "");
        var right = Mixed(b ?? "");
        return Math.Abs(Similarity.TokenJaccard(left, right) - ReferenceJaccard(left, right)) < 1e-12;
    }

    [Theory]
    [InlineData("410105", "411005", true)]
    [InlineData("12345", "12354", true)]
    [InlineData("21", "12", true)]
    [InlineData("410105", "410105", false)]
    [InlineData("410105", "401015", false)]
    [InlineData("12345", "1234", false)]
    [InlineData("ab", "ba", false)]
    [InlineData("1a", "a1", false)]
    [InlineData("12345", "13245X", false)]
    [InlineData("", "", false)]
    public void IsDigitTransposition_Should_AcceptExactlyTwoAdjacentDigitsSwapped(string a, string b, bool expected)
    {
        Assert.Equal(expected, Similarity.IsDigitTransposition(a, b));
    }

    [Fact]
    public void DateDifferenceDays_Should_CountDaysEitherWay()
    {
        Assert.Equal(365, Similarity.DateDifferenceDays(new DateOnly(2023, 1, 1), new DateOnly(2024, 1, 1)));
        Assert.Equal(365, Similarity.DateDifferenceDays(new DateOnly(2024, 1, 1), new DateOnly(2023, 1, 1)));
        Assert.Equal(0, Similarity.DateDifferenceDays(new DateOnly(2024, 2, 29), new DateOnly(2024, 2, 29)));
    }

    [Theory]
    [InlineData("1985-04-05", "1985-05-04", true)]  // day and month swapped
    [InlineData("1985-03-12", "1985-03-21", true)]  // the day's digits
    [InlineData("1958-03-12", "1985-03-12", true)]  // the year's last digits
    [InlineData("1985-10-01", "1985-01-01", true)]  // the month's digits (10 → 01)
    [InlineData("1985-03-12", "1985-03-12", false)]
    [InlineData("1985-03-12", "1985-03-13", false)]
    [InlineData("1985-04-05", "1986-05-04", false)]
    public void IsDateTransposition_Should_RecogniseTypingSlips(string a, string b, bool expected)
    {
        Assert.Equal(expected, Similarity.IsDateTransposition(DateOnly.Parse(a, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(b, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("0", "0", "0")]
    [InlineData("100", "100", "0")]
    [InlineData("100", "90", "0.1")]
    [InlineData("90", "100", "0.1")]
    [InlineData("0", "5", "1")]
    [InlineData("-50", "50", "2")]
    public void RelativeDifference_Should_DivideByTheLargerMagnitude(string a, string b, string expected)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(D(expected), Similarity.RelativeDifference(D(a), D(b)));
    }

    [Fact]
    public void RelativeDifference_Should_NotOverflow_When_ExtremesOfOppositeSign()
    {
        Assert.Equal(2m, Similarity.RelativeDifference(decimal.MaxValue, decimal.MinValue));
    }

    /// <summary>The textbook recurrence over the whole (|a|+1)×(|b|+1) matrix.</summary>
    private static int FullMatrixOsa(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Maps arbitrary generated text onto a small alphabet of Han characters, Latin letters, digits and
    /// separators, so that random strings share tokens.</summary>
    private static string Mixed(string generated) =>
        new([.. generated.Select(c => Alphabet[c % Alphabet.Length])]);

    private const string Alphabet = "张伟金水区abA1 ,";

    private static double ReferenceJaccard(string a, string b)
    {
        var first = ReferenceTokens(a);
        var second = ReferenceTokens(b);
        var union = first.Union(second).Count();
        return union == 0 ? 1 : (double)first.Intersect(second).Count() / union;
    }

    private static HashSet<string> ReferenceTokens(string text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var runs = System.Text.RegularExpressions.Regex.Matches(text, @"\p{IsCJKUnifiedIdeographs}+|[\p{L}\p{Nd}-[\p{IsCJKUnifiedIdeographs}]]+");
        foreach (System.Text.RegularExpressions.Match run in runs)
        {
            var value = run.Value;
            if (!char.IsAsciiLetterOrDigit(value[0]))
            {
                if (value.Length == 1)
                {
                    tokens.Add("1:" + value);
                }

                for (var i = 0; i + 1 < value.Length; i++)
                {
                    tokens.Add("2:" + value.Substring(i, 2));
                }
            }
            else
            {
                tokens.Add("w:" + value.ToLowerInvariant());
            }
        }

        return tokens;
    }
}
