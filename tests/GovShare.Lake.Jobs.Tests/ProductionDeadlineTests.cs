using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>"Within 3 days of being produced" (GZ 17) for an entry with a production-time column: the deadline runs from
/// the newest production time delivered, and a delivery that carried records produced more than 3 days before it meets
/// no deadline, in the freshness rules and in the deadline history alike (test calendar: 1–7 and 10 October 2031 off,
/// Saturday 27 September worked).</summary>
public sealed class ProductionDeadlineTests : IDisposable
{
    private readonly JobsLake _lake = new();
    private readonly FreshnessOptions _options = new();

    /// <summary>Registered an hour before Monday's first delivery, so that the first delivery meets its deadline.</summary>
    private static readonly DateTimeOffset Registered = At("2031-09-22 09:00");

    [Theory]
    [InlineData("2031-09-22 14:59", FreshnessState.Fresh)]
    [InlineData("2031-09-22 15:00", FreshnessState.Due)]
    [InlineData("2031-09-23 15:00", FreshnessState.Overdue)]
    [InlineData("2031-09-26 23:59", FreshnessState.Overdue)]
    [InlineData("2031-09-27 00:00", FreshnessState.Delinquent)]
    public void Deadline_Should_RunFromTheNewestProductionTimeDelivered_NotFromTheDelivery(string now, FreshnessState expected)
    {
        var entry = Subject("mca.produced");

        // Delivered Monday 10:00, the newest record produced Saturday 15:00: due Tuesday 15:00 (the next record may have been
        // produced right after Saturday's), where "3 days after the delivery" would say Thursday 10:00.
        var status = FreshnessRules.Evaluate(entry, [Delivery("2031-09-22 10:00", "2031-09-20 15:00")], _lake.Calendar, _options, At(now));

        Assert.Equal(At("2031-09-23 15:00"), status.Deadline);
        Assert.Equal(expected, status.State);
        Assert.Equal(At("2031-09-22 10:00"), status.LastMet);
        Assert.Contains("records produced after 2031-09-20 15:00", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deadline_Should_NotMove_When_ADeliveryBringsNothingProducedSinceTheNewest()
    {
        var entry = Subject("mca.nothing_new");

        // Tuesday's delivery holds only records older than Saturday's newest: the deadline still waits for a newer one.
        var status = FreshnessRules.Evaluate(entry,
            [Delivery("2031-09-22 10:00", "2031-09-20 15:00"), Delivery("2031-09-23 09:00", "2031-09-19 12:00")], _lake.Calendar, _options, At("2031-09-23 16:00"));

        Assert.Equal(FreshnessState.Overdue, status.State);
        Assert.Equal(At("2031-09-23 15:00"), status.Deadline);
        Assert.Equal(At("2031-09-23 09:00"), status.LastDelivery);
        Assert.Equal(At("2031-09-22 10:00"), status.LastMet);
    }

    [Fact]
    public void ADeliveryCarryingLateRows_Should_NotMeetADeadline_AndTheReasonShouldSayHowManyAndHowLate()
    {
        var entry = Subject("mca.late");

        // Friday's delivery brings records up to Thursday 18:00, but 4 of them were produced from Sunday 08:00 on (due
        // Wednesday 08:00: 2 days 2 hours late). The next deadline runs from Thursday 18:00: Sunday 28th, a day off, so the
        // end of Monday 29th.
        var status = FreshnessRules.Evaluate(entry,
            [Delivery("2031-09-22 10:00", "2031-09-20 15:00"), Delivery("2031-09-26 10:00", "2031-09-25 18:00", 4, "2031-09-21 08:00")],
            _lake.Calendar, _options, At("2031-09-26 12:00"));

        Assert.Equal(FreshnessState.Fresh, status.State);
        Assert.Equal(At("2031-09-30 00:00"), status.Deadline);
        Assert.Equal(At("2031-09-26 10:00"), status.LastDelivery);
        Assert.Equal(At("2031-09-22 10:00"), status.LastMet);
        Assert.StartsWith("4 record(s) delivered more than 3 days after being produced since the last on-time delivery, up to 2.1 day(s) after their deadline " +
            "(the oldest produced 2031-09-21 08:00)", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deadline_Should_MoveOffTheHoliday_When_ThreeDaysAfterTheNewestProductionFallOnOne()
    {
        var entry = Subject("mca.holiday");

        // The newest record was produced Sunday 28 September 12:00: three days later is 1 October, National Day; the next
        // working day is Wednesday 8 October, so the deadline is its end.
        var status = FreshnessRules.Evaluate(entry, [Delivery("2031-09-29 10:00", "2031-09-28 12:00")], _lake.Calendar, _options, At("2031-10-08 12:00"));

        Assert.Equal(At("2031-10-09 00:00"), status.Deadline);
        Assert.Equal(FreshnessState.Due, status.State);
    }

    [Fact]
    public void Deadline_Should_StayThreeDaysAfterTheLastDelivery_When_NoDeliveryCarriedProductionTimes()
    {
        var entry = Subject("mca.none_yet");

        var status = FreshnessRules.Evaluate(entry, [new FreshnessDelivery(Monday)], _lake.Calendar, _options, At("2031-09-23 10:00"));
        var times = FreshnessRules.Evaluate(entry, [Monday], _lake.Calendar, _options, At("2031-09-23 10:00"));

        Assert.Equal(At("2031-09-25 10:00"), status.Deadline);
        Assert.Equal(times, status);
    }

    [Fact]
    public void History_Should_CountTheDeadlineADeliveryWithLateRowsAnswered_AsMissed()
    {
        var entry = Subject("mca.history");

        // Sunday 21st (before the period) brings records up to Saturday 15:00: due Tuesday 15:00, met Tuesday 12:00 (records up
        // to Tuesday 09:00: due Friday 09:00). Wednesday's delivery brings nothing newer: no deadline answered. Monday 29th
        // brings records up to Sunday 20:00 and 2 produced from Wednesday 11:00 on: late, so Friday's deadline is missed. The
        // next one (Sunday 20:00 + 3 days = 1 October, moved to the end of 8 October) is after the period.
        FreshnessDelivery[] deliveries =
        [
            Delivery("2031-09-21 10:00", "2031-09-20 15:00"),
            Delivery("2031-09-23 12:00", "2031-09-23 09:00"),
            Delivery("2031-09-24 10:00", "2031-09-23 08:00"),
            Delivery("2031-09-29 10:00", "2031-09-28 20:00", 2, "2031-09-24 11:00"),
        ];

        var outcomes = DeadlineHistory.Between(entry with { RegisteredAt = At("2031-09-15 09:00") }, deliveries, _lake.Calendar, _options,
            At("2031-09-22 00:00"), At("2031-10-03 00:00"));

        Assert.Equal(
            [(At("2031-09-23 15:00"), true, (DateTimeOffset?)At("2031-09-23 12:00")), (At("2031-09-26 09:00"), false, At("2031-09-29 10:00"))],
            outcomes.Select(o => (o.Deadline, o.Met, o.DeliveredAt)).ToList());
    }

    [Fact]
    public void History_And_Rules_Should_AgreeThatADeliveryBeforeTheDeadline_CarryingALateRecord_MetNothing()
    {
        var entry = Subject("mca.holiday_late");

        // Catalogued Friday 3 October: the first deadline (Monday 6th, a holiday) is the end of Wednesday 8th, met on the 4th.
        // Records produced after that delivery's newest (Saturday 4th 10:00) are due by the same moment (Tuesday 7th is off
        // too), but one produced Sunday 5th 09:00 was due Wednesday 8th 09:00 (a working day): delivered Wednesday 12:00 it
        // is late, so that delivery meets nothing, though it came before the entry's deadline.
        FreshnessDelivery[] deliveries =
        [
            Delivery("2031-10-04 12:00", "2031-10-04 10:00"),
            Delivery("2031-10-08 12:00", "2031-10-08 11:00", 1, "2031-10-05 09:00"),
        ];
        var registered = entry with { RegisteredAt = At("2031-10-03 09:00") };

        var outcomes = DeadlineHistory.Between(registered, deliveries, _lake.Calendar, _options, At("2031-10-04 00:00"), At("2031-10-09 06:00"));
        var status = FreshnessRules.Evaluate(registered, deliveries, _lake.Calendar, _options, At("2031-10-08 13:00"));

        Assert.Equal(
            [(At("2031-10-09 00:00"), true, (DateTimeOffset?)At("2031-10-04 12:00")), (At("2031-10-09 00:00"), false, At("2031-10-08 12:00"))],
            outcomes.Select(o => (o.Deadline, o.Met, o.DeliveredAt)).ToList());
        Assert.Equal(At("2031-10-04 12:00"), status.LastMet);
        Assert.StartsWith("1 record(s) delivered more than 3 days after being produced", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void History_Should_CountAPassedDeadline_AfterTheLastDelivery_AsMissedWithoutADelivery()
    {
        var entry = Subject("mca.silent");

        // Due Tuesday 15:00 and nothing newer came; the deadline Monday's delivery met (Thursday 09:00, from the
        // registration) is after the period.
        var outcomes = DeadlineHistory.Between(entry, [Delivery("2031-09-22 10:00", "2031-09-20 15:00")], _lake.Calendar, _options,
            At("2031-09-22 00:00"), At("2031-09-25 00:00"));

        Assert.Equal([(At("2031-09-23 15:00"), false, (DateTimeOffset?)null)], outcomes.Select(o => (o.Deadline, o.Met, o.DeliveredAt)).ToList());
    }

    public void Dispose() => _lake.Dispose();

    private static FreshnessDelivery Delivery(string at, string producedNewest, long lateRows = 0, string? oldestLate = null) =>
        new(At(at), At(producedNewest), lateRows, oldestLate is null ? null : At(oldestLate));

    /// <summary>A 3-day entry whose production time is its establishment date column (a mapped date).</summary>
    private FreshnessSubject Subject(string id)
    {
        var entry = _lake.Entry(id, UpdateDeadline.Within3Days, Registered) with { ProducedAt = "成立日期" };
        _lake.Store.SaveCatalogueEntry(entry, Registered);
        return FreshnessSubject.Of(entry, Registered);
    }
}
