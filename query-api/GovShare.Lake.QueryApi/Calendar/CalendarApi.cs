using System.Globalization;
using GovShare.Lake.Audit;
using GovShare.Lake.Calendar;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Calendar;

/// <summary>The host's working-day calendar: loaded from the lake folder, reloaded when the operator replaces a year,
/// and a warning logged the first time a question reaches a year without data.</summary>
public sealed partial class CalendarService(IOptions<LakeOptions> lake, ILogger<CalendarService> logger)
{
    private readonly string _root = lake.Value.FullPath;
    private readonly HashSet<int> _warned = [];
    private WorkingCalendar? _calendar;

    /// <summary>The calendar in force.</summary>
    public WorkingCalendar Calendar => _calendar ??= WorkingCalendar.Load(_root);

    /// <summary>Replaces a year with the operator's file (checked first) and reloads.</summary>
    /// <exception cref="LakeException">The file is not valid (line and field named).</exception>
    public CalendarYear Replace(int year, string text)
    {
        var saved = WorkingCalendar.Save(_root, year, text);
        _calendar = WorkingCalendar.Load(_root);
        return saved;
    }

    /// <summary>Problems an operator should see: the current year (China time) without data, and years questions
    /// reached without data.</summary>
    public IReadOnlyList<string> Warnings(TimeProvider clock)
    {
        var calendar = Calendar;
        var year = ChinaTime.Today(clock).Year;
        var missing = calendar.MissingYears.ToHashSet();
        if (!calendar.Years.ContainsKey(year))
        {
            missing.Add(year);
        }

        List<int> newly;
        lock (_warned)
        {
            newly = missing.Where(_warned.Add).ToList();
        }

        foreach (var year2 in newly)
        {
            LogMissingYear(year2);
        }

        return missing.Order().Select(y => string.Create(CultureInfo.InvariantCulture,
            $"the working-day calendar has no data for {y}: deadlines in {y} count weekends only; load the year's holidays (PUT /api/calendar/{y} or 'govshare calendar set {y} FILE')")).ToList();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The working-day calendar has no data for {Year}: deadlines in it count weekends only")]
    private partial void LogMissingYear(int year);
}

/// <summary>A day off or a day worked.</summary>
/// <param name="Date">The date.</param>
/// <param name="Name">The holiday it belongs to.</param>
public sealed record CalendarDay(DateOnly Date, string Name);

/// <summary>A year of the calendar.</summary>
/// <param name="Year">The year.</param>
/// <param name="Source"><c>shipped</c>, <c>operator</c>, or <c>none</c> (weekends only).</param>
/// <param name="Holidays">Days off.</param>
/// <param name="Workdays">Weekend days worked instead.</param>
public sealed record CalendarYearView(int Year, string Source, IReadOnlyList<CalendarDay> Holidays, IReadOnlyList<CalendarDay> Workdays);

/// <summary>A deadline.</summary>
/// <param name="From">The start.</param>
/// <param name="Days">Working days.</param>
/// <param name="Deadline">The end of the last of them (China time).</param>
/// <param name="Warnings">Years counted with weekends only.</param>
public sealed record DeadlineView(DateTimeOffset From, int Days, DateTimeOffset Deadline, IReadOnlyList<string> Warnings);

/// <summary><c>/api/calendar</c>: the working-day calendar every deadline uses, and its replacement by the operator.</summary>
public static class CalendarApi
{
    /// <summary>Maps the calendar endpoints.</summary>
    public static IEndpointRouteBuilder MapCalendarApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/calendar").WithTags("Calendar").RequireAuthorization();
        group.MapGet("/{year:int}", GetYear).WithName("GetCalendarYear").WithSummary("A year's holidays and adjusted working days");
        group.MapPut("/{year:int}", PutYear).WithName("PutCalendarYear")
            .WithSummary("Replace a year (operator): the body is the year's file, lines kind,date,name (kind holiday or workday)")
            .Accepts<string>("text/csv", "text/plain")
            .RequireAuthorization(QueryApiHost.OperatorPolicy);
        group.MapGet("/deadline", GetDeadline).WithName("GetDeadline")
            .WithSummary("The deadline a number of working days after an instant (the end of the last working day, China time)");
        return endpoints;
    }

    internal static Results<Ok<CalendarYearView>, ProblemHttpResult> GetYear(int year, CalendarService calendars)
    {
        if (year is < 1900 or > 2200)
        {
            return TypedResults.Problem("year must be between 1900 and 2200.", statusCode: StatusCodes.Status400BadRequest, title: "Bad year");
        }

        return TypedResults.Ok(calendars.Calendar.Years.TryGetValue(year, out var data)
            ? new CalendarYearView(year, data.Source, Days(data.Holidays), Days(data.Workdays))
            : new CalendarYearView(year, "none", [], []));
    }

    internal static async Task<Results<Ok<CalendarYearView>, ProblemHttpResult>> PutYear(int year, HttpContext context, CalendarService calendars, AuditLog audit)
    {
        if (year is < 1900 or > 2200)
        {
            return TypedResults.Problem("year must be between 1900 and 2200.", statusCode: StatusCodes.Status400BadRequest, title: "Bad year");
        }

        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        try
        {
            var saved = calendars.Replace(year, text);
            audit.Append(AuditScope.EventOf(context, "PutCalendarYear", [$"calendar/{year}"], [], saved.Holidays.Count + saved.Workdays.Count, StatusCodes.Status200OK));
            return TypedResults.Ok(new CalendarYearView(year, saved.Source, Days(saved.Holidays), Days(saved.Workdays)));
        }
        catch (LakeException ex)
        {
            audit.Append(AuditScope.EventOf(context, "PutCalendarYear", [$"calendar/{year}"], [], null, StatusCodes.Status400BadRequest));
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid calendar");
        }
    }

    internal static Results<Ok<DeadlineView>, ProblemHttpResult> GetDeadline([FromQuery] string? from, [FromQuery] int? days, CalendarService calendars, TimeProvider clock)
    {
        var start = clock.GetUtcNow();
        if (from is not null && !ChinaTime.TryParseInstant(from, out start))
        {
            return TypedResults.Problem($"from '{from}' is not an ISO 8601 instant or date.", statusCode: StatusCodes.Status400BadRequest, title: "Bad from");
        }

        if (days is not (>= 0 and <= 3650))
        {
            return TypedResults.Problem("days must be 0 to 3650.", statusCode: StatusCodes.Status400BadRequest, title: "Bad days");
        }

        var deadline = calendars.Calendar.AddWorkingDays(start, days.Value);
        return TypedResults.Ok(new DeadlineView(ChinaTime.ToChina(start), days.Value, deadline, calendars.Warnings(clock)));
    }

    private static List<CalendarDay> Days(IReadOnlyDictionary<DateOnly, string> days) =>
        days.OrderBy(d => d.Key).Select(d => new CalendarDay(d.Key, d.Value)).ToList();
}
