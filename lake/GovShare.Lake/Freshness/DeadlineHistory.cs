using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Freshness;

/// <summary>A deadline that passed, and whether a delivery met it; or a run of missed deadlines.</summary>
/// <param name="Deadline">The deadline (after moving off days off); the first of a run.</param>
/// <param name="Met">True when a delivery came by the deadline.</param>
/// <param name="DeliveredAt">The delivery that met it, or the late one that followed (null when none came).</param>
/// <param name="Deadlines">1, or for a missed one the deadlines of the run: while no delivery comes, real-time data misses
/// one every interval and 3-day data one every 3 days (a week's outage of a real-time feed is not one miss among
/// thousands met, and a silent dataset is not left unmeasured).</param>
public sealed record DeadlineOutcome(DateTimeOffset Deadline, bool Met, DateTimeOffset? DeliveredAt, long Deadlines = 1);

/// <summary>The deadlines of one entry that passed in a period, met or missed, by the same rules as the freshness check
/// (<see cref="FreshnessRules"/>): the on-time rate of the scorecards (ZZ 31, GZ 30).</summary>
public static class DeadlineHistory
{
    /// <summary>The deadlines that fell in (<paramref name="from"/>, <paramref name="to"/>], oldest first: a deadline at 24:00
    /// belongs to the day, and so the period, that ends there.</summary>
    /// <remarks>Quarterly data has one deadline per quarter, met by a delivery in the quarter by its 10th day. For the other
    /// classes the next deadline runs from the last delivery, as the freshness check says; while none comes, another is
    /// missed every interval (real time), every 3 days (3-day data) or at each further occurrence of the schedule
    /// (occurrences moved off a holiday onto the same working day are one deadline), and a late delivery starts the clock
    /// again.</remarks>
    /// <param name="entry">The entry.</param>
    /// <param name="deliveries">Its delivery times, any order (from before <paramref name="from"/> too: the first deadline in
    /// the period runs from the last delivery before it).</param>
    /// <param name="calendar">The working-day calendar.</param>
    /// <param name="options">The freshness options.</param>
    /// <param name="from">The period's start.</param>
    /// <param name="to">Its end (or now, for a period not over yet: deadlines still ahead are not counted).</param>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static IReadOnlyList<DeadlineOutcome> Between(FreshnessSubject entry, IReadOnlyList<DateTimeOffset> deliveries, WorkingCalendar calendar,
        FreshnessOptions options, DateTimeOffset from, DateTimeOffset to) =>
        Between(entry, deliveries.Select(d => new FreshnessDelivery(d)).ToList(), calendar, options, from, to);

    /// <summary>The same, judged with what the deliveries carried: for a 3-day entry with a production-time column the
    /// deadlines run from the newest production time delivered, and a delivery that carried late records meets none
    /// (<c>Met</c> false, with it as <c>DeliveredAt</c>), as the freshness check says.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="deliveries">Its deliveries, any order (from before <paramref name="from"/> too).</param>
    /// <param name="calendar">The working-day calendar.</param>
    /// <param name="options">The freshness options.</param>
    /// <param name="from">The period's start.</param>
    /// <param name="to">Its end (or now).</param>
    public static IReadOnlyList<DeadlineOutcome> Between(FreshnessSubject entry, IReadOnlyList<FreshnessDelivery> deliveries, WorkingCalendar calendar,
        FreshnessOptions options, DateTimeOffset from, DateTimeOffset to)
    {
        var sorted = deliveries.OrderBy(d => d.At).ToArray();
        var times = Array.ConvertAll(sorted, d => d.At);
        return entry.Deadline switch
        {
            UpdateDeadline.Quarterly => Quarters(entry, times, calendar, from, to),
            UpdateDeadline.Within3Days when entry.ProducedAt is not null && sorted.Any(d => d.ProducedNewest is not null) => Production(entry, sorted, calendar, from, to),
            _ => Walk(entry, times, calendar, options, from, to),
        };
    }

    // 3-day data with production times, by the freshness check's own walk; a deadline missed with no delivery (or a late
    // one) repeats every 3 days like the others.
    private static List<DeadlineOutcome> Production(FreshnessSubject entry, FreshnessDelivery[] sorted, WorkingCalendar calendar, DateTimeOffset from, DateTimeOffset to)
    {
        var (steps, pending, _) = FreshnessRules.ProductionWalk(entry, sorted, calendar);
        var outcomes = new List<DeadlineOutcome>();
        foreach (var step in steps.Where(s => s.Deadline > from && s.Deadline <= to))
        {
            var late = !step.Met && step.Delivery.At > step.Deadline;
            outcomes.Add(new DeadlineOutcome(step.Deadline, step.Met, step.Delivery.At, late ? Run(step.Deadline, step.Delivery.At, to) : 1));
        }

        if (pending > from && pending <= to)
        {
            outcomes.Add(new DeadlineOutcome(pending, false, null, Run(pending, null, to)));
        }

        return [.. outcomes.OrderBy(o => o.Deadline)];
    }

    // Missed 3-day deadlines from one on, every 3 days until a delivery (or the period's end).
    private static long Run(DateTimeOffset missed, DateTimeOffset? delivery, DateTimeOffset to)
    {
        var through = delivery is { } late && late - TimeSpan.FromTicks(1) < to ? late - TimeSpan.FromTicks(1) : to;
        return ((through - missed).Ticks / FreshnessRules.ProductionWindow.Ticks) + 1;
    }

    private static List<DeadlineOutcome> Quarters(FreshnessSubject entry, DateTimeOffset[] sorted, WorkingCalendar calendar, DateTimeOffset from, DateTimeOffset to)
    {
        var outcomes = new List<DeadlineOutcome>();
        for (var quarter = FreshnessRules.QuarterStart(from).AddMonths(-3); quarter < to; quarter = quarter.AddMonths(3))
        {
            var deadline = FreshnessRules.OnWorkingDay(calendar, FreshnessRules.EndOfDay(quarter.AddDays(9)));

            // Catalogued after the deadline: the quarter asked nothing of it (as the freshness check says).
            if (deadline <= from || deadline > to || entry.RegisteredAt > deadline)
            {
                continue;
            }

            var first = First(sorted, quarter);
            outcomes.Add(first is { } at && at < quarter.AddMonths(3) ? new DeadlineOutcome(deadline, at <= deadline, at) : new DeadlineOutcome(deadline, false, null));
        }

        return outcomes;
    }

    private static List<DeadlineOutcome> Walk(FreshnessSubject entry, DateTimeOffset[] sorted, WorkingCalendar calendar, FreshnessOptions options,
        DateTimeOffset from, DateTimeOffset to)
    {
        var outcomes = new List<DeadlineOutcome>();
        var step = entry.Deadline == UpdateDeadline.RealTime ? options.RealTimeInterval : TimeSpan.FromDays(3);
        var t = entry.RegisteredAt > from ? entry.RegisteredAt : from;
        var next = FirstIndex(sorted, t, inclusive: false);
        while (t < to)
        {
            // Only the last delivery up to t decides these classes' deadline: pass just that one (a year of real-time
            // deliveries would otherwise be filtered again at every step).
            DateTimeOffset[] last = next > 0 ? [sorted[next - 1]] : [];
            var deadline = FreshnessRules.Evaluate(entry, last, calendar, options, t).Deadline;
            if (deadline > to)
            {
                break;
            }

            var delivery = next < sorted.Length ? sorted[next] : (DateTimeOffset?)null;
            if (delivery is { } met && met <= deadline)
            {
                // Two deliveries before one scheduled deadline meet it once.
                if (deadline > from && (outcomes.Count == 0 || outcomes[^1].Deadline != deadline))
                {
                    outcomes.Add(new DeadlineOutcome(deadline, true, met));
                }
            }
            else
            {
                // Missed; and another every step until a delivery comes (a deadline at the delivery's instant is met) or the
                // period ends. Of a run that began before the period, only the deadlines inside it count here.
                var through = delivery is { } late && late - TimeSpan.FromTicks(1) < to ? late - TimeSpan.FromTicks(1) : to;
                if (entry.Deadline == UpdateDeadline.Custom && entry.Schedule is { } schedule)
                {
                    var run = ScheduledRun(schedule, calendar, last.Length > 0 ? last[0] : null, entry.RegisteredAt, deadline, from, through);
                    if (run.Count > 0)
                    {
                        outcomes.Add(new DeadlineOutcome(run[0], false, delivery, run.Count));
                    }

                    // The late delivery meets the first occurrence its grace covers (the check's rule), which may be due later.
                    if (delivery is { } again && again <= to && CoveredDeadline(schedule, calendar, again) is { } covered && covered > from && covered <= to && !run.Contains(covered))
                    {
                        outcomes.Add(new DeadlineOutcome(covered, true, again));
                    }
                }
                else
                {
                    var first = deadline > from ? 0 : ((from - deadline).Ticks / step.Ticks) + 1;
                    var count = ((through - deadline).Ticks / step.Ticks) - first + 1;
                    if (count > 0)
                    {
                        outcomes.Add(new DeadlineOutcome(deadline + TimeSpan.FromTicks(step.Ticks * first), false, delivery, count));
                    }
                }
            }

            if (delivery is not { } moved)
            {
                break;
            }

            // The next deadline runs from the delivery (deliveries at the same instant count once).
            t = moved;
            next = FirstIndex(sorted, t, inclusive: false);
        }

        return outcomes;
    }

    // The distinct deadlines of a schedule's occurrences from the missed one on, up to the late delivery, in the period:
    // each one missed (the freshness check's rule: the last delivery met the first occurrence its grace covers, the next is
    // due by the one after).
    private static List<DateTimeOffset> ScheduledRun(UpdateSchedule schedule, WorkingCalendar calendar, DateTimeOffset? lastDelivery,
        DateTimeOffset registeredAt, DateTimeOffset missed, DateTimeOffset from, DateTimeOffset through)
    {
        var cron = FreshnessRules.Crons.GetOrAdd(schedule.Cron, static text => Cronos.CronExpression.Parse(text));
        var grace = TimeSpan.FromHours(schedule.GraceHours);
        var occurrence = lastDelivery is { } delivered
            ? cron.GetNextOccurrence(delivered - grace, ChinaTime.Zone, inclusive: true) is { } met ? cron.GetNextOccurrence(met, ChinaTime.Zone) : null
            : cron.GetNextOccurrence(registeredAt, ChinaTime.Zone);
        var deadlines = new SortedSet<DateTimeOffset>();
        for (; occurrence is { } due && due + grace <= through; occurrence = cron.GetNextOccurrence(due, ChinaTime.Zone))
        {
            var deadline = FreshnessRules.OnWorkingDay(calendar, due + grace);
            if (deadline >= missed && deadline > from && deadline <= through)
            {
                deadlines.Add(deadline);
            }
        }

        return [.. deadlines];
    }

    private static DateTimeOffset? CoveredDeadline(UpdateSchedule schedule, WorkingCalendar calendar, DateTimeOffset delivered)
    {
        var cron = FreshnessRules.Crons.GetOrAdd(schedule.Cron, static text => Cronos.CronExpression.Parse(text));
        var grace = TimeSpan.FromHours(schedule.GraceHours);
        return cron.GetNextOccurrence(delivered - grace, ChinaTime.Zone, inclusive: true) is { } due ? FreshnessRules.OnWorkingDay(calendar, due + grace) : null;
    }

    private static DateTimeOffset? First(DateTimeOffset[] sorted, DateTimeOffset atOrAfter)
    {
        var index = FirstIndex(sorted, atOrAfter, inclusive: true);
        return index < sorted.Length ? sorted[index] : null;
    }

    // The index of the first delivery at or after (inclusive) or after (exclusive) an instant.
    private static int FirstIndex(DateTimeOffset[] sorted, DateTimeOffset instant, bool inclusive)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (inclusive ? sorted[middle] < instant : sorted[middle] <= instant)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
