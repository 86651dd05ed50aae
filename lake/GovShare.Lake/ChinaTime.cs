namespace GovShare.Lake;

/// <summary>China Standard Time (UTC+8, no daylight saving since 1991): the clock that birth dates,
/// deadlines and "today" are reckoned in, whatever time zone the server runs in.</summary>
public static class ChinaTime
{
    /// <summary>The offset of China Standard Time from UTC.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The current instant in China Standard Time.</summary>
    public static DateTimeOffset Now(TimeProvider clock) => clock.GetUtcNow().ToOffset(Offset);

    /// <summary>Today's date in China.</summary>
    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(Now(clock).DateTime);
}
