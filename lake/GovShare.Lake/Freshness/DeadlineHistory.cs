using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Freshness;

/// <summary>One deadline that passed, and whether a delivery met it.</summary>
/// <param name="Deadline">The deadline (after moving off days off).</param>
/// <param name="Met">True when a delivery came by the deadline (for 3-day data with production times: and carried no
/// records delivered more than 3 days after their production).</param>
/// <param name="DeliveredAt">The delivery that met it, or the late one that followed, or the one that carried late
/// records (null when none came).</param>
public sealed record DeadlineOutcome(DateTimeOffset Deadline, bool Met, DateTimeOffset? DeliveredAt);

/// <summary>The deadlines of one entry that passed in a period, met or missed, by the same rules as the freshness check
/// (<see cref="FreshnessRules"/>): the on-time rate of the scorecards (ZZ 31, GZ 30).</summary>
public static class DeadlineHistory
{
    /// <summary>The deadlines that fell in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    /// <remarks>Quarterly data has one deadline per quarter, met by a delivery in the quarter by its 10th day; scheduled
    /// data one per occurrence, met by a delivery since the previous occurrence's deadline. For real-time and 3-day data
    /// the next deadline runs from the last delivery, so a late delivery counts one missed deadline and starts the clock
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

    /// <summary>The deadlines that fell in [<paramref name="from"/>, <paramref name="to"/>), oldest first, judged with
    /// what the deliveries carried: for a 3-day entry with a production-time column the deadlines run from the newest
    /// production time delivered, and a delivery that carried late records meets none (<c>Met</c> false, with it as
    /// <c>DeliveredAt</c>), as the freshness check says.</summary>
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
            UpdateDeadline.Custom when entry.Schedule is { } schedule => Occurrences(entry, schedule, times, calendar, from, to),
            UpdateDeadline.Within3Days when entry.ProducedAt is not null && sorted.Any(d => d.ProducedNewest is not null) => Production(entry, sorted, calendar, from, to),
            _ => Walk(entry, times, calendar, options, from, to),
        };
    }

    // Each judged delivery answers the deadline in force when it came (one after the period's end tells a deadline in it
    // was missed, as in Walk); the deadline after the last delivery is missed when it passed before the period's end.
    // Deadlines before the period were judged in the period before, deadlines after it are not counted yet.
    private static List<DeadlineOutcome> Production(FreshnessSubject entry, FreshnessDelivery[] sorted, WorkingCalendar calendar, DateTimeOffset from, DateTimeOffset to)
    {
        var (steps, pending, _) = FreshnessRules.ProductionWalk(entry, sorted, calendar);
        var outcomes = steps.Where(s => s.Deadline >= from && s.Deadline <= to).Select(s => new DeadlineOutcome(s.Deadline, s.Met, s.Delivery.At)).ToList();
        if (pending >= from && pending <= to)
        {
            outcomes.Add(new DeadlineOutcome(pending, false, null));
        }

        // The first production time can bring the deadline forward (3 days after production, not after the delivery).
        return [.. outcomes.OrderBy(o => o.Deadline)];
    }

    private static List<DeadlineOutcome> Quarters(FreshnessSubject entry, DateTimeOffset[] sorted, WorkingCalendar calendar, DateTimeOffset from, DateTimeOffset to)
    {
        var outcomes = new List<DeadlineOutcome>();
        for (var quarter = FreshnessRules.QuarterStart(from).AddMonths(-3); quarter < to; quarter = quarter.AddMonths(3))
        {
            var deadline = FreshnessRules.OnWorkingDay(calendar, FreshnessRules.EndOfDay(quarter.AddDays(9)));

            // Catalogued after the deadline: the quarter asked nothing of it (as the freshness check says).
            if (deadline < from || deadline > to || entry.RegisteredAt > deadline)
            {
                continue;
            }

            var first = First(sorted, quarter);
            outcomes.Add(first is { } at && at < quarter.AddMonths(3) ? new DeadlineOutcome(deadline, at <= deadline, at) : new DeadlineOutcome(deadline, false, null));
        }

        return outcomes;
    }

    private static List<DeadlineOutcome> Occurrences(FreshnessSubject entry, UpdateSchedule schedule, DateTimeOffset[] sorted, WorkingCalendar calendar,
        DateTimeOffset from, DateTimeOffset to)
    {
        var outcomes = new List<DeadlineOutcome>();
        var cron = FreshnessRules.Crons.GetOrAdd(schedule.Cron, static text => Cronos.CronExpression.Parse(text));
        var grace = TimeSpan.FromHours(schedule.GraceHours);
        // From a little before the period (a deadline moves at most a holiday week): a minute-by-minute schedule catalogued
        // years ago is not replayed from its first day.
        var start = from - grace - TimeSpan.FromDays(40);
        var previous = entry.RegisteredAt > start ? entry.RegisteredAt : start;
        for (var occurrence = cron.GetNextOccurrence(previous, ChinaTime.Zone); occurrence is { } due; occurrence = cron.GetNextOccurrence(due, ChinaTime.Zone))
        {
            var deadline = FreshnessRules.OnWorkingDay(calendar, due + grace);
            if (deadline > to)
            {
                break;
            }

            if (deadline >= from)
            {
                var first = First(sorted, previous);
                outcomes.Add(first is { } at && at <= deadline ? new DeadlineOutcome(deadline, true, at) : new DeadlineOutcome(deadline, false, first));
            }

            // The next occurrence is met by a delivery after this deadline (an early delivery meets one occurrence only).
            previous = deadline + TimeSpan.FromTicks(1);
        }

        return outcomes;
    }

    private static List<DeadlineOutcome> Walk(FreshnessSubject entry, DateTimeOffset[] sorted, WorkingCalendar calendar, FreshnessOptions options,
        DateTimeOffset from, DateTimeOffset to)
    {
        var outcomes = new List<DeadlineOutcome>();
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

            // A deadline already behind at the period's start was missed in the period before.
            var delivery = next < sorted.Length ? sorted[next] : (DateTimeOffset?)null;
            if (deadline >= from)
            {
                outcomes.Add(delivery is { } met && met <= deadline ? new DeadlineOutcome(deadline, true, met) : new DeadlineOutcome(deadline, false, delivery));
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
