using GovShare.Lake.Calendar;

namespace GovShare.Lake.Tests.Calendar;

/// <summary>Working days with China's holidays and adjusted working weekends, and the operator's own years.</summary>
public sealed class WorkingCalendarTests : IDisposable
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-calendar-").FullName;

    [Fact]
    public void Shipped_Should_CoverTheAnnouncedYears_WithWorkdaysOnWeekendsOnly()
    {
        var calendar = WorkingCalendar.Load();

        Assert.Equal([2024, 2025, 2026], WorkingCalendar.ShippedYears());
        Assert.All(calendar.Years.Values.SelectMany(y => y.Workdays.Keys), d => Assert.True(d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday));
        Assert.Equal(9, calendar.Years[2026].Holidays.Count(h => h.Value == "春节"));
    }

    [Theory]
    [InlineData("2026-02-14", true)]  // Saturday worked before the Spring Festival
    [InlineData("2026-02-16", false)] // Spring Festival, a Monday
    [InlineData("2026-02-28", true)]  // Saturday worked after it
    [InlineData("2026-03-01", false)] // an ordinary Sunday
    [InlineData("2025-10-08", false)] // National Day and Mid-Autumn together, a Wednesday
    [InlineData("2025-10-11", true)]  // Saturday worked after them
    [InlineData("2024-06-10", false)] // Dragon Boat, a Monday
    public void IsWorkingDay_Should_FollowTheStateCouncilsNotice(string date, bool working)
    {
        Assert.Equal(working, WorkingCalendar.Load().IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void AddWorkingDays_Should_SkipTheGoldenWeekAndCountTheAdjustedSunday()
    {
        var calendar = WorkingCalendar.Load();
        var friday = new DateTimeOffset(2026, 9, 18, 15, 30, 0, China);

        // Sep 20 (Sunday, worked) is 1; 21–24 are 2–5; 25–27 Mid-Autumn; 28–30 are 6–8; Oct 1–7 off; Oct 8 and 9 are 9 and 10.
        var deadline = calendar.AddWorkingDays(friday, 10);

        Assert.Equal(new DateTimeOffset(2026, 10, 10, 0, 0, 0, China), deadline);
        Assert.Equal(10, calendar.WorkingDaysBetween(friday, new DateTimeOffset(2026, 10, 9, 23, 0, 0, China)));
        Assert.Equal(-10, calendar.WorkingDaysBetween(new DateTimeOffset(2026, 10, 9, 23, 0, 0, China), friday));
    }

    [Fact]
    public void AddWorkingDays_Should_CountInChinaTime_When_TheInstantIsGivenInUtc()
    {
        var calendar = WorkingCalendar.Load();

        // 2026-02-13 20:00 UTC is already Saturday 14 February in China (an adjusted working day, and the day of the
        // instant, so it does not count); then come the Spring Festival days (15–23); Tuesday 24 February is the first.
        var deadline = calendar.AddWorkingDays(new DateTimeOffset(2026, 2, 13, 20, 0, 0, TimeSpan.Zero), 1);

        Assert.Equal(new DateTimeOffset(2026, 2, 25, 0, 0, 0, China), deadline);
    }

    [Fact]
    public void AYearWithoutData_Should_CountWeekendsOnly_AndBeReportedMissing()
    {
        var calendar = WorkingCalendar.Load(_lake);

        Assert.True(calendar.IsWorkingDay(new DateOnly(2031, 10, 1))); // a Wednesday: no data, so not a holiday
        Assert.False(calendar.IsWorkingDay(new DateOnly(2031, 10, 4)));
        Assert.Equal([2031], calendar.MissingYears);
    }

    [Fact]
    public void OperatorsYear_Should_ReplaceTheShippedOne_When_Saved()
    {
        WorkingCalendar.Save(_lake, 2026, "holiday,2026-03-02,test holiday\nworkday,2026-03-07,test Saturday\n");

        var calendar = WorkingCalendar.Load(_lake);

        Assert.Equal("operator", calendar.Years[2026].Source);
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 3, 2)));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 3, 7)));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 2, 16))); // the operator's file has no Spring Festival
    }

    [Theory]
    [InlineData("holiday,2026-13-01,x", "calendar 2026:1: date:")]
    [InlineData("# ok\nholiday,2027-01-01,x", "calendar 2026:2: date: 2027-01-01 is not in 2026")]
    [InlineData("workday,2026-03-04,x", "calendar 2026:1: date: 2026-03-04 is a Wednesday")]
    [InlineData("dayoff,2026-03-04,x", "calendar 2026:1: kind:")]
    [InlineData("holiday,2026-03-07,x\nworkday,2026-03-07,y", "calendar 2026:2: date: 2026-03-07 is listed both")]
    public void Save_Should_RefuseTheFile_WithFileLineAndField(string text, string expected)
    {
        var ex = Assert.Throws<LakeException>(() => WorkingCalendar.Save(_lake, 2026, text));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_lake, WorkingCalendar.FolderName, "2026.csv")));
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
