using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace GovShare.Lake.Bench;

/// <summary>One measured figure next to its baseline.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Value">The figure (higher is better for rates).</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Baseline">DuckDB's figure for the same raw work, or null where there is no baseline.</param>
/// <param name="Goal">The goal, in words.</param>
/// <param name="Passed">Whether the goal is met, or null where the goal is not a ratio.</param>
/// <param name="Extra">Anything else worth reading next to the figure (peak memory, wall time).</param>
internal sealed record BenchResult(string Name, double Value, string Unit, double? Baseline, string Goal, bool? Passed, string Extra)
{
    public double? Ratio => Baseline is > 0 ? Value / Baseline : null;
}

internal static class BenchReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string ToMarkdown(string title, IReadOnlyList<BenchResult> results, string notes)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"## {title}");
        text.AppendLine();
        text.AppendLine(Invariant, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine()}.");
        text.AppendLine();
        text.AppendLine("| figure | value | DuckDB baseline | ratio (ours / DuckDB) | goal | met | notes |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- | --- | --- |");
        foreach (var result in results)
        {
            var baseline = result.Baseline is { } b ? $"{Number(b)} {result.Unit}" : "—";
            var ratio = result.Ratio is { } r ? r.ToString("0.00", Invariant) + "×" : "—";
            var met = result.Passed switch { true => "yes", false => "**no**", null => "—" };
            text.AppendLine(Invariant, $"| {result.Name} | {Number(result.Value)} {result.Unit} | {baseline} | {ratio} | {result.Goal} | {met} | {result.Extra} |");
        }

        text.AppendLine();
        text.AppendLine(notes);
        return text.ToString();
    }

    /// <summary>Whole numbers from 100 up (rates), one decimal below that and two below 10 (milliseconds, seconds).</summary>
    private static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "N0" : Math.Abs(value) >= 10 ? "N1" : "N2", Invariant);

    /// <summary>Replaces the section with this title (up to the next "## ") or appends it.</summary>
    public static void WriteSection(string file, string title, string section)
    {
        var existing = File.Exists(file) ? File.ReadAllText(file) : "# Benchmarks\n\nEvery figure is measured next to DuckDB doing the same raw work, in the same run, on the machine named.\n";
        var heading = $"## {title}";
        var start = existing.IndexOf(heading, StringComparison.Ordinal);
        string updated;
        if (start < 0)
        {
            updated = existing.TrimEnd() + "\n\n" + section;
        }
        else
        {
            var end = existing.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
            updated = existing[..start] + section + (end < 0 ? string.Empty : existing[(end + 1)..]);
        }

        File.WriteAllText(file, updated.TrimEnd() + "\n");
    }

    public static string Machine()
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        var memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({cpu}), {memoryGiB.ToString("0", Invariant)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
