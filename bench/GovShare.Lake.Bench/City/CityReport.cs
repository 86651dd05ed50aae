using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GovShare.Lake.Bench.City;

/// <summary>The city-scale run as JSON (one entry per figure) and as a Markdown section for docs/benchmarks.md.</summary>
internal static class CityReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>True when every figure was measured and no goal was missed.</summary>
    public static bool AllMet(CityRun run) => run.Figures.All(f => f.Pass != false && f.Error is null);

    public static string ToJson(CityRun run, DateTimeOffset measuredAt)
    {
        var figures = new JsonArray();
        foreach (var figure in run.Figures)
        {
            figures.Add(new JsonObject
            {
                ["figure"] = figure.Figure,
                ["name"] = figure.Name,
                ["value"] = figure.Value,
                ["unit"] = figure.Unit,
                ["baseline"] = figure.Baseline,
                ["ratio"] = figure.Ratio,
                ["goal"] = figure.Goal,
                ["pass"] = figure.Pass,
                ["missedBy"] = figure.MissedBy,
                ["limits"] = figure.Limits,
                ["error"] = figure.Error,
                ["notes"] = figure.Notes,
            });
        }

        var datasets = new JsonArray();
        foreach (var dataset in run.Datasets)
        {
            datasets.Add(new JsonObject { ["id"] = dataset.Id, ["format"] = dataset.Format, ["rows"] = dataset.Rows });
        }

        var root = new JsonObject
        {
            ["title"] = CityBenchmark.Title,
            ["measuredAt"] = measuredAt.ToString("O", Invariant),
            ["passed"] = AllMet(run),
            ["scale"] = new JsonObject
            {
                ["persons"] = run.Options.Persons,
                ["entities"] = run.Options.Entities,
                ["licences"] = run.Options.Licences,
                ["mergeRows"] = run.Options.MergeRows,
                ["clients"] = run.Options.Clients,
                ["lookupSeconds"] = run.Options.LookupSeconds,
                ["deliveryBytes"] = run.DeliveryBytes,
                ["datasets"] = datasets,
            },
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["memoryGiB"] = Math.Round(MemoryGiB(), 1),
                ["cpu"] = Cpu(),
                ["os"] = RuntimeInformation.OSDescription,
                ["loadAverage"] = BenchStats.LoadAverage(),
            },
            ["versions"] = VersionsJson(run),
            ["figures"] = figures,
        };
        return root.ToJsonString(Indented);
    }

    public static string ToMarkdown(CityRun run, DateTimeOffset measuredAt)
    {
        var options = run.Options;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"## {CityBenchmark.Title}");
        text.AppendLine();
        text.AppendLine(Invariant, $"Measured {measuredAt:yyyy-MM-dd HH:mm} UTC at **{options.Persons:N0} persons, {options.Entities:N0} entities, {options.Licences:N0} licences** ");
        text.AppendLine(Invariant, $"(the goals are set for 13 M persons, 3 M entities, 5 M licences; load average {BenchStats.LoadAverage()} at the end).");
        text.AppendLine();
        text.AppendLine(Invariant, $"- Machine: {Environment.ProcessorCount} cores, {MemoryGiB():0} GiB, {Cpu()}, {RuntimeInformation.OSDescription}.");
        text.AppendLine("- Versions: " + string.Join(", ", Versions(run).Select(p => $"{p.Key} {p.Value}")) + ".");
        text.AppendLine(Invariant, $"- Data: {string.Join(", ", run.Datasets.Select(d => Inv($"`{d.Id}` {d.Rows:N0} ({d.Format})")))}; {run.DeliveryBytes / 1e6:N0} MB of deliveries; ");
        text.AppendLine(Invariant, $"  merge batch {options.MergeRows:N0} rows; lookups with {options.Clients} clients for {options.LookupSeconds} s.");
        text.AppendLine();
        text.AppendLine("| figure | value | baseline | ratio (ours / baseline) | goal | met | notes |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- | --- | --- |");
        foreach (var figure in run.Figures)
        {
            var value = figure.Value is { } v ? $"{CityFigure.Number(v)} {figure.Unit}" : "**failed**";
            var baseline = figure.Baseline is { } b ? $"{CityFigure.Number(b)} {figure.Unit}" : "—";
            var ratio = figure.Ratio is { } r ? r.ToString("0.00", Invariant) + "×" : "—";
            var met = figure.Error is not null ? "**failed**" : figure.Pass switch { true => "yes", false => "**no**", null => "—" };
            var notes = figure.Error is { } error ? "error: " + error : figure.Notes;
            text.AppendLine(Invariant, $"| {Cell(figure.Name)} | {value} | {baseline} | {ratio} | {Cell(figure.Goal)} | {met} | {Cell(notes)} |");
        }

        var missed = run.Figures.Where(f => f.Pass == false).ToList();
        text.AppendLine();
        if (missed.Count == 0)
        {
            text.AppendLine("Every goal measured here is met.");
        }
        else
        {
            text.AppendLine("**Goals missed, by how much:**");
            text.AppendLine();
            foreach (var figure in missed)
            {
                var limits = figure.Error is not null ? string.Empty
                    : " What limits it: " + (figure.Limits ?? "TODO — not profiled by the harness (the earlier sections of this file profile the figure on its own).");
                text.AppendLine(Invariant, $"- {figure.Name}: {(figure.Error is { } error ? "not measured (" + error + ")." : figure.MissedBy + ".")}{limits}");
            }
        }

        text.AppendLine();
        text.AppendLine(run.Notes);
        text.AppendLine();
        text.AppendLine("Baselines: DuckDB in the bench process on the same files in the same run; ours is `govshare serve` in its own process " +
            "(lookups, queries, export, cold start) or the lake library in the bench process (ingestion, merge, consistency check). The load generator " +
            "and the server share the machine's cores. Rerun: `./govshare bench --persons N --json FILE --markdown docs/benchmarks.md`.");
        return text.ToString();
    }

    private static Dictionary<string, string> Versions(CityRun run) => new()
    {
        ["GovShare Lake"] = GovShare.Lake.BuildInfo.Version,
        [".NET"] = Environment.Version.ToString(),
        ["DuckDB"] = run.DuckDbVersion,
        ["DuckDB.NET"] = typeof(DuckDB.NET.Data.DuckDBConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown",
    };

    private static JsonObject VersionsJson(CityRun run) => new(Versions(run).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static double MemoryGiB() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);

    private static string Cpu()
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }

        return "unknown CPU";
    }

    private static string Inv(FormattableString text) => text.ToString(Invariant);
}
