using System.Globalization;

namespace GovShare.Lake.Bench;

/// <summary>Peak resident memory from /proc (Linux); zero where it cannot be read.</summary>
internal static class ProcessMemory
{
    /// <summary>The peak resident set (VmHWM) of a process, default this one, in KiB.</summary>
    public static long PeakResidentKiB(int? pid = null) => StatusKiB(pid, "VmHWM:");

    /// <summary>The current resident set (VmRSS) of a process, default this one, in KiB.</summary>
    public static long ResidentKiB(int? pid = null) => StatusKiB(pid, "VmRSS:");

    /// <summary>A <c>/proc/PID/status</c> field in KiB (<c>VmHWM:\t 1234 kB</c>; from 8 digits on there is no space after the tab,
    /// so the line is split on any whitespace); zero where it cannot be read.</summary>
    internal static long StatusKiB(int? pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{(pid is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/status")
                .FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : ParseStatusKiB(line);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // not Linux, or the process has just exited
        }
    }

    /// <summary>The number in a status line such as <c>VmHWM:\t10485760 kB</c>.</summary>
    internal static long ParseStatusKiB(string line) =>
        long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>Resets a process's (default this one's) peak to its current resident set, so that the next reading is the peak
    /// of what runs in between (Linux 4.0 and later; elsewhere the reading stays the peak since start).</summary>
    public static void ResetPeak(int? pid = null)
    {
        try
        {
            File.WriteAllText($"/proc/{(pid is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The figure then covers the whole run so far, which the report says.
        }
    }

    public static string Format(long kib) => (kib / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MiB";
}
