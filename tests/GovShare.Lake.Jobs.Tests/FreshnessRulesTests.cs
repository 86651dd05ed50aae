using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>Each deadline class crossing fresh → due → overdue → delinquent on a controllable clock, with a quarter
/// boundary and deadlines that fall on days off (test calendar: 1–7 and 10 October 2031 off, 27 September worked).</summary>
public sealed class FreshnessRulesTests : IDisposable
{
    private readonly JobsLake _lake = new();
    private readonly FreshnessOptions _options = new();

    [Theory]
    [InlineData("2031-09-22 10:09", FreshnessState.Fresh)]
    [InlineData("2031-09-22 10:10", FreshnessState.Due)]
    [InlineData("2031-09-22 10:15", FreshnessState.Overdue)]
    [InlineData("2031-09-22 11:14", FreshnessState.Overdue)]
    [InlineData("2031-09-22 11:15", FreshnessState.Delinquent)]
    public void RealTime_Should_CrossEachState_MinutesAfterTheLastDelivery(string now, FreshnessState expected)
    {
        var entry = _lake.Entry("amr.realtime", UpdateDeadline.RealTime, Monday.AddDays(-30));

        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-30), [Monday], _lake.Calendar, _options, At(now));

        Assert.Equal(expected, status.State);
        Assert.Equal(At("2031-09-22 10:15"), status.Deadline);
    }

    [Theory]
    [InlineData("2031-09-24 09:59", FreshnessState.Fresh)]
    [InlineData("2031-09-24 10:00", FreshnessState.Due)]
    [InlineData("2031-09-25 10:00", FreshnessState.Overdue)]
    [InlineData("2031-09-29 23:59", FreshnessState.Overdue)]
    [InlineData("2031-09-30 00:00", FreshnessState.Delinquent)]
    public void WithinThreeDays_Should_CountGraceInWorkingDays_IncludingTheWorkedSaturday(string now, FreshnessState expected)
    {
        var entry = _lake.Entry("amr.daily", UpdateDeadline.Within3Days, Monday.AddDays(-30));

        // Deadline Thursday 25 September 10:00; grace 3 working days: Friday 26, Saturday 27 (worked), Monday 29.
        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-30), [Monday], _lake.Calendar, _options, At(now));

        Assert.Equal(expected, status.State);
        Assert.Equal(At("2031-09-25 10:00"), status.Deadline);
    }

    [Fact]
    public void WithinThreeDays_Should_MoveADeadlineOnAHolidayToTheEndOfTheNextWorkingDay()
    {
        var entry = _lake.Entry("amr.holiday", UpdateDeadline.Within3Days, Monday.AddDays(-30));

        // Delivered Sunday 28 September: three days later is 1 October, National Day; the next working day is 8 October.
        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-30), [At("2031-09-28 12:00")], _lake.Calendar, _options, At("2031-10-06 12:00"));

        Assert.Equal(At("2031-10-09 00:00"), status.Deadline);
        Assert.Equal(FreshnessState.Fresh, status.State);
    }

    [Theory]
    [InlineData("2031-10-05 12:00", FreshnessState.Fresh)]
    [InlineData("2031-10-13 12:00", FreshnessState.Due)]
    [InlineData("2031-10-14 00:00", FreshnessState.Overdue)]
    [InlineData("2031-10-16 23:59", FreshnessState.Overdue)]
    [InlineData("2031-10-17 00:00", FreshnessState.Delinquent)]
    public void Quarterly_Should_NotCountLastQuartersDelivery_AndMoveTheTenthOffTheHoliday(string now, FreshnessState expected)
    {
        var entry = _lake.Entry("amr.quarterly", UpdateDeadline.Quarterly, Monday.AddDays(-200));

        // Q4 starts 1 October; the 10th (a holiday here, then the weekend) moves to the end of Monday 13 October.
        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-200), [At("2031-09-30 16:00")], _lake.Calendar, _options, At(now));

        Assert.Equal(expected, status.State);
        Assert.Equal(At("2031-10-14 00:00"), status.Deadline);
    }

    [Fact]
    public void Quarterly_Should_BeFresh_WithTheNextQuartersDeadline_OnceDeliveredInTime()
    {
        var entry = _lake.Entry("amr.quarterly2", UpdateDeadline.Quarterly, Monday.AddDays(-200));

        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-200), [At("2031-10-09 09:00")], _lake.Calendar, _options, At("2031-12-31 23:00"));

        Assert.Equal(FreshnessState.Fresh, status.State);
        Assert.Equal(At("2031-10-09 09:00"), status.LastMet);
        // 10 January 2032 is a Saturday (no 2032 calendar here: weekends only): the end of Monday 12 January.
        Assert.Equal(At("2032-01-13 00:00"), status.Deadline);
    }

    [Theory]
    [InlineData("2031-09-29 01:59", FreshnessState.Fresh)]
    [InlineData("2031-09-29 02:00", FreshnessState.Due)]
    [InlineData("2031-09-30 02:00", FreshnessState.Overdue)]
    [InlineData("2031-10-13 23:59", FreshnessState.Overdue)]
    [InlineData("2031-10-14 00:00", FreshnessState.Delinquent)]
    public void Custom_Should_FollowTheCronScheduleAndGrace(string now, FreshnessState expected)
    {
        var schedule = new UpdateSchedule("0 2 * * 1", 24);
        var entry = _lake.Entry("amr.weekly", UpdateDeadline.Custom, Monday.AddDays(-30), schedule);

        // The next Monday 02:00 after the delivery, plus 24 h: Tuesday 30 September 02:00. Grace: 1-7 October off,
        // 8 (1), 9 (2), 10 off here, the weekend, 13 (3): delinquent from the end of Monday 13 October.
        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-30), [Monday], _lake.Calendar, _options, At(now));

        Assert.Equal(At("2031-09-30 02:00"), status.Deadline);
        Assert.Equal(expected, status.State);
    }

    [Fact]
    public void Custom_Should_CountADeliveryMadeBeforeTheScheduledTime_AndMoveADeadlineOffTheHoliday()
    {
        var entry = _lake.Entry("amr.weekly2", UpdateDeadline.Custom, Monday.AddDays(-30), new UpdateSchedule("0 2 * * 1", 24));

        // Delivered Sunday 28 September 23:00 for Monday 29 September 02:00: the next is due Monday 6 October 02:00 plus a
        // day, Tuesday 7 October, a holiday here: the end of Wednesday 8 October.
        var status = FreshnessRules.Evaluate(entry, Monday.AddDays(-30), [At("2031-09-28 23:00")], _lake.Calendar, _options, At("2031-09-30 12:00"));

        Assert.Equal(FreshnessState.Fresh, status.State);
        Assert.Equal(At("2031-10-09 00:00"), status.Deadline);
    }

    [Fact]
    public void Quarterly_Should_FirstBeDueNextQuarter_When_CataloguedAfterThisQuartersDeadline()
    {
        var registered = At("2031-11-01 09:00");
        var entry = _lake.Entry("amr.quarterly3", UpdateDeadline.Quarterly, registered);

        var status = FreshnessRules.Evaluate(entry, registered, [], _lake.Calendar, _options, At("2031-11-20 12:00"));

        Assert.Equal(FreshnessState.Fresh, status.State);
        Assert.Equal(At("2032-01-13 00:00"), status.Deadline);
    }

    [Fact]
    public void NeverDelivered_Should_CountFromRegistration()
    {
        var entry = _lake.Entry("amr.never", UpdateDeadline.Within3Days, Monday);

        var status = FreshnessRules.Evaluate(entry, Monday, [], _lake.Calendar, _options, At("2031-09-26 12:00"));

        Assert.Equal(FreshnessState.Overdue, status.State);
        Assert.Null(status.LastDelivery);
    }

    public void Dispose() => _lake.Dispose();
}
