// TEMPORARY: stands in for lake/GovShare.Lake/Quality/Normalisation until that library is merged. Delete on merge.
using System.Globalization;
using System.Text;
using GovShare.Lake.Divisions;

namespace GovShare.Lake.Quality.Normalisation;

internal static class TextNormaliser
{
    public static string? Normalise(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var s = value.Normalize(NormalizationForm.FormKC);
        var b = new StringBuilder();
        foreach (var c in s) if (!char.IsWhiteSpace(c) && !char.IsPunctuation(c)) b.Append(char.ToLowerInvariant(c));
        return b.ToString();
    }
}

internal static class PinyinKey
{
    public static bool Matches(string? a, string? b) => TextNormaliser.Normalise(a) == TextNormaliser.Normalise(b);
}

internal sealed record AddressParts(string? DivisionCode, string? Rest)
{
    public static AddressParts Split(string? address, DivisionRegistry divisions)
    {
        var n = TextNormaliser.Normalise(address) ?? "";
        foreach (var p in new[] { "河南省", "河南" }) if (n.StartsWith(p, StringComparison.Ordinal)) n = n[p.Length..];
        foreach (var p in new[] { "郑州市", "郑州" }) if (n.StartsWith(p, StringComparison.Ordinal)) return new("4101", n[p.Length..]);
        return new(null, n);
    }
}

internal static class DateForms
{
    public static bool TryParse(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text ?? "", ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

internal static class Similarity
{
    public static double JaroWinkler(string a, string b)
    {
        if (a.Length == 0 && b.Length == 0) return 1;
        if (a.Length == 0 || b.Length == 0) return 0;
        var range = Math.Max(0, Math.Max(a.Length, b.Length) / 2 - 1);
        var ma = new bool[a.Length]; var mb = new bool[b.Length]; var m = 0;
        for (var i = 0; i < a.Length; i++)
            for (var j = Math.Max(0, i - range); j < Math.Min(b.Length, i + range + 1); j++)
                if (!mb[j] && a[i] == b[j]) { ma[i] = mb[j] = true; m++; break; }
        if (m == 0) return 0;
        var t = 0; var k = 0;
        for (var i = 0; i < a.Length; i++) if (ma[i]) { while (!mb[k]) k++; if (a[i] != b[k]) t++; k++; }
        var jaro = (m / (double)a.Length + m / (double)b.Length + (m - t / 2.0) / m) / 3;
        var l = 0; while (l < Math.Min(4, Math.Min(a.Length, b.Length)) && a[l] == b[l]) l++;
        return jaro + l * 0.1 * (1 - jaro);
    }

    public static int DamerauLevenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    public static double NormalisedDamerauLevenshtein(string a, string b) => Math.Max(a.Length, b.Length) == 0 ? 1 : 1 - DamerauLevenshtein(a, b) / (double)Math.Max(a.Length, b.Length);

    public static double TokenJaccard(string a, string b)
    {
        static HashSet<string> Grams(string s) { var h = new HashSet<string>(); for (var i = 0; i + 1 < s.Length; i++) h.Add(s.Substring(i, 2)); if (s.Length == 1) h.Add(s); return h; }
        var x = Grams(a); var y = Grams(b);
        if (x.Count + y.Count == 0) return 1;
        var inter = x.Count(y.Contains);
        return inter / (double)(x.Count + y.Count - inter);
    }

    public static bool IsDigitTransposition(string a, string b)
    {
        if (a.Length != b.Length) return false;
        var diffs = Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToList();
        return diffs.Count == 2 && diffs[1] == diffs[0] + 1 && char.IsDigit(a[diffs[0]]) && a[diffs[0]] == b[diffs[1]] && a[diffs[1]] == b[diffs[0]];
    }

    public static int DateDifferenceDays(DateOnly a, DateOnly b) => a.DayNumber - b.DayNumber;

    public static bool IsDateTransposition(DateOnly a, DateOnly b) =>
        (a.Day <= 12 && a.Month == b.Day && a.Day == b.Month && a.Year == b.Year) ||
        IsDigitTransposition(a.ToString("yyyyMMdd", CultureInfo.InvariantCulture), b.ToString("yyyyMMdd", CultureInfo.InvariantCulture));

    public static double RelativeDifference(decimal a, decimal b) => a == 0 && b == 0 ? 0 : (double)(Math.Abs(a - b) / Math.Max(Math.Abs(a), Math.Abs(b)));
}
