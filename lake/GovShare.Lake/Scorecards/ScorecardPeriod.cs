using System.Globalization;
using System.Text.RegularExpressions;

namespace GovShare.Lake.Scorecards;

/// <summary>A scorecard's period in China time: a year (<c>2026</c>), a quarter (<c>2026-Q3</c>) or a month (<c>2026-07</c>).</summary>
/// <param name="Name">As written.</param>
/// <param name="From">Its first instant (midnight China time).</param>
/// <param name="To">The instant after it.</param>
public sealed partial record ScorecardPeriod(string Name, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>Reads a period; null with the problem when the text is none of the three forms.</summary>
    public static ScorecardPeriod? Parse(string? text, out string? problem)
    {
        problem = null;
        var match = Form().Match(text ?? "");
        if (!match.Success)
        {
            problem = $"the period '{text}' is not a year (2026), a quarter (2026-Q3) or a month (2026-07).";
            return null;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (year is < 2000 or > 2100)
        {
            problem = $"the period's year {year} is outside 2000-2100.";
            return null;
        }

        var start = new DateTimeOffset(year, 1, 1, 0, 0, 0, ChinaTime.Offset);
        if (match.Groups["quarter"].Success)
        {
            var quarter = int.Parse(match.Groups["quarter"].Value, CultureInfo.InvariantCulture);
            var from = start.AddMonths((quarter - 1) * 3);
            return new ScorecardPeriod($"{year}-Q{quarter}", from, from.AddMonths(3));
        }

        if (match.Groups["month"].Success)
        {
            var month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
            if (month is < 1 or > 12)
            {
                problem = $"the period '{text}' names month {month}; months are 01 to 12.";
                return null;
            }

            var from = start.AddMonths(month - 1);
            return new ScorecardPeriod(string.Create(CultureInfo.InvariantCulture, $"{year}-{month:00}"), from, from.AddMonths(1));
        }

        return new ScorecardPeriod(year.ToString(CultureInfo.InvariantCulture), start, start.AddYears(1));
    }

    [GeneratedRegex(@"^(?<year>[0-9]{4})(-Q(?<quarter>[1-4])|-(?<month>[0-9]{2}))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Form();
}
