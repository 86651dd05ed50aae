using System.CommandLine;
using GovShare.Lake.Bench;

var lines = new Option<int>("--lines")
{
    Description = "How many identifiers to generate and check.",
    DefaultValueFactory = _ => 1_000_000,
};
var runs = new Option<int>("--runs")
{
    Description = "Repetitions of each measurement; the median is reported.",
    DefaultValueFactory = _ => 3,
};
var markdown = new Option<string?>("--markdown")
{
    Description = "Also write the results as a Markdown section into this file (replacing an earlier section of the same benchmark).",
    HelpName = "FILE",
};
var work = new Option<string?>("--work")
{
    Description = "Folder for generated data (default: a new temporary folder, deleted afterwards).",
    HelpName = "DIR",
};

var idCheck = new Command("id-check", "Identifier validation: `govshare id check` (process and in-process) vs DuckDB computing the same check characters in SQL.")
{
    lines,
    runs,
    markdown,
    work,
};
idCheck.SetAction(async (parseResult, cancellationToken) =>
{
    var workDirectory = parseResult.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "govshare-bench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(workDirectory);
    try
    {
        var results = await IdCheckBenchmark.RunAsync(workDirectory, parseResult.GetValue(lines), parseResult.GetValue(runs), Console.Error, cancellationToken);
        var section = BenchReport.ToMarkdown("Identifier validation (`id check`)", results, IdCheckBenchmark.Notes(parseResult.GetValue(lines)));
        Console.WriteLine(section);
        if (parseResult.GetValue(markdown) is { } file)
        {
            BenchReport.WriteSection(file, "Identifier validation (`id check`)", section);
            Console.Error.WriteLine($"written to {file}");
        }

        return 0;
    }
    finally
    {
        if (parseResult.GetValue(work) is null)
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }
});

var root = new RootCommand("GovShare Lake benchmarks: every figure next to its DuckDB baseline, measured in the same run.") { idCheck };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    return 2;
}

return await parsed.InvokeAsync();
