namespace GovShare.Lake.Bench;

/// <summary>Statistics and machine facts every benchmark reports.</summary>
internal static class BenchStats
{
    /// <summary>The 1-minute load average (other work on the machine skews every figure), or "unknown".</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>Nearest-rank percentile; zero for no values.</summary>
    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The median of <paramref name="runs"/> measurements (at least one).</summary>
    public static double Median(int runs, Func<double> measure)
    {
        var times = Enumerable.Range(0, Math.Max(1, runs)).Select(_ => measure()).Order().ToArray();
        return times[times.Length / 2];
    }
}
