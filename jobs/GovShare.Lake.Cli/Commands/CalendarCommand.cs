using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Calendar;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare calendar show|set|deadline</c>: the working-day calendar of a lake folder.</summary>
internal static class CalendarCommand
{
    public static Command Create(CliConsole console)
    {
        var calendar = new Command("calendar",
            "The working-day calendar every deadline uses: public holidays and adjusted working weekends, shipped for the years announced so far; " +
            "the operator's own files in calendar/ of the lake folder replace a year.");
        calendar.Subcommands.Add(Show(console));
        calendar.Subcommands.Add(Set(console));
        calendar.Subcommands.Add(Deadline(console));
        return calendar;
    }

    private static Argument<int> YearArgument() => new("YEAR") { Description = "The year, e.g. 2026." };

    private static Command Show(CliConsole console)
    {
        var year = YearArgument();
        var lake = PlatformContext.LakeOption();
        var command = new Command("show", "Print a year's holidays and adjusted working days (kind, date, name), and where they come from.") { year, lake };
        command.SetAction((parseResult, _) =>
        {
            var loaded = WorkingCalendar.Load(Path.GetFullPath(parseResult.GetValue(lake)!));
            var y = parseResult.GetValue(year);
            if (!loaded.Years.TryGetValue(y, out var data))
            {
                console.Error.WriteLine($"govshare calendar show: no data for {y}: deadlines in it count weekends only. Load it with 'govshare calendar set {y} FILE'.");
                return Task.FromResult(ExitCodes.Failure);
            }

            console.Out.WriteLine($"# {y} ({data.Source})");
            foreach (var (kind, date, name) in data.Holidays.Select(h => ("holiday", h.Key, h.Value)).Concat(data.Workdays.Select(w => ("workday", w.Key, w.Value))).OrderBy(d => d.Item2))
            {
                console.Out.WriteLine($"{kind},{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)},{name}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Set(CliConsole console)
    {
        var year = YearArgument();
        var file = new Argument<FileInfo>("FILE") { Description = "The year's file: lines kind,date,name (kind holiday or workday); # starts a comment." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("set",
            "Replace a year with the operator's file, after checking it (a date outside the year, a weekday marked as an adjusted working day, " +
            "a date listed twice are refused with the line). A running server picks it up when it next loads the calendar (restart, or use PUT /api/calendar/YEAR).")
        {
            year,
            file,
            lake,
        };
        command.SetAction((parseResult, _) =>
        {
            var path = parseResult.GetValue(file)!;
            if (!path.Exists)
            {
                console.Error.WriteLine($"govshare calendar set: {path.FullName} does not exist.");
                return Task.FromResult(ExitCodes.Usage);
            }

            try
            {
                var saved = WorkingCalendar.Save(Path.GetFullPath(parseResult.GetValue(lake)!), parseResult.GetValue(year), File.ReadAllText(path.FullName));
                AdminAudit.Record(parseResult.GetValue(lake)!, "calendar.set", [$"calendar/{saved.Year}"], "allowed", ExitCodes.Success);
                console.Out.WriteLine($"{saved.Year}: {saved.Holidays.Count} holidays and {saved.Workdays.Count} adjusted working days saved.");
                return Task.FromResult(ExitCodes.Success);
            }
            catch (LakeException ex)
            {
                console.Error.WriteLine($"govshare calendar set: {ex.Message.Replace($"calendar {parseResult.GetValue(year)}", path.FullName, StringComparison.Ordinal)}");
                return Task.FromResult(ExitCodes.Failure);
            }
        });
        return command;
    }

    private static Command Deadline(CliConsole console)
    {
        var from = new Option<string>("--from") { Description = "The start: an ISO 8601 instant or date (China time without an offset). Default: now.", HelpName = "TIME" };
        var days = new Option<int>("--days") { Description = "Working days.", HelpName = "N", Required = true };
        var lake = PlatformContext.LakeOption();
        var command = new Command("deadline",
            "Print the deadline N working days after an instant: the end (24:00 China time) of the N-th working day after its day. " +
            "Exit code 0, or 1 when a year without data was counted with weekends only.")
        {
            from,
            days,
            lake,
        };
        command.SetAction((parseResult, _) =>
        {
            var start = DateTimeOffset.UtcNow;
            if (parseResult.GetValue(from) is { } text && !ChinaTime.TryParseInstant(text, out start))
            {
                console.Error.WriteLine($"govshare calendar deadline: --from '{text}' is not an ISO 8601 instant or date.");
                return Task.FromResult(ExitCodes.Usage);
            }

            if (parseResult.GetValue(days) is < 0 or > 3650)
            {
                console.Error.WriteLine("govshare calendar deadline: --days must be 0 to 3650.");
                return Task.FromResult(ExitCodes.Usage);
            }

            var loaded = WorkingCalendar.Load(Path.GetFullPath(parseResult.GetValue(lake)!));
            var deadline = loaded.AddWorkingDays(start, parseResult.GetValue(days));
            console.Out.WriteLine(deadline.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            foreach (var missing in loaded.MissingYears)
            {
                console.Error.WriteLine($"warning: no calendar data for {missing}: its weekends only were skipped.");
            }

            return Task.FromResult(loaded.MissingYears.Count == 0 ? ExitCodes.Success : ExitCodes.Failure);
        });
        return command;
    }
}
