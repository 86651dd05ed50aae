using System.Diagnostics;
using System.Globalization;
using System.Text;
using GovShare.Lake.Quality.Linkage;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>One linkage measured on generated files with known links.</summary>
/// <param name="People">People generated (about 88 % on each side).</param>
/// <param name="Seed">The files' seed.</param>
/// <param name="Left">Left rows.</param>
/// <param name="Right">Right rows.</param>
/// <param name="Compared">Candidate pairs compared.</param>
/// <param name="Precision">Linked pairs that are true links.</param>
/// <param name="Recall">True links found.</param>
/// <param name="F1">Their harmonic mean.</param>
/// <param name="Seconds">How long the linkage took.</param>
public sealed record LinkageMeasurement(int People, int Seed, int Left, int Right, long Compared, double Precision, double Recall, double F1, double Seconds);

/// <summary>The record-linkage engine measured on <see cref="LinkageSample"/> files it was not tuned on (it was tuned on
/// seed 8), for <c>govshare quality evaluate</c> and docs/quality.md.</summary>
public static class LinkageEvaluation
{
    /// <summary>The seed the engine was tuned on: never measured.</summary>
    public const int TuningSeed = 8;

    /// <summary>Links the generated files of each size and seed.</summary>
    public static IReadOnlyList<LinkageMeasurement> Run(IEnumerable<(int People, int Seed)> runs, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(log);
        var measured = new List<LinkageMeasurement>();
        foreach (var (people, seed) in runs.Where(r => r.Seed != TuningSeed))
        {
            var files = LinkageSample.Generate(people, seed);
            var (left, right) = LinkageSample.Inputs(files);
            var clock = Stopwatch.StartNew();
            var result = RecordLinker.Link(left, right);
            var (precision, recall, f1) = LinkageSample.Score(result.Pairs.Select(p => (p.LeftId, p.RightId)), files.Links);
            measured.Add(new LinkageMeasurement(people, seed, left.Count, right.Count, result.Compared, precision, recall, f1, clock.Elapsed.TotalSeconds));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"linkage: {people:N0} people, seed {seed}: precision {precision:F4}, recall {recall:F4}, F1 {f1:F4}"));
        }

        return measured;
    }

    /// <summary>The measurements as a Markdown table, with the goal (F1 ≥ 0.99 on data it was not tuned on).</summary>
    public static string Markdown(IReadOnlyList<LinkageMeasurement> measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by `govshare quality evaluate` on `LinkageSample` files (seeds other than the tuning seed {TuningSeed}).\n\n");
        md.Append("| people | seed | left × right rows | compared pairs | precision | recall | F1 | seconds |\n| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var m in measured)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {m.People:N0} | {m.Seed} | {m.Left:N0} × {m.Right:N0} | {m.Compared:N0} | {m.Precision:F4} | {m.Recall:F4} | **{m.F1:F4}** | {m.Seconds:F1} |\n");
        }

        var worst = measured.Count == 0 ? 0 : measured.Min(m => m.F1);
        md.Append(CultureInfo.InvariantCulture, $"\nGoal (issue 8): linkage F1 ≥ 0.99 on data it was not tuned on — **{(worst >= 0.99 ? "met" : "missed")}** (lowest {worst:F4}).\n");
        return md.ToString();
    }
}
