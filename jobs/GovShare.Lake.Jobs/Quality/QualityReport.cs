using System.Globalization;
using System.Text;
using GovShare.Lake.Consistency;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>The evaluation of the difference classifier as Markdown, for <c>docs/quality.md</c> (written between the
/// markers <c>&lt;!-- evaluation:begin --&gt;</c> and <c>&lt;!-- evaluation:end --&gt;</c>, so the rest of the page stays).</summary>
public static class QualityReport
{
    /// <summary>The evaluation section.</summary>
    public static string Markdown(TrainingOutcome outcome, TrainingOptions options, string machine)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(options);
        var md = new StringBuilder();
        string F(double x) => x.ToString("F3", CultureInfo.InvariantCulture);
        md.Append(CultureInfo.InvariantCulture, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine}; the whole run (two cities generated and ingested, scanned, trained, evaluated) took {outcome.Elapsed.TotalSeconds:F0} s.\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Trained on: {string.Join("; ", outcome.Sources)}. Evaluated on: {outcome.EvaluatedOn}. ")
            .Append(CultureInfo.InvariantCulture, $"Differences neither ground truth explains: {outcome.Unlabelled.Training} in the training city, {outcome.Unlabelled.HeldOut} in the held-out one.\n\n");
        md.Append("| class | held-out pairs | classifier precision | recall | F1 | naive exact compare precision | recall | F1 |\n");
        md.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var (m, n) in outcome.Model.Zip(outcome.Naive).Where(p => p.First.Class != DifferenceClass.Equal))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {m.Class} | {m.Support:N0} | {F(m.Precision)} | {F(m.Recall)} | **{F(m.F1)}** | {F(n.Precision)} | {F(n.Recall)} | {F(n.F1)} |\n");
        }

        md.Append("\nConfusion on the held-out pairs (rows: true class; columns: the classifier's):\n\n");
        var classes = DifferenceClass.Classified;
        md.Append("| true \\ predicted | ").AppendJoin(" | ", classes).Append(" |\n| --- |").Append(string.Concat(classes.Select(_ => " ---: |"))).Append('\n');
        foreach (var truth in classes.Where(c => c != DifferenceClass.Equal))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {truth} | ")
                .AppendJoin(" | ", classes.Select(p => outcome.Confusion.TryGetValue((truth, p), out var n) ? n.ToString("N0", CultureInfo.InvariantCulture) : "0"))
                .Append(" |\n");
        }

        var (labelled, found, wrong) = outcome.MisKeyed;
        md.Append(CultureInfo.InvariantCulture, $"\nMis-keyed records (a mistyped ID number that still passes its check digit; found by linking the records whose key the authority does not hold to the authority's records): {found} of {labelled} found with the right key ({(labelled == 0 ? 1 : (double)found / labelled):P1}), {wrong} records wrongly called mis-keyed.\n");
        var conflict = outcome.Model.First(m => m.Class == DifferenceClass.MaterialConflict).F1;
        md.Append(CultureInfo.InvariantCulture, $"\nGoal (issue 8): material-conflict F1 ≥ 0.95 on data the model was not trained on — **{(conflict >= 0.95 ? "met" : "missed")}** ({F(conflict)}). ")
            .Append("The naive compare calls every difference that is not byte-identical a conflict: it finds every real conflict and buries it among the equivalent spellings, abbreviations and gaps.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Rerun: `./govshare quality evaluate --persons {options.Persons} --train-seed {options.TrainSeed} --test-seed {options.TestSeed} --markdown docs/quality.md`.\n");
        return md.ToString();
    }

    /// <summary>Writes the section into a Markdown file between the markers (appended when the file has none).</summary>
    public static void Write(string path, string section) => Write(path, "evaluation", "Classifier evaluation", section);

    /// <summary>Writes a section between <c>&lt;!-- NAME:begin --&gt;</c> and <c>&lt;!-- NAME:end --&gt;</c>, appended under
    /// <paramref name="heading"/> when the file has no such markers.</summary>
    public static void Write(string path, string name, string heading, string section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var (begin, end) = ($"<!-- {name}:begin -->", $"<!-- {name}:end -->");
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Data quality\n";
        var block = begin + "\n" + section.TrimEnd('\n') + "\n" + end;
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        text = from >= 0 && to > from
            ? text[..from] + block + text[(to + end.Length)..]
            : text.TrimEnd('\n') + $"\n\n## {heading}\n\n" + block + "\n";
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }
}
