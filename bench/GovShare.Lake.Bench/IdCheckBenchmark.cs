using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Divisions;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Bench;

/// <summary>`govshare id check` over a generated file of identifiers, against DuckDB computing the
/// same MOD 11-2 check characters in SQL over the same file and writing a verdict per line.</summary>
internal static class IdCheckBenchmark
{
    private const int Seed = 20261122;

    public static string Notes(int lines) =>
        $"Input: {lines:N0} generated lines (about 90 % valid 18-character citizen numbers, 4 % old 15-digit numbers, " +
        "2 % credit codes, 4 % with one character substituted), UTF-8. Ours does the full validation (kind detection, " +
        "check character, calendar date, region code against its history, normalisation) and writes a tab-separated " +
        "verdict per line; the DuckDB baseline only computes the 18-character check character with `read_csv` → " +
        "`COPY … TO` (no dates, no regions), so the ratio is conservative. \"CLI process\" is the user's path: " +
        "`govshare id check < ids.txt > out.tsv`, start-up included. Goal (issue 2): a million lines in a few seconds, streamed. " +
        "Rerun: `dotnet run -c Release --project bench/GovShare.Lake.Bench -- id-check --markdown docs/benchmarks.md`.";

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(string work, int lines, int runs, TextWriter progress, CancellationToken cancellationToken)
    {
        var input = Path.Combine(work, "ids.txt");
        progress.WriteLine($"generating {lines:N0} identifiers…");
        Generate(input, lines);

        progress.WriteLine("DuckDB baseline…");
        var duckSeconds = Median(runs, () => DuckDbCheck(input, Path.Combine(work, "duckdb.tsv")));

        progress.WriteLine("in-process validator…");
        var inProcessSeconds = Median(runs, () => InProcessCheck(input, Path.Combine(work, "ours.tsv")));

        progress.WriteLine("CLI process…");
        var peakKiB = 0L;
        var cliSeconds = Median(runs, () =>
        {
            var (seconds, peak) = CliCheck(input, Path.Combine(work, "cli.tsv"), cancellationToken);
            peakKiB = Math.Max(peakKiB, peak);
            return seconds;
        });

        var duckRate = lines / duckSeconds;
        return
        [
            new BenchResult("validator in-process", lines / inProcessSeconds, "lines/s", duckRate,
                "≥ 1 M lines in a few seconds", inProcessSeconds < 5, $"{inProcessSeconds:0.00} s vs DuckDB {duckSeconds:0.00} s"),
            new BenchResult("`govshare id check` CLI process", lines / cliSeconds, "lines/s", duckRate,
                "≥ 1 M lines in a few seconds", cliSeconds < 5, $"{cliSeconds:0.00} s wall, peak RSS {peakKiB / 1024.0:0} MiB"),
        ];
    }

    private static double Median(int runs, Func<double> measure) => BenchStats.Median(runs, measure);

    private static double DuckDbCheck(string input, string output)
    {
        var weights = new[] { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
        var sum = string.Join(" + ", weights.Select((w, i) => string.Create(CultureInfo.InvariantCulture, $"{w} * TRY_CAST(substr(line, {i + 1}, 1) AS INTEGER)")));
        var sql = $$"""
            COPY (
              SELECT line,
                     CASE WHEN length(line) = 18
                          THEN coalesce(substr('10X98765432', 1 + (({{sum}}) % 11), 1) = upper(substr(line, 18, 1)), false)
                          ELSE false END AS valid
              FROM read_csv('{{input}}', header = false, columns = {'line': 'VARCHAR'}, delim = '\t', quote = '', auto_detect = false)
            ) TO '{{output}}' (FORMAT csv, DELIMITER '\t', HEADER false)
            """;
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var watch = Stopwatch.StartNew();
        command.ExecuteNonQuery();
        return watch.Elapsed.TotalSeconds;
    }

    private static double InProcessCheck(string input, string output)
    {
        var watch = Stopwatch.StartNew();
        var validator = IdentifierValidator.Default;
        using var reader = new StreamReader(input, Encoding.UTF8, false, 1 << 16);
        using var writer = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 16);
        while (reader.ReadLine() is { } line)
        {
            var check = validator.Check(line);
            writer.Write(line);
            writer.Write('\t');
            writer.Write(check.Kind.ToName());
            writer.Write(check.IsValid ? "\tvalid\t" : "\tinvalid\t");
            writer.Write(check.Reason);
            writer.Write('\t');
            writer.WriteLine(check.Normalized);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static (double Seconds, long PeakKiB) CliCheck(string input, string output, CancellationToken cancellationToken)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "govshare.dll");
        var startInfo = new ProcessStartInfo("bash") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("exec dotnet \"$0\" id check < \"$1\" > \"$2\" 2>/dev/null");
        startInfo.ArgumentList.Add(cli);
        startInfo.ArgumentList.Add(input);
        startInfo.ArgumentList.Add(output);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        var peak = 0L;
        while (!process.WaitForExit(20))
        {
            cancellationToken.ThrowIfCancellationRequested();
            peak = Math.Max(peak, ProcessMemory.PeakResidentKiB(process.Id));
        }

        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"govshare id check exited with {process.ExitCode}.");
        }

        return (seconds, peak);
    }

    private static void Generate(string path, int lines)
    {
        var random = new Random(Seed);
        var registry = DivisionRegistry.Embedded;
        var counties = registry.All.Where(row => row.Level == DivisionLevel.County).ToArray();
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        for (var i = 0; i < lines; i++)
        {
            var roll = random.Next(100);
            string value;
            if (roll < 2)
            {
                value = CreditCode(random, counties);
            }
            else
            {
                var county = counties[random.Next(counties.Length)];
                var from = Math.Max(county.Introduced, 1960);
                var to = Math.Min(county.Ended ?? 2025, 2025);
                var birth = new DateOnly(Math.Min(from, to), 1, 1).AddDays(random.Next(0, Math.Max(1, (to - from + 1) * 365)));
                var body = string.Create(CultureInfo.InvariantCulture, $"{county.Code}{birth:yyyyMMdd}{random.Next(1000):D3}");
                value = roll < 6 && birth.Year < 2000
                    ? string.Concat(body.AsSpan(0, 6), body.AsSpan(8))
                    : body + CitizenIdNumber.ComputeCheckCharacter(body);
            }

            if (roll >= 96)
            {
                var position = random.Next(value.Length);
                value = string.Concat(value.AsSpan(0, position), ((char)('0' + random.Next(10))).ToString(), value.AsSpan(position + 1));
            }

            writer.Write(value);
            writer.Write('\n');
        }
    }

    private static string CreditCode(Random random, DivisionRecord[] counties)
    {
        const string alphabet = UnifiedSocialCreditCode.Alphabet;
        var orgBody = new string(Enumerable.Range(0, 8).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var body = "91" + counties[random.Next(counties.Length)].Code + orgBody + OrganisationCode.ComputeCheckCharacter(orgBody);
        return body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);
    }
}
