using System.Globalization;

namespace GovShare.Lake.Bench.City;

/// <summary>One figure of the city-scale run next to DuckDB's figure for the same raw work, with its goal.</summary>
/// <param name="Figure">The <c>--only</c> name of the group it belongs to.</param>
/// <param name="Name">What was measured.</param>
/// <param name="Value">The figure; null when measuring it failed (see <see cref="Error"/>).</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Baseline">DuckDB's (or, for bytes on disk, the raw deliveries') figure for the same work.</param>
/// <param name="Goal">The goal, in words.</param>
/// <param name="Pass">Whether the goal is met; null where no goal is set.</param>
/// <param name="Notes">What else is worth reading next to it.</param>
internal sealed record CityFigure(string Figure, string Name, double? Value, string Unit, double? Baseline, string Goal, bool? Pass, string Notes)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Value / baseline (ours over DuckDB's); null without both.</summary>
    public double? Ratio => Value is { } value && Baseline is > 0 ? value / Baseline : null;

    /// <summary>By how much the goal is missed, in words; null when met or when there is no goal.</summary>
    public string? MissedBy { get; init; }

    /// <summary>What limits the figure, from what the run measured beside it (a profile, a split of the time).</summary>
    public string? Limits { get; init; }

    /// <summary>Why the figure could not be measured; null when it was.</summary>
    public string? Error { get; init; }

    /// <summary>A figure that could not be measured: it counts as failed.</summary>
    public static CityFigure Failed(string figure, string name, string goal, Exception error) =>
        new(figure, name, null, string.Empty, null, goal, false, string.Empty) { Error = error.GetType().Name + ": " + error.Message };

    /// <summary>A figure with no goal, its ratio to the baseline reported.</summary>
    public static CityFigure NoGoal(string figure, string name, double value, string unit, double baseline, string notes) =>
        new(figure, name, value, unit, baseline, "none set; ratio reported", null, notes);

    /// <summary>Goal: value / baseline ≥ <paramref name="least"/> (rates).</summary>
    public static CityFigure RatioAtLeast(string figure, string name, double value, string unit, double baseline, double least, string notes)
    {
        var ratio = value / baseline;
        var pass = ratio >= least;
        return new CityFigure(figure, name, value, unit, baseline, Inv($"≥ {least:0.0#}× DuckDB"), pass, notes)
        {
            MissedBy = pass ? null : Inv($"{ratio:0.00}× against ≥ {least:0.0#}×: {Number(least * baseline - value)} {unit} short ({(least / ratio):0.0}× too slow)"),
        };
    }

    /// <summary>Goal: value / baseline ≤ <paramref name="most"/> (times).</summary>
    public static CityFigure RatioAtMost(string figure, string name, double value, string unit, double baseline, double most, string notes)
    {
        var ratio = value / baseline;
        var pass = ratio <= most;
        return new CityFigure(figure, name, value, unit, baseline, Inv($"≤ {most:0.0#}× DuckDB"), pass, notes)
        {
            MissedBy = pass ? null : Inv($"{ratio:0.00}× against ≤ {most:0.0#}×: {Number(value - (most * baseline))} {unit} over ({(ratio / most):0.0}× the allowance)"),
        };
    }

    /// <summary>Goal: value ≤ <paramref name="limit"/> in the figure's unit (latencies, seconds).</summary>
    public static CityFigure AtMost(string figure, string name, double value, string unit, double baseline, double limit, string goal, string notes)
    {
        var pass = value <= limit;
        return new CityFigure(figure, name, value, unit, baseline, goal, pass, notes)
        {
            MissedBy = pass ? null : Inv($"{Number(value)} {unit} against ≤ {Number(limit)} {unit}: {Number(value - limit)} {unit} over ({value / limit:0.0}× the limit)"),
        };
    }

    /// <summary>Goal: value ≥ <paramref name="limit"/> in the figure's unit (throughput).</summary>
    public static CityFigure AtLeast(string figure, string name, double value, string unit, double baseline, double limit, string goal, string notes)
    {
        var pass = value >= limit;
        return new CityFigure(figure, name, value, unit, baseline, goal, pass, notes)
        {
            MissedBy = pass ? null : Inv($"{Number(value)} {unit} against ≥ {Number(limit)} {unit}: {Number(limit - value)} {unit} short ({limit / value:0.0}× too slow)"),
        };
    }

    /// <summary>Whole numbers from 100 up, one decimal below that and two below 10.</summary>
    public static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "N0" : Math.Abs(value) >= 10 ? "N1" : "N2", Invariant);

    private static string Inv(FormattableString text) => text.ToString(Invariant);
}
