using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Cronos;
using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Freshness;

/// <summary>Where a dataset stands against its update deadline (GZ 17).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FreshnessState>))]
public enum FreshnessState
{
    /// <summary>Delivered in time; the next deadline is not near.</summary>
    [JsonStringEnumMemberName("fresh")] Fresh,

    /// <summary>The deadline falls within the warning window.</summary>
    [JsonStringEnumMemberName("due")] Due,

    /// <summary>The deadline has passed without a delivery (GZ 34, PX 24).</summary>
    [JsonStringEnumMemberName("overdue")] Overdue,

    /// <summary>Overdue for longer than the grace: the operator is told.</summary>
    [JsonStringEnumMemberName("delinquent")] Delinquent,
}

/// <summary>How freshness is judged. Defaults follow GZ 17; every value can be set under <c>Freshness:</c>.</summary>
public sealed record FreshnessOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Freshness";

    /// <summary>Real-time data (certificates, documents): the longest time since the last delivery (default 15 min).</summary>
    public TimeSpan RealTimeInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Real-time data: due this long before the deadline (default 5 min).</summary>
    public TimeSpan RealTimeWarning { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Real-time data: delinquent this long after the deadline (default 1 h).</summary>
    public TimeSpan RealTimeGrace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Other classes: due this long before the deadline (default 1 day).</summary>
    public TimeSpan WarningWindow { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Other classes: delinquent this many working days after the deadline (default 3).</summary>
    public int GraceWorkingDays { get; init; } = 3;

    /// <summary>Problems with the values, for start-up validation.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (RealTimeInterval <= TimeSpan.Zero || RealTimeWarning < TimeSpan.Zero || RealTimeGrace < TimeSpan.Zero || WarningWindow < TimeSpan.Zero)
        {
            problems.Add("Freshness: RealTimeInterval must be positive; RealTimeWarning, RealTimeGrace and WarningWindow must not be negative.");
        }

        if (GraceWorkingDays is < 0 or > 60)
        {
            problems.Add($"Freshness:GraceWorkingDays is {GraceWorkingDays}; use 0 to 60.");
        }

        return problems;
    }
}

/// <summary>One dataset's freshness at one moment.</summary>
/// <param name="EntryId">The catalogue entry.</param>
/// <param name="Provider">Its providing agency.</param>
/// <param name="DeadlineClass">real_time, within_3_days, quarterly or custom.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Deadline">The deadline that applies now.</param>
/// <param name="LastDelivery">The last delivery (committed, or the same file again), or null.</param>
/// <param name="LastMet">When a deadline was last met, or null.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record FreshnessStatus(string EntryId, string Provider, string DeadlineClass, FreshnessState State, DateTimeOffset Deadline,
    DateTimeOffset? LastDelivery, DateTimeOffset? LastMet, string Reason);

/// <summary>One delivery as the freshness rules judge it: a committed batch, or the same file again.</summary>
/// <param name="At">When it was delivered (the batch's end).</param>
/// <param name="ProducedNewest">The newest production time among its records, for an entry with a production-time column
/// (<see cref="CatalogueEntry.ProducedAt"/>); null when it carried none.</param>
/// <param name="LateRows">Its records produced after the newest production time delivered before it and more than 3 days
/// (moved off days off) before it came: delivered late.</param>
/// <param name="OldestLate">The oldest production time among those records, or null.</param>
public sealed record FreshnessDelivery(DateTimeOffset At, DateTimeOffset? ProducedNewest = null, long LateRows = 0, DateTimeOffset? OldestLate = null);

/// <summary>What the freshness check needs of a catalogue entry (read as a projection: a large catalogue is not
/// deserialised whole every quarter of an hour).</summary>
/// <param name="EntryId">The entry.</param>
/// <param name="Provider">The providing agency's code.</param>
/// <param name="Name">The entry's name.</param>
/// <param name="Deadline">The deadline class.</param>
/// <param name="Schedule">The custom schedule.</param>
/// <param name="RegisteredAt">When it was first catalogued.</param>
public sealed record FreshnessSubject(string EntryId, string Provider, LocalizedName Name, UpdateDeadline Deadline, UpdateSchedule? Schedule, DateTimeOffset RegisteredAt)
{
    /// <summary>The entry's production-time column (<see cref="CatalogueEntry.ProducedAt"/>), or null. A property, not a
    /// constructor parameter, so that subjects built before it existed still compile.</summary>
    public string? ProducedAt { get; init; }

    /// <summary>The subject of a full entry.</summary>
    public static FreshnessSubject Of(CatalogueEntry entry, DateTimeOffset registeredAt) =>
        new(entry.Id, entry.Agency.Code, entry.Name, entry.UpdateDeadline, entry.Schedule, registeredAt) { ProducedAt = entry.ProducedAt };
}

/// <summary>The update deadlines of GZ 17 as one function: real time (a delivery at least every
/// <see cref="FreshnessOptions.RealTimeInterval"/>), within 3 days (of the newest production time delivered, for an entry
/// with a production-time column; otherwise the next delivery within 3 days of the last one), quarterly (a delivery
/// within the first 10 days of each quarter's first month) and custom (a cron schedule and a grace). A deadline that
/// falls on a day off moves to the end of the next working day; delinquency counts working days.</summary>
/// <remarks>Each entry point takes either delivery times or <see cref="FreshnessDelivery"/> records (with what the
/// deliveries carried); the times overloads are kept for callers that have no more, and win for an empty
/// <c>[]</c>.</remarks>
public static class FreshnessRules
{
    /// <summary>How long after its production a record must be delivered (GZ 17).</summary>
    public static readonly TimeSpan ProductionWindow = TimeSpan.FromDays(3);

    /// <summary>Works out an entry's state at <paramref name="now"/>.</summary>
    /// <param name="entry">The catalogue entry.</param>
    /// <param name="registeredAt">When the entry was first catalogued (the clock of a dataset never delivered).</param>
    /// <param name="deliveries">Delivery times, any order (those since the previous quarter are enough).</param>
    /// <param name="calendar">The working-day calendar.</param>
    /// <param name="options">The options.</param>
    /// <param name="now">The moment.</param>
    [OverloadResolutionPriority(1)]
    public static FreshnessStatus Evaluate(CatalogueEntry entry, DateTimeOffset registeredAt, IReadOnlyList<DateTimeOffset> deliveries,
        WorkingCalendar calendar, FreshnessOptions options, DateTimeOffset now) =>
        Evaluate(FreshnessSubject.Of(entry, registeredAt), Times(deliveries), calendar, options, now);

    /// <summary>Works out an entry's state at <paramref name="now"/> from what its deliveries carried.</summary>
    public static FreshnessStatus Evaluate(CatalogueEntry entry, DateTimeOffset registeredAt, IReadOnlyList<FreshnessDelivery> deliveries,
        WorkingCalendar calendar, FreshnessOptions options, DateTimeOffset now) =>
        Evaluate(FreshnessSubject.Of(entry, registeredAt), deliveries, calendar, options, now);

    /// <summary>Works out a subject's state at <paramref name="now"/>.</summary>
    [OverloadResolutionPriority(1)]
    public static FreshnessStatus Evaluate(FreshnessSubject entry, IReadOnlyList<DateTimeOffset> deliveries,
        WorkingCalendar calendar, FreshnessOptions options, DateTimeOffset now) =>
        Evaluate(entry, Times(deliveries), calendar, options, now);

    /// <summary>Works out a subject's state at <paramref name="now"/> from what its deliveries carried: for a 3-day entry
    /// with a production-time column, the deadline is 3 days after the newest production time delivered, and a delivery
    /// that carried records older than that (late rows) meets no deadline.</summary>
    /// <param name="entry">The subject.</param>
    /// <param name="deliveries">Its deliveries, any order (those since the previous quarter are enough, with the one that
    /// carried the newest production time).</param>
    /// <param name="calendar">The working-day calendar.</param>
    /// <param name="options">The options.</param>
    /// <param name="now">The moment.</param>
    public static FreshnessStatus Evaluate(FreshnessSubject entry, IReadOnlyList<FreshnessDelivery> deliveries,
        WorkingCalendar calendar, FreshnessOptions options, DateTimeOffset now)
    {
        var past = deliveries.Where(d => d.At <= now).ToList();
        DateTimeOffset? last = past.Count == 0 ? null : past.Max(d => d.At);
        var since = last ?? entry.RegisteredAt;
        var name = ClassName(entry.Deadline);
        switch (entry.Deadline)
        {
            case UpdateDeadline.RealTime:
            {
                var deadline = since + options.RealTimeInterval;
                return Status(entry, name, deadline, deadline - options.RealTimeWarning, deadline + options.RealTimeGrace, last, last, now,
                    last is null ? "never delivered" : $"real-time data: a delivery at least every {options.RealTimeInterval.TotalMinutes:0} min");
            }

            case UpdateDeadline.Quarterly:
            {
                var quarter = QuarterStart(now);
                var deadline = OnWorkingDay(calendar, EndOfDay(quarter.AddDays(9)));
                var inQuarter = past.Select(d => d.At).Where(d => d >= quarter).ToList();

                // Catalogued after this quarter's deadline: the first deadline that applies is next quarter's.
                if (inQuarter.Count > 0 || entry.RegisteredAt > deadline)
                {
                    if (inQuarter.Count == 0)
                    {
                        var first = OnWorkingDay(calendar, EndOfDay(quarter.AddMonths(3).AddDays(9)));
                        return Status(entry, name, first, first - options.WarningWindow, Grace(calendar, first, options.GraceWorkingDays), last, null, now,
                            "quarterly data catalogued after this quarter's deadline: first due next quarter");
                    }

                    var next = OnWorkingDay(calendar, EndOfDay(quarter.AddMonths(3).AddDays(9)));
                    var onTime = inQuarter.Any(d => d <= deadline);
                    return new FreshnessStatus(entry.EntryId, entry.Provider, name, FreshnessState.Fresh, next, last, onTime ? inQuarter.Where(d => d <= deadline).Max() : null,
                        onTime ? "delivered this quarter within its first 10 days" : $"delivered this quarter, late (after {ChinaTime.ToChina(deadline):yyyy-MM-dd HH:mm})");
                }

                return Status(entry, name, deadline, deadline - options.WarningWindow, Grace(calendar, deadline, options.GraceWorkingDays), last, null, now,
                    "quarterly data: a delivery within the first 10 days of the quarter's first month");
            }

            case UpdateDeadline.Custom when entry.Schedule is { } schedule:
            {
                // The occurrence the last delivery met is the first one its grace covers (a delivery the evening before
                // the scheduled time meets it); the next delivery is due by the occurrence after that, plus the grace.
                var cron = Crons.GetOrAdd(schedule.Cron, static text => CronExpression.Parse(text));
                var grace = TimeSpan.FromHours(schedule.GraceHours);
                var occurrence = last is { } delivered
                    ? cron.GetNextOccurrence(delivered - grace, ChinaTime.Zone, inclusive: true) is { } met ? cron.GetNextOccurrence(met, ChinaTime.Zone) : null
                    : cron.GetNextOccurrence(entry.RegisteredAt, ChinaTime.Zone);
                var deadline = occurrence is { } due ? OnWorkingDay(calendar, due + grace) : DateTimeOffset.MaxValue;
                return Status(entry, name, deadline, deadline - options.WarningWindow, Grace(calendar, deadline, options.GraceWorkingDays), last, last, now,
                    $"scheduled data: a delivery by each occurrence of '{schedule.Cron}' plus {schedule.GraceHours:0.#} h");
            }

            case UpdateDeadline.Within3Days when entry.ProducedAt is not null && past.Any(d => d.ProducedNewest is not null):
                return FromProduction(entry, name, past, calendar, options, now);

            default:
            {
                var deadline = OnWorkingDay(calendar, since + ProductionWindow);
                return Status(entry, name, deadline, deadline - options.WarningWindow, Grace(calendar, deadline, options.GraceWorkingDays), last, last, now,
                    last is null ? "never delivered" : "business data: delivered within 3 days of being produced");
            }
        }
    }

    /// <summary>The deadline of a record produced at <paramref name="produced"/>: 3 days later, moved to the end of the
    /// next working day when that falls on a day off. Ingestion counts a record delivered after it as late.</summary>
    public static DateTimeOffset ProductionDeadline(WorkingCalendar calendar, DateTimeOffset produced) =>
        OnWorkingDay(calendar, produced + ProductionWindow);

    /// <summary>One delivery of a 3-day entry with production times, with the deadline in force when it came.</summary>
    /// <param name="Delivery">The delivery.</param>
    /// <param name="Deadline">The deadline it was judged against.</param>
    /// <param name="Met">True when it came by the deadline and carried no late records.</param>
    internal readonly record struct ProductionStep(FreshnessDelivery Delivery, DateTimeOffset Deadline, bool Met);

    /// <summary>Walks a 3-day entry's deliveries in time order. Until production times arrive, each delivery is judged
    /// against 3 days after the one before (or the registration); from then on the deadline is 3 days after the newest
    /// production time delivered, and a delivery is judged when it brings newer records (or late ones): one that
    /// brings nothing new neither meets nor misses the deadline, which still waits for the next record produced.</summary>
    /// <returns>The judged deliveries, the deadline after the last delivery, and the newest production time.</returns>
    internal static (List<ProductionStep> Steps, DateTimeOffset Deadline, DateTimeOffset? Newest) ProductionWalk(
        FreshnessSubject entry, IEnumerable<FreshnessDelivery> sorted, WorkingCalendar calendar)
    {
        var steps = new List<ProductionStep>();
        DateTimeOffset? newest = null;
        var deadline = OnWorkingDay(calendar, entry.RegisteredAt + ProductionWindow);
        foreach (var delivery in sorted)
        {
            var newer = delivery.ProducedNewest is { } produced && (newest is null || produced > newest);
            if (newest is null || newer || delivery.LateRows > 0)
            {
                steps.Add(new ProductionStep(delivery, deadline, delivery.At <= deadline && delivery.LateRows == 0));
            }

            if (newer)
            {
                newest = delivery.ProducedNewest;
            }

            deadline = newest is { } from ? ProductionDeadline(calendar, from) : OnWorkingDay(calendar, delivery.At + ProductionWindow);
        }

        return (steps, deadline, newest);
    }

    private static FreshnessStatus FromProduction(FreshnessSubject entry, string name, List<FreshnessDelivery> past, WorkingCalendar calendar,
        FreshnessOptions options, DateTimeOffset now)
    {
        var (steps, deadline, newest) = ProductionWalk(entry, past.OrderBy(d => d.At), calendar);
        var lastMet = steps.FindLastIndex(s => s.Met);
        var newestText = ChinaTime.ToChina(newest!.Value).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var reason = $"business data: records produced after {newestText} (the newest delivered) are due within 3 days of being produced";

        // Every judged delivery since the last on-time one: how many records came late, and by up to how much.
        var late = steps.Skip(lastMet + 1).Where(s => s.Delivery.LateRows > 0).ToList();
        if (late.Count > 0)
        {
            var rows = late.Sum(s => s.Delivery.LateRows);
            var worst = late.Max(s => s.Delivery.At - ProductionDeadline(calendar, s.Delivery.OldestLate ?? s.Delivery.At));
            var oldest = late.Min(s => s.Delivery.OldestLate ?? s.Delivery.At);
            reason = string.Create(CultureInfo.InvariantCulture,
                $"{rows:N0} record(s) delivered more than 3 days after being produced {(lastMet < 0 ? "so far" : "since the last on-time delivery")}, up to {Math.Max(0, worst.TotalDays):0.#} day(s) " +
                $"after their deadline (the oldest produced {ChinaTime.ToChina(oldest):yyyy-MM-dd HH:mm}); {reason}");
        }

        return Status(entry, name, deadline, deadline - options.WarningWindow, Grace(calendar, deadline, options.GraceWorkingDays),
            past.Max(d => d.At), lastMet < 0 ? null : steps[lastMet].Delivery.At, now, reason);
    }

    private static FreshnessDelivery[] Times(IReadOnlyList<DateTimeOffset> deliveries)
    {
        var records = new FreshnessDelivery[deliveries.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new FreshnessDelivery(deliveries[i]);
        }

        return records;
    }

    /// <summary>The YAML spelling of a deadline class.</summary>
    public static string ClassName(UpdateDeadline deadline) => deadline switch
    {
        UpdateDeadline.RealTime => "real_time",
        UpdateDeadline.Quarterly => "quarterly",
        UpdateDeadline.Custom => "custom",
        _ => "within_3_days",
    };

    /// <summary>True when the text is a five-field cron expression.</summary>
    public static bool TryParseCron(string? cron, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            problem = "it is empty";
            return false;
        }

        try
        {
            CronExpression.Parse(cron);
            problem = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            problem = ex.Message;
            return false;
        }
    }

    internal static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CronExpression> Crons = new(StringComparer.Ordinal);

    private static FreshnessStatus Status(FreshnessSubject entry, string name, DateTimeOffset deadline, DateTimeOffset dueFrom, DateTimeOffset delinquentFrom,
        DateTimeOffset? last, DateTimeOffset? lastMet, DateTimeOffset now, string reason)
    {
        var state = now >= delinquentFrom ? FreshnessState.Delinquent
            : now >= deadline ? FreshnessState.Overdue
            : now >= dueFrom ? FreshnessState.Due
            : FreshnessState.Fresh;
        return new FreshnessStatus(entry.EntryId, entry.Provider, name, state, deadline, last, lastMet, reason);
    }

    // Working days after the deadline's own day (a deadline at 24:00 belongs to the day that ends there).
    private static DateTimeOffset Grace(WorkingCalendar calendar, DateTimeOffset deadline, int days) =>
        deadline == DateTimeOffset.MaxValue ? deadline : calendar.AddWorkingDays(deadline - TimeSpan.FromTicks(1), days);

    // China time: the quarter of the instant, from its first day's midnight.
    internal static DateTimeOffset QuarterStart(DateTimeOffset instant)
    {
        var local = ChinaTime.ToChina(instant);
        return new DateTimeOffset(local.Year, ((local.Month - 1) / 3 * 3) + 1, 1, 0, 0, 0, ChinaTime.Offset);
    }

    // The end (24:00 China time) of the instant's day.
    internal static DateTimeOffset EndOfDay(DateTimeOffset instant)
    {
        var local = ChinaTime.ToChina(instant);
        return new DateTimeOffset(local.Year, local.Month, local.Day, 0, 0, 0, ChinaTime.Offset).AddDays(1);
    }

    // A deadline on a day off moves to the end of the next working day (the instant 24:00 belongs to the day before it).
    internal static DateTimeOffset OnWorkingDay(WorkingCalendar calendar, DateTimeOffset deadline)
    {
        var day = DateOnly.FromDateTime(ChinaTime.ToChina(deadline - TimeSpan.FromTicks(1)).DateTime);
        return calendar.IsWorkingDay(day) ? deadline : calendar.AddWorkingDays(deadline - TimeSpan.FromTicks(1), 1);
    }
}
