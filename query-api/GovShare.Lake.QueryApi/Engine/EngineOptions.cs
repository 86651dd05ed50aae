namespace GovShare.Lake.QueryApi.Engine;

/// <summary>The query engine's limits. Bound from the <c>Engine</c> configuration section.</summary>
public sealed class EngineOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Engine";

    /// <summary>DuckDB worker threads. Default: the processor count.</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>DuckDB's memory limit (for all queries together), e.g. <c>8GB</c>. Default: half of the memory
    /// available to the process.</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>Where DuckDB spills when a query exceeds memory. Default: <c>tmp/duckdb</c> in the lake folder.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>How long one statement may run before it is interrupted. Default: 2 minutes — at city scale (13 M persons
    /// on 2 cores) a whole-population count over <c>population.persons</c> takes 25–30 s in DuckDB itself
    /// (docs/benchmarks.md), so 30 s refused an analyst's everyday question.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a theme export may run (exports read whole themes, at city scale for minutes). Default: 1 hour.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows in one JSON answer before a continuation token is returned. Default: 10 000.</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>How often the engine looks for new lake versions. Default: 2 seconds.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Lake versions kept open besides the latest (older ones are opened again on demand). Default: 4.</summary>
    public int VersionsKept { get; set; } = 4;

    /// <summary>The memory limit DuckDB is given.</summary>
    public string EffectiveMemoryLimit =>
        MemoryLimit ?? $"{Math.Max(256, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2 / (1024 * 1024))}MB";

    /// <summary>Problems that make these options unusable; empty when they are fine.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Threads is < 1 or > 256)
        {
            problems.Add($"Engine:Threads is {Threads}; give 1 to 256.");
        }

        if (QueryTimeout <= TimeSpan.Zero || QueryTimeout > TimeSpan.FromHours(6))
        {
            problems.Add($"Engine:QueryTimeout is {QueryTimeout}; give more than 0 and at most 6 hours.");
        }

        if (ExportTimeout <= TimeSpan.Zero || ExportTimeout > TimeSpan.FromDays(1))
        {
            problems.Add($"Engine:ExportTimeout is {ExportTimeout}; give more than 0 and at most 1 day.");
        }

        if (MaxRows is < 1 or > 1_000_000)
        {
            problems.Add($"Engine:MaxRows is {MaxRows}; give 1 to 1 000 000.");
        }

        if (RefreshInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add($"Engine:RefreshInterval is {RefreshInterval}; give at least 100 ms.");
        }

        if (VersionsKept is < 0 or > 64)
        {
            problems.Add($"Engine:VersionsKept is {VersionsKept}; give 0 to 64.");
        }

        if (MemoryLimit is not null && !System.Text.RegularExpressions.Regex.IsMatch(MemoryLimit, @"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            problems.Add($"Engine:MemoryLimit '{MemoryLimit}' is not a size such as 8GB or 512MB.");
        }

        return problems;
    }
}
