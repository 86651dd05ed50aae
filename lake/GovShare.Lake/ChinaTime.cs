namespace GovShare.Lake;

/// <summary>China Standard Time (UTC+8, no daylight saving since 1991): the clock that birth dates,
/// deadlines and "today" are reckoned in, whatever time zone the server runs in.</summary>
public static class ChinaTime
{
    /// <summary>The offset of China Standard Time from UTC.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>China Standard Time as a time zone (UTC+8 all year; no daylight saving since 1991), for schedules.</summary>
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.CreateCustomTimeZone("China Standard Time", Offset, "China Standard Time", "China Standard Time");

    /// <summary>The current instant in China Standard Time.</summary>
    public static DateTimeOffset Now(TimeProvider clock) => clock.GetUtcNow().ToOffset(Offset);

    /// <summary>Today's date in China.</summary>
    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(Now(clock).DateTime);

    /// <summary>An instant in China time.</summary>
    public static DateTimeOffset ToChina(DateTimeOffset instant) => instant.ToOffset(Offset);

    /// <summary>Reads an ISO 8601 instant or date; without an offset it is China time (a date is its midnight).</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        text = text.Trim();
        var hasOffset = text.EndsWith('Z') || System.Text.RegularExpressions.Regex.IsMatch(text, @"[T ].*[+-]\d{2}:?\d{2}$");
        if (hasOffset && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out instant))
        {
            return true;
        }

        if (!hasOffset && DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var local))
        {
            instant = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Offset);
            return true;
        }

        instant = default;
        return false;
    }
}
