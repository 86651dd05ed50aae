using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Calendar;
using GovShare.Lake.Consistency;
using GovShare.Lake.Divisions;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Jobs.Quality;

/// <summary>The nightly consistency check as a job: the lake's model (trained on first use), the check, and each material
/// conflict raised as a mismatch report awaiting a reviewer (<see cref="MismatchWorkflow.Flag"/>: a difference already
/// open, rejected or dismissed is not raised again); and the retraining on the reviewers' verdicts.</summary>
public sealed class ConsistencyJob(LakeLayout layout, IPlatformStore store, TimeProvider clock)
{
    /// <summary>The name the check's reports carry (<c>check:consistency</c>).</summary>
    public const string CheckName = "consistency";

    /// <summary>Runs the check; <paramref name="log"/> gets progress.</summary>
    public CheckRun Check(TextWriter log, CheckOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var (version, classifier) = new QualityModels(layout, clock).Current(log, cancellationToken);
        var workflow = new MismatchWorkflow(store, () => WorkingCalendar.Load(layout.Root), clock);
        var check = new ConsistencyCheck(layout, store, DivisionRegistry.Embedded);
        return check.Run(classifier, version, flag => workflow.Flag(flag.EntryId, flag.Classified.Pair.Key, flag.Classified.Pair.Attribute, flag.DoubtedValue,
            flag.ReferenceValue, FindingOf(flag), CheckName, clock.GetUtcNow()).IsNew, clock.GetUtcNow(), options, m => log.WriteLine(m), cancellationToken);
    }

    /// <summary>Trains a new model on the synthetic city plus every reviewer and provider verdict, and promotes it when it
    /// does at least as well on the held-out city as the model in use.</summary>
    public (string Version, TrainingOutcome Outcome) Retrain(TextWriter log, long persons = QualityModels.DefaultPersons, CancellationToken cancellationToken = default)
    {
        var verdicts = new MismatchWorkflow(store, () => WorkingCalendar.Load(layout.Root), clock).ReviewerVerdicts();
        var extra = verdicts.Select(Example).OfType<LabelledFeatures>().ToList();
        return new QualityModels(layout, clock).Train(
            new TrainingOptions { Persons = persons, Extra = extra, ExtraSource = $"reviewers' and providers' verdicts ({verdicts.Count:N0})" },
            log, promote: null, cancellationToken);
    }

    /// <summary>A verdict as a training example: a confirmed, corrected or rejected difference is a material conflict (the
    /// values really differ; a rejection only says which side is right); a dismissed one is benign: equivalent when the
    /// two values normalise the same, else a minor variant. Null when the attribute is unknown.</summary>
    public static LabelledFeatures? Example(MismatchVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (BaseDatabaseCatalog.Find(verdict.BaseTable)?.Find(verdict.Attribute) is not { } attribute)
        {
            return null;
        }

        var pair = new ValuePair(verdict.BaseTable, "", verdict.Attribute, AttributeKinds.Of(attribute), verdict.EntryId, verdict.DoubtedValue, "", verdict.ReferenceValue);
        var features = ComparisonFeatures.Compute(pair, 0, DivisionRegistry.Embedded);
        var label = verdict.Verdict == "dismissed"
            ? features[1] == 1 ? DifferenceClass.Equivalent : DifferenceClass.MinorVariant
            : DifferenceClass.MaterialConflict;
        return new LabelledFeatures(features, label);
    }

    private static MismatchFinding FindingOf(Flag flag) => new(
        flag.Classified.Class, flag.Classified.Score, flag.ReferenceEntry, flag.ReferenceValue, flag.NormalisedDoubted, flag.NormalisedReference,
        [.. flag.Reasons.Select(r => new FindingReason(r.Feature, r.Value, r.Contribution, r.Zh, r.En))], flag.ExplanationZh, flag.ExplanationEn,
        flag.ModelVersion, flag.SuggestedKey);
}
