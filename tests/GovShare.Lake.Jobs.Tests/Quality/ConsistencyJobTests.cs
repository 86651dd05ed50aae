using GovShare.Lake.Consistency;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Jobs.Tests.Quality;

/// <summary>The nightly check as a job over a real lake: material conflicts raised as reports awaiting review, with their
/// finding; the same differences not raised twice; reviewers' verdicts turned into training examples.</summary>
public sealed class ConsistencyJobTests(TrainedCities cities) : IClassFixture<TrainedCities>
{
    [Fact]
    public void Job_Should_RaiseEachMaterialConflictOnce_ForReview_AndLearnFromTheVerdicts()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        var models = new ModelStore(cities.Layout);
        var version = models.Save(cities.Outcome.Classifier, v => cities.Outcome.Metrics(v, clock.Now), clock.Now, promote: true);
        Assert.Equal(version, models.CurrentVersion);
        var metrics = models.Metrics(version)!;
        Assert.Equal(cities.Outcome.Model.Count, metrics.Evaluation.Count);
        Assert.True(metrics.MaterialConflictF1 >= 0.95);

        var job = new Jobs.Quality.ConsistencyJob(cities.Layout, cities.Store, clock);
        var run = job.Check(TextWriter.Null);
        Assert.True(run.Raised > 0);
        Assert.Equal(version, run.ModelVersion);
        var raised = cities.Store.ListMismatchReports(new MismatchFilter(MismatchStatus.AwaitingReview));
        Assert.Equal(run.Raised, raised.Count);
        Assert.All(raised, r =>
        {
            Assert.Equal("check:consistency", r.Source);
            Assert.Contains(r.Finding!.Class, new[] { "material_conflict", "mis_keyed" });
            Assert.Equal(r.Finding.Class == "mis_keyed" ? "linkage" : version, r.Finding.ModelVersion); // mis-keyed records are found by linkage, not by the classifier
            Assert.NotEmpty(r.Finding.ExplanationZh);
            Assert.Null(r.Due); // not with the provider until a reviewer confirms it
        });

        // Every night the same differences are found again; none is raised twice.
        Assert.Equal(0, job.Check(TextWriter.Null, new CheckOptions { Full = true }).Raised);
        Assert.Equal(raised.Count, cities.Store.ListMismatchReports(new MismatchFilter(MismatchStatus.AwaitingReview)).Count);

        // A reviewer confirms one and dismisses another: both verdicts become training examples.
        var reviewer = new Agency("ops", new Catalogue.LocalizedName("大数据中心", "Big data centre"), AgencyKind.Operator, clock.Now);
        var workflow = new MismatchWorkflow(cities.Store, () => Calendar.WorkingCalendar.Load(cities.Layout.Root), clock);
        var conflicts = raised.Where(r => r.Finding!.Class == "material_conflict").ToList();
        Assert.Contains(raised, r => r.Finding!.Class == "mis_keyed" && r.Finding.SuggestedKey is not null && r.Attribute == "id_number");
        workflow.Confirm(conflicts[0].Id, reviewer, "出生日期与户籍不一致，请核实");
        workflow.Dismiss(conflicts[1].Id, reviewer, "同一人，录入差异");
        var verdicts = workflow.ReviewerVerdicts();
        Assert.Equal(2, verdicts.Count);
        var confirmed = Jobs.Quality.ConsistencyJob.Example(verdicts.Single(v => v.Verdict == "confirmed"))!;
        Assert.Equal(DifferenceClass.MaterialConflict, confirmed.Label);
        var dismissed = Jobs.Quality.ConsistencyJob.Example(verdicts.Single(v => v.Verdict == "dismissed"))!;
        Assert.Contains(dismissed.Label, new[] { DifferenceClass.Equivalent, DifferenceClass.MinorVariant });
        Assert.Equal(ComparisonFeatures.Count, dismissed.Features.Length);

        // Dismissed stays dismissed: the next full check does not raise it again.
        Assert.Equal(0, job.Check(TextWriter.Null, new CheckOptions { Full = true }).Raised);
    }
}
