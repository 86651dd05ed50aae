using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Jobs.Freshness;
using GovShare.Lake.Jobs.Notifications;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>The freshness check over a real platform store: states recorded, the provider told at overdue and the
/// operator at delinquent, each once.</summary>
public sealed class FreshnessCheckTests : IDisposable
{
    private readonly JobsLake _lake = new();

    private FreshnessCheck Check() => new(_lake.Store, () => _lake.Calendar, new FreshnessOptions(), new Notifier(_lake.Store, _lake.Clock));

    [Fact]
    public void Check_Should_RecordStates_AndNotifyTheProviderAtOverdue_AndTheOperatorAtDelinquent_EachOnce()
    {
        _lake.Entry("amr.daily", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        _lake.Entry("amr.fresh", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        _lake.Deliver("amr.daily", Monday);
        _lake.Deliver("amr.fresh", Monday);

        var first = Check().Run(At("2031-09-23 10:00"));
        _lake.Deliver("amr.fresh", At("2031-09-25 09:00"));
        var overdue = Check().Run(At("2031-09-25 10:00"));
        var again = Check().Run(At("2031-09-25 10:05"));
        _lake.Deliver("amr.fresh", At("2031-09-29 08:00"));
        var delinquent = Check().Run(At("2031-09-30 00:00"));

        Assert.All(first.Statuses, s => Assert.Equal(FreshnessState.Fresh, s.State));
        Assert.Empty(first.Notifications);
        var told = Assert.Single(overdue.Notifications);
        Assert.Equal(("amr", "freshness_overdue", "amr.daily"), (told.Agency, told.Kind, told.Subject));
        Assert.True(overdue.AnyOverdue);
        Assert.Empty(again.Notifications);
        Assert.Empty(again.Changed);
        var operatorTold = Assert.Single(delinquent.Notifications);
        Assert.Equal(("operator", "freshness_delinquent"), (operatorTold.Agency, operatorTold.Kind));

        var stored = _lake.Store.ListFreshness().ToDictionary(r => r.Status.EntryId);
        Assert.Equal(FreshnessState.Delinquent, stored["amr.daily"].Status.State);
        Assert.Equal(At("2031-09-30 00:00"), stored["amr.daily"].ChangedAt);
        Assert.Equal(FreshnessState.Fresh, stored["amr.fresh"].Status.State);
        Assert.Equal(2, _lake.Store.ListNotifications().Count);
    }

    [Fact]
    public void Check_Should_NotifyAgain_When_AnEntryFallsBehindAgainAfterCatchingUp()
    {
        _lake.Entry("amr.again2", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        _lake.Deliver("amr.again2", Monday);

        var first = Check().Run(At("2031-09-25 10:00"));
        _lake.Deliver("amr.again2", At("2031-09-25 11:00"));
        var caughtUp = Check().Run(At("2031-09-25 12:00"));
        var again = Check().Run(At("2031-10-09 00:00"));

        Assert.Single(first.Notifications);
        Assert.Empty(caughtUp.Notifications);
        Assert.Equal(FreshnessState.Fresh, caughtUp.Statuses.Single().State);
        Assert.Equal("freshness_overdue", Assert.Single(again.Notifications).Kind);
    }

    [Fact]
    public void Check_Should_WriteNothing_When_ItOnlyLooks()
    {
        _lake.Entry("amr.look", UpdateDeadline.Within3Days, Monday.AddDays(-10));

        var report = Check().Run(At("2031-12-01 10:00"), record: false);

        Assert.Equal(FreshnessState.Delinquent, report.Statuses.Single().State);
        Assert.Empty(_lake.Store.ListFreshness());
        Assert.Empty(_lake.Store.ListNotifications());
    }

    [Fact]
    public void Check_Should_CountTheSameFileDeliveredAgain_ButNotARefusedDelivery()
    {
        _lake.Entry("amr.again", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        _lake.Entry("amr.refused", UpdateDeadline.Within3Days, Monday.AddDays(-10));
        _lake.Deliver("amr.again", Monday.AddDays(-5));
        _lake.Deliver("amr.again", Monday, repeat: true);
        _lake.Deliver("amr.refused", Monday.AddDays(-5));
        _lake.Deliver("amr.refused", Monday, "refused");

        var report = Check().Run(At("2031-09-23 10:00"));

        var states = report.Statuses.ToDictionary(s => s.EntryId);
        Assert.Equal(FreshnessState.Fresh, states["amr.again"].State);
        Assert.Equal(Monday, states["amr.again"].LastDelivery);
        Assert.NotEqual(FreshnessState.Fresh, states["amr.refused"].State);
    }

    public void Dispose() => _lake.Dispose();
}
