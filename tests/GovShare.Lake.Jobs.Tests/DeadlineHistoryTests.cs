using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>The deadlines a period held, met and missed, for the scorecards' on-time rate (test calendar: 1–7 and
/// 10 October 2031 off, 27 September worked).</summary>
public sealed class DeadlineHistoryTests : IDisposable
{
    private readonly JobsLake _lake = new();
    private readonly FreshnessOptions _options = new();

    [Fact]
    public void WithinThreeDays_Should_CountALateDeliveryAsOneMissedDeadline_AndRestartTheClock()
    {
        var entry = Subject("amr.daily", UpdateDeadline.Within3Days, Monday.AddDays(-30));

        // From the delivery before the period (Sunday 21 Sep): due Wed 24 10:00, met Tue 23; due Fri 26 12:00, met Fri 26;
        // due Mon 29 (Sat 27 is worked, so 29 stays) 09:00 ... missed, the late delivery Thu 2 Oct restarts the clock.
        DateTimeOffset[] deliveries = [At("2031-09-21 10:00"), At("2031-09-23 12:00"), At("2031-09-26 09:00"), At("2031-10-02 09:00")];

        var outcomes = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, At("2031-09-22 00:00"), At("2031-10-03 00:00"));

        Assert.Equal(
            [(At("2031-09-24 10:00"), true), (At("2031-09-26 12:00"), true), (At("2031-09-29 09:00"), false)],
            outcomes.Select(o => (o.Deadline, o.Met)).ToList());
        Assert.Equal(At("2031-10-02 09:00"), outcomes[^1].DeliveredAt);
    }

    [Fact]
    public void WithinThreeDays_Should_NotCountADeadlineStillAhead_OrOneMissedBeforeThePeriod()
    {
        var entry = Subject("amr.daily2", UpdateDeadline.Within3Days, Monday.AddDays(-30));

        // Due Wed 17 September (before the period) and missed; delivered Tue 23; the next deadline (Fri 26) is after "now".
        var outcomes = DeadlineHistory.Between(entry, [At("2031-09-14 10:00"), At("2031-09-23 10:00")], _lake.Calendar, _options,
            At("2031-09-22 00:00"), At("2031-09-25 00:00"));

        Assert.Empty(outcomes);
    }

    [Fact]
    public void RealTime_Should_MissADeadlineEveryIntervalOfAGap()
    {
        var entry = Subject("amr.realtime", UpdateDeadline.RealTime, Monday.AddDays(-30));

        // Every 10 minutes, then a 40-minute gap, then every 10 minutes again.
        DateTimeOffset[] deliveries = [Monday, Monday.AddMinutes(10), Monday.AddMinutes(20), Monday.AddMinutes(60), Monday.AddMinutes(70)];

        var outcomes = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, Monday, Monday.AddMinutes(80));

        Assert.Equal([true, true, false, true], outcomes.Select(o => o.Met).ToList());

        // 00:35 and 00:50 passed without a delivery: two missed.
        Assert.Equal((Monday.AddMinutes(35), 2L), (outcomes[2].Deadline, outcomes[2].Deadlines));
    }

    [Fact]
    public void Quarterly_Should_JudgeEachQuarter_OnItsOwn_AcrossTheHolidayMovedTenth()
    {
        var entry = Subject("amr.quarterly", UpdateDeadline.Quarterly, At("2031-01-01 00:00"));

        // Q1 on time, Q2 never, Q3 late (after 10 July), Q4: the 10th is a holiday here, moved to the end of Monday 13 October.
        DateTimeOffset[] deliveries = [At("2031-01-05 09:00"), At("2031-07-20 09:00"), At("2031-10-13 18:00")];

        var outcomes = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, At("2031-01-01 00:00"), At("2032-01-01 00:00"));

        Assert.Equal(
            [(At("2031-01-11 00:00"), true), (At("2031-04-11 00:00"), false), (At("2031-07-11 00:00"), false), (At("2031-10-14 00:00"), true)],
            outcomes.Select(o => (o.Deadline, o.Met)).ToList());
        Assert.Null(outcomes[1].DeliveredAt);
        Assert.Equal(At("2031-07-20 09:00"), outcomes[2].DeliveredAt);
    }

    [Fact]
    public void Custom_Should_CountEachOccurrenceALateDeliverySkipped_AndTheOneItCovers()
    {
        var entry = Subject("amr.weekly", UpdateDeadline.Custom, At("2031-09-01 12:00"), new UpdateSchedule("0 2 * * 1", 24));

        // Catalogued after Monday 1 September's occurrence. Mondays 02:00 + 24 h: 8 Sep met (Sun 7), 15 Sep met (Tue 16
        // 01:00), 22 and 29 Sep missed (nothing until 1 Oct); 1 October's delivery covers 6 October, + 24 h is 7 October, a
        // holiday: the end of Wednesday 8 October.
        DateTimeOffset[] deliveries = [At("2031-09-07 22:00"), At("2031-09-16 01:00"), At("2031-10-01 09:00")];

        var outcomes = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, At("2031-09-01 00:00"), At("2031-10-10 00:00"));

        Assert.Equal(
            [(At("2031-09-09 02:00"), true, 1L), (At("2031-09-16 02:00"), true, 1L), (At("2031-09-23 02:00"), false, 2L), (At("2031-10-09 00:00"), true, 1L)],
            outcomes.Select(o => (o.Deadline, o.Met, o.Deadlines)).ToList());
    }

    [Fact]
    public void Custom_Should_MeetTheHolidayWeeksOccurrencesAtOnce_AsTheFreshnessCheckDoes()
    {
        var entry = Subject("amr.daily-cron", UpdateDeadline.Custom, At("2031-09-01 12:00"), new UpdateSchedule("0 2 * * *"));

        // Daily at 02:00, delivered at 01:00 on working days only: 1-7 October's occurrences all move to the end of 8 October.
        DateTimeOffset[] deliveries = [At("2031-09-28 01:00"), At("2031-09-29 01:00"), At("2031-09-30 01:00"), At("2031-10-08 01:00"), At("2031-10-09 01:00")];

        var outcomes = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, At("2031-09-29 00:00"), At("2031-10-09 12:00"));

        Assert.All(outcomes, o => Assert.True(o.Met));
        Assert.Equal([At("2031-09-29 02:00"), At("2031-09-30 02:00"), At("2031-10-09 00:00"), At("2031-10-09 02:00")], outcomes.Select(o => o.Deadline).ToList());
    }

    [Fact]
    public void SilentDataset_Should_MissADeadlineEveryThreeDaysOfThePeriod()
    {
        var entry = Subject("amr.silent", UpdateDeadline.Within3Days, At("2031-07-01 00:00"));

        // Last delivered Friday 1 August 10:00: due Monday 4 August 10:00, then every 3 days; September holds ten of them.
        var outcomes = DeadlineHistory.Between(entry, [At("2031-08-01 10:00")], _lake.Calendar, _options, At("2031-09-01 00:00"), At("2031-10-01 00:00"));

        Assert.Equal([(At("2031-09-03 10:00"), false, 10L)], outcomes.Select(o => (o.Deadline, o.Met, o.Deadlines)).ToList());
    }

    [Fact]
    public void Deadline_Should_CountInOnePeriodOnly_When_ItFallsAtMidnightBetweenThem()
    {
        var entry = Subject("amr.boundary", UpdateDeadline.Within3Days, At("2031-07-01 00:00"));

        // Delivered Thursday 28 August: due Sunday 31 August, moved to the end of Monday 1 September — September's deadline.
        DateTimeOffset[] deliveries = [At("2031-08-28 12:00"), At("2031-09-01 12:00")];

        var august = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, At("2031-08-01 00:00"), At("2031-09-01 00:00"));
        var september = DeadlineHistory.Between(entry, deliveries, _lake.Calendar, _options, At("2031-09-01 00:00"), At("2031-10-01 00:00"));

        Assert.DoesNotContain(august, o => o.Deadline == At("2031-09-02 00:00"));
        Assert.Contains(september, o => o.Deadline == At("2031-09-02 00:00") && o.Met);
    }

    /// <inheritdoc />
    public void Dispose() => _lake.Dispose();

    private FreshnessSubject Subject(string id, UpdateDeadline deadline, DateTimeOffset registeredAt, UpdateSchedule? schedule = null) =>
        FreshnessSubject.Of(_lake.Entry(id, deadline, registeredAt, schedule), registeredAt);
}
