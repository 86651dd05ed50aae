using System.Globalization;

namespace GovShare.Lake.Calendar;

/// <summary>One year's public holidays and adjusted working days.</summary>
/// <param name="Year">The year.</param>
/// <param name="Holidays">Days off that would otherwise be working days, with their names.</param>
/// <param name="Workdays">Weekend days worked instead (调休), with their names.</param>
/// <param name="Source">Where the year came from: <c>shipped</c> or the operator's file.</param>
public sealed record CalendarYear(int Year, IReadOnlyDictionary<DateOnly, string> Holidays, IReadOnlyDictionary<DateOnly, string> Workdays, string Source);

/// <summary>Working days in mainland China (DOMAIN.md, "Working days"): weekends and public holidays off, the adjusted
/// working weekends on. The data is one file per year (the State Council's annual notice), shipped for the years
/// announced so far and replaceable by the operator (<c>calendar/&lt;year&gt;.csv</c> in the lake folder wins); a year
/// without data counts weekends only and is reported in <see cref="MissingYears"/>. Every deadline in the platform is
/// counted here, in China time.</summary>
public sealed class WorkingCalendar
{
    private readonly Dictionary<int, CalendarYear> _years;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> _missing = new();

    private WorkingCalendar(Dictionary<int, CalendarYear> years)
    {
        _years = years;
    }

    /// <summary>The years with data, by year.</summary>
    public IReadOnlyDictionary<int, CalendarYear> Years => _years;

    /// <summary>Years a question needed but no data covers (weekends only were counted for them).</summary>
    public IReadOnlyCollection<int> MissingYears => _missing.Keys.Order().ToList();

    /// <summary>The shipped years, overridden by the operator's files in <c>calendar/</c> of the lake folder (when given).</summary>
    /// <exception cref="LakeException">An operator's file that cannot be read (file, line, field).</exception>
    public static WorkingCalendar Load(string? lakeRoot = null)
    {
        var years = new Dictionary<int, CalendarYear>();
        var assembly = typeof(WorkingCalendar).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var year = int.Parse(name[ResourcePrefix.Length..^4], CultureInfo.InvariantCulture);
            years[year] = Parse(reader.ReadToEnd(), year, "shipped", name);
        }

        if (lakeRoot is not null && Directory.Exists(Path.Combine(lakeRoot, FolderName)))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(lakeRoot, FolderName), "*.csv"))
            {
                if (int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
                {
                    years[year] = Parse(File.ReadAllText(file), year, "operator", file);
                }
            }
        }

        return new WorkingCalendar(years);
    }

    /// <summary>The folder, under the lake folder, of the operator's calendar files.</summary>
    public const string FolderName = "calendar";

    private const string ResourcePrefix = "GovShare.Lake.Reference.calendar.";

    /// <summary>Reads a year's file: <c>kind,date,name</c> lines (kind <c>holiday</c> or <c>workday</c>), <c>#</c> comments.</summary>
    /// <exception cref="LakeException">What is wrong and where (file, line, field).</exception>
    public static CalendarYear Parse(string text, int year, string source, string fileName)
    {
        var holidays = new Dictionary<DateOnly, string>();
        var workdays = new Dictionary<DateOnly, string>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split(',', 3);
            void Fail(string field, string message) =>
                throw new LakeException(LakeErrorKind.InvalidInput, $"{fileName}:{lineNumber}: {field}: {message}");
            if (fields.Length < 2)
            {
                Fail("line", "expected kind,date,name (kind holiday or workday).");
            }

            if (!DateOnly.TryParseExact(fields[1].Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                Fail("date", $"'{fields[1].Trim()}' is not a date as yyyy-MM-dd.");
            }

            if (date.Year != year)
            {
                Fail("date", $"{date:yyyy-MM-dd} is not in {year}.");
            }

            var name = fields.Length > 2 ? fields[2].Trim() : "";
            var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            switch (fields[0].Trim().ToLowerInvariant())
            {
                case "holiday":
                    holidays[date] = name;
                    break;
                case "workday" when !weekend:
                    Fail("date", $"{date:yyyy-MM-dd} is a {date.DayOfWeek}: an adjusted working day is a weekend day.");
                    break;
                case "workday":
                    workdays[date] = name;
                    break;
                default:
                    Fail("kind", $"'{fields[0].Trim()}' is neither holiday nor workday.");
                    break;
            }

            if (holidays.ContainsKey(date) && workdays.ContainsKey(date))
            {
                Fail("date", $"{date:yyyy-MM-dd} is listed both as a holiday and as a working day.");
            }
        }

        return new CalendarYear(year, holidays, workdays, source);
    }

    /// <summary>True when <paramref name="date"/> is a working day.</summary>
    public bool IsWorkingDay(DateOnly date)
    {
        var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        if (!_years.TryGetValue(date.Year, out var year))
        {
            _missing.TryAdd(date.Year, true);
            return !weekend;
        }

        return year.Workdays.ContainsKey(date) || (!weekend && !year.Holidays.ContainsKey(date));
    }

    /// <summary>The deadline <paramref name="days"/> working days after an instant: the end (24:00 China time) of the
    /// <paramref name="days"/>-th working day after the instant's day. The day of the instant itself does not count.</summary>
    public DateTimeOffset AddWorkingDays(DateTimeOffset instant, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var day = DateOnly.FromDateTime(ChinaTime.ToChina(instant).DateTime);
        for (var counted = 0; counted < days;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }

        return new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
    }

    /// <summary>Working days after the day of <paramref name="from"/> up to and including the day of <paramref name="to"/>
    /// (China time); negative when <paramref name="to"/> is earlier.</summary>
    public int WorkingDaysBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var start = DateOnly.FromDateTime(ChinaTime.ToChina(from).DateTime);
        var end = DateOnly.FromDateTime(ChinaTime.ToChina(to).DateTime);
        var sign = 1;
        if (end < start)
        {
            (start, end) = (end, start);
            sign = -1;
        }

        var count = 0;
        for (var day = start.AddDays(1); day <= end; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                count++;
            }
        }

        return sign * count;
    }

    /// <summary>Saves an operator's year into the lake folder after checking it; returns the parsed year.</summary>
    /// <exception cref="LakeException">The text is not a valid year file.</exception>
    public static CalendarYear Save(string lakeRoot, int year, string text)
    {
        var parsed = Parse(text, year, "operator", $"calendar {year}");
        var folder = Path.Combine(lakeRoot, FolderName);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, year.ToString(CultureInfo.InvariantCulture) + ".csv");
        var partial = path + ".partial";
        File.WriteAllText(partial, text);
        File.Move(partial, path, overwrite: true);
        return parsed;
    }

    /// <summary>The shipped years (for documentation and checks).</summary>
    public static IReadOnlyList<int> ShippedYears() =>
        typeof(WorkingCalendar).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => int.Parse(n[ResourcePrefix.Length..^4], CultureInfo.InvariantCulture)).Order().ToList();

}
