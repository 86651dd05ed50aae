using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Calendar;
using GovShare.Lake.Freshness;
using GovShare.Lake.Platform;
using GovShare.Lake.Scorecards;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare scorecard</c>: a period's provider scorecards and usage report, as JSON, a CSV table or the
/// evaluation report in HTML — the same figures as <c>GET /api/scorecards</c>, for an operator publishing the yearly
/// report from a script.</summary>
internal static class ScorecardCommand
{
    private static readonly JsonSerializerOptions Json = new(DuckDbPlatformStore.Json) { WriteIndented = true };

    public static Command Create(CliConsole console)
    {
        var period = new Option<string?>("--period") { Description = "A year (2026), a quarter (2026-Q3) or a month (2026-07); default this year (China time)." };
        var format = new Option<string>("--format") { Description = "json, csv or html (the evaluation report).", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "csv", "html");
        var table = new Option<string>("--table") { Description = "With --format csv: providers, datasets, consumers or purposes.", DefaultValueFactory = _ => "providers" };
        table.AcceptOnlyFromAmong([.. ScorecardFormats.Tables]);
        var english = new Option<bool>("--english") { Description = "With --format html: the report in English (default Chinese)." };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("scorecard",
            "Provider scorecards of a period (ZZ 31, GZ 30, XY 27): deliveries, rows provided, on-time rate against the update deadlines, freshness, " +
            "quarantine rate, mismatch reports, use of its data by others (from the audit trail); and each agency's use by purpose. Exit 1 when the " +
            "period is unreadable.")
        {
            period,
            format,
            table,
            english,
            output,
            lake,
        };
        command.SetAction((parseResult, _) =>
        {
            var text = parseResult.GetValue(period) ?? ChinaTime.ToChina(DateTimeOffset.UtcNow).Year.ToString(CultureInfo.InvariantCulture);
            if (ScorecardPeriod.Parse(text, out var problem) is not { } parsed)
            {
                console.Error.WriteLine($"govshare scorecard: {problem}");
                return Task.FromResult(ExitCodes.Usage);
            }

            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var cards = new ScorecardBuilder(context.Store, context.Layout.Root, WorkingCalendar.Load(context.Layout.Root), new FreshnessOptions())
                .Build(parsed, ScorecardBuilder.MismatchFacts(context.Store), DateTimeOffset.UtcNow);
            var rendered = parseResult.GetValue(format) switch
            {
                "csv" => ScorecardFormats.Csv(cards, parseResult.GetValue(table)!),
                "html" => ScorecardFormats.Html(cards, parseResult.GetValue(english)),
                _ => JsonSerializer.Serialize(cards, Json) + "\n",
            };
            if (parseResult.GetValue(output) is { } file)
            {
                File.WriteAllText(file, rendered, new UTF8Encoding(encoderShouldEmitUTF8Identifier: parseResult.GetValue(format) == "csv"));
                console.Error.WriteLine($"{cards.Providers.Count} providers, {cards.Consumers.Count} using agencies, {cards.Period} as of " +
                    $"{ChinaTime.ToChina(cards.AsOf):yyyy-MM-dd HH:mm} → {file}");
            }
            else
            {
                console.Out.Write(rendered);
            }

            AdminAudit.Record(context.Layout.Root, "scorecard", ["scorecards:" + cards.Period], "allowed", ExitCodes.Success);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
