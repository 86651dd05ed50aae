namespace GovShare.Lake.Bench;

/// <summary>What every benchmark command does around its measurements: a work folder (a temporary one unless
/// given, deleted afterwards), the Markdown section printed and, with <c>--markdown</c>, written into the file.</summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(
        string? work, string? markdown, string title, Func<string, Task<(IReadOnlyList<BenchResult> Results, string Notes)>> measure,
        CancellationToken cancellationToken)
    {
        var directory = work ?? Path.Combine(Path.GetTempPath(), "govshare-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var (results, notes) = await measure(directory);
            cancellationToken.ThrowIfCancellationRequested();
            var section = BenchReport.ToMarkdown(title, results, notes);
            Console.WriteLine(section);
            if (markdown is not null)
            {
                BenchReport.WriteSection(markdown, title, section);
                Console.Error.WriteLine($"written to {markdown}");
            }

            return 0;
        }
        finally
        {
            if (work is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
