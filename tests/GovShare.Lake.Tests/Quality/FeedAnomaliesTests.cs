using GovShare.Lake.Catalogue;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Tests.Quality;

/// <summary>The feed-anomaly detector on hand-made histories whose medians and MADs are worked out by hand in each test.</summary>
public sealed class FeedAnomaliesTests
{
    private static readonly DateTimeOffset Start = new(2031, 9, 1, 2, 0, 0, ChinaTime.Offset);

    // ln(1.2) / 3.5: the spread of a full snapshot's log volume when its history barely moves.
    private static readonly double FullFloor = Math.Log(1.2) / 3.5;

    // ln(3) / 3.5: the same for incremental deliveries.
    private static readonly double IncrementalFloor = Math.Log(3) / 3.5;

    [Fact]
    public void Judge_Should_FlagADrop_When_AStableFullFeedDeliversThreePercentOfItsRows()
    {
        // Median 50 000; deviations 0, 100, 100, 50, 50 → sorted 0, 50, 50, 100, 100 → MAD 50.
        var history = Feed(DeliveryMode.Full, 50_000, 50_100, 49_900, 50_050, 49_950);

        var verdict = FeedAnomalies.Judge(Next(history, 1_203), history, "amr", Start.AddDays(10));

        var anomaly = Assert.Single(verdict.Anomalies);
        Assert.Equal((FeedMetric.RowsRead, 1_203d, 50_000d, 50d, "drop"), (anomaly.Metric, anomaly.Value, anomaly.Median, anomaly.Mad, anomaly.Direction));
        // The log-scale MAD (about 0.001) is below the floor, so the floor is the spread.
        Assert.Equal((Math.Log(1_204) - Math.Log(50_001)) / FullFloor, anomaly.Score, 9);
        Assert.True(anomaly.Score < -70);
        Assert.Equal("本次投递 1 203 行，往常约 50 000 行（中位数），骤降 97.6%。", anomaly.ReasonZh);
        Assert.Equal("This delivery brought 1,203 rows where about 50,000 is usual (the median): a drop of 97.6%.", anomaly.ReasonEn);
        Assert.Equal(("amr", "amr.entities", "b6", FeedAnomaly.IdOf("b6", FeedMetric.RowsRead)), (anomaly.Agency, anomaly.EntryId, anomaly.BatchId, anomaly.Id));
        Assert.Equal(new FeedJudgement("b6", "amr.entities", Figures: true, Window: false), verdict.Judgement);
    }

    [Fact]
    public void Judge_Should_FlagASurge_When_AnIncrementalFeedDeliversTenTimesItsUsualRows()
    {
        // Median 100; deviations 0, 20, 20, 10, 10 → MAD 10. On the log scale the MAD is ln(101/91) ≈ 0.104, × 1.4826 ≈ 0.155:
        // under the incremental floor ln(3)/3.5 ≈ 0.314.
        var history = Feed(DeliveryMode.Incremental, 100, 120, 80, 110, 90);

        var anomaly = Assert.Single(FeedAnomalies.Judge(Next(history, 1_000), history, "mca", Start.AddDays(10)).Anomalies);

        Assert.Equal((FeedMetric.RowsRead, 1_000d, 100d, 10d, "surge"), (anomaly.Metric, anomaly.Value, anomaly.Median, anomaly.Mad, anomaly.Direction));
        Assert.Equal(Math.Log(1_001d / 101) / IncrementalFloor, anomaly.Score, 9);
        Assert.Equal("本次投递 1 000 行，往常约 100 行（中位数），激增至往常的 10.0 倍。", anomaly.ReasonZh);
        Assert.EndsWith("a surge to 10.0 times the usual.", anomaly.ReasonEn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeliveryMode.Incremental, 130)] // ln(131/101) / 0.314 ≈ 0.83
    [InlineData(DeliveryMode.Incremental, 40)] // ln(41/101) / 0.314 ≈ −2.87: a drop within the factor 3 incremental feeds are allowed
    [InlineData(DeliveryMode.Full, 45_000)] // 10 % down: ln(45 001/50 001) / 0.052 ≈ −2.02
    public void Judge_Should_FlagNothing_When_TheDeliveryIsWithinItsUsualRange(DeliveryMode mode, long rows)
    {
        var history = mode == DeliveryMode.Full
            ? Feed(mode, 50_000, 50_100, 49_900, 50_050, 49_950)
            : Feed(mode, 100, 120, 80, 110, 90);

        var verdict = FeedAnomalies.Judge(Next(history, rows), history, "amr", Start.AddDays(10));

        Assert.Empty(verdict.Anomalies);
        Assert.True(verdict.Judgement.Figures);
    }

    [Fact]
    public void Judge_Should_JudgeNothing_When_FewerThanFiveDeliveriesCameBefore()
    {
        var history = Feed(DeliveryMode.Full, 50_000, 50_100, 49_900, 50_050);

        var verdict = FeedAnomalies.Judge(Next(history, 1_203), history, "amr", Start.AddDays(10));

        Assert.Empty(verdict.Anomalies);
        // Judged all the same: the history before a delivery never grows.
        Assert.True(verdict.Judgement.Figures);
    }

    [Fact]
    public void Judge_Should_FlagTheQuarantineRate_When_ItJumps_WithoutFlaggingTheVolume()
    {
        // Rates 0.001, 0.003, 0.002, 0.0012, 0.0028 → median 0.002; deviations 0.001, 0.001, 0, 0.0008, 0.0008 → MAD 0.0008;
        // 1.4826 × 0.0008 ≈ 0.0012 is under the floor 0.005. Accepted rows: median 9 980, and 9 600 is only 3.9 % down.
        var history = Feed(DeliveryMode.Full, 10_000, 10_000, 10_000, 10_000, 10_000)
            .Zip([10L, 30, 20, 12, 28], (d, q) => d with { Accepted = d.Read - q, Quarantined = q }).ToList();
        var delivery = Next(history, 10_000) with { Accepted = 9_600, Quarantined = 400 };

        var anomaly = Assert.Single(FeedAnomalies.Judge(delivery, history, "amr", Start.AddDays(10)).Anomalies);

        Assert.Equal((FeedMetric.QuarantineRate, 0.04, "surge"), (anomaly.Metric, anomaly.Value, anomaly.Direction));
        Assert.Equal(0.002, anomaly.Median, 12);
        Assert.Equal(0.0008, anomaly.Mad, 12);
        Assert.Equal((0.04 - 0.002) / 0.005, anomaly.Score, 9);
        Assert.Equal("本次投递隔离 400 行，隔离率 4.0%，往常约 0.2%（中位数），明显升高。", anomaly.ReasonZh);
    }

    [Fact]
    public void Judge_Should_FlagTheMismatchRate_OnlyOnceTheDeliveryWindowHasClosed()
    {
        // Reports per 1 000 rows accepted: 0, 1, 0, 1, 0 → median 0, MAD 0: the floor 0.5 is the spread.
        var history = Feed(DeliveryMode.Full, 1_000, 1_000, 1_000, 1_000, 1_000)
            .Zip([0L, 1, 0, 1, 0], (d, r) => d with { Reports = r, FiguresJudged = true, WindowJudged = true }).ToList();
        var open = Next(history, 1_000) with { Reports = 12 };
        var closed = open with { NextAt = open.FinishedAt.AddDays(2) };

        var early = FeedAnomalies.Judge(open, history, "amr", Start.AddDays(10));
        var late = FeedAnomalies.Judge(closed with { FiguresJudged = true }, history, "amr", Start.AddDays(10));

        Assert.Empty(early.Anomalies);
        Assert.Equal((true, false), (early.Judgement.Figures, early.Judgement.Window));
        var anomaly = Assert.Single(late.Anomalies);
        Assert.Equal((false, true), (late.Judgement.Figures, late.Judgement.Window));
        Assert.Equal((FeedMetric.MismatchRate, 12d, 0d, 0d, 24d), (anomaly.Metric, anomaly.Value, anomaly.Median, anomaly.Mad, anomaly.Score));
        Assert.StartsWith("本次投递的数据在用期间（2031-09-06 02:00 至 2031-09-08 02:00）收到差异报告 12 条，每千行 12.00 条", anomaly.ReasonZh, StringComparison.Ordinal);
    }

    [Fact]
    public void JudgeEntry_Should_CompareADeliveryOnlyWithDeliveriesOfItsOwnMode()
    {
        // Five incremental deliveries of about 100 rows, then the entry turned to full snapshots of 50 000: not a surge, a new
        // kind of feed with no history yet.
        var incremental = Feed(DeliveryMode.Incremental, 100, 120, 80, 110, 90).Select(d => d with { FiguresJudged = true, WindowJudged = true }).ToList();
        var full = Next(incremental, 50_000) with { Mode = DeliveryMode.Full };

        var verdicts = FeedAnomalies.JudgeEntry([.. incremental, full], "amr", Start.AddDays(10));

        var verdict = Assert.Single(verdicts);
        Assert.Equal("b6", verdict.Judgement.BatchId);
        Assert.Empty(verdict.Anomalies);
    }

    [Fact]
    public void MedianAndMad_Should_AverageTheMiddleTwo_OfAnEvenCount()
    {
        // Median (2 + 4) / 2 = 3; deviations 2, 1, 1, 5 → median (1 + 2) / 2 = 1.5.
        Assert.Equal(3, FeedAnomalies.Median([1, 2, 4, 8]));
        Assert.Equal(1.5, FeedAnomalies.Mad([1, 2, 4, 8]));
    }

    // Deliveries b1, b2, ... a day apart, every row accepted.
    private static List<FeedDelivery> Feed(DeliveryMode mode, params long[] rows) =>
        rows.Select((r, i) => new FeedDelivery($"b{i + 1}", "amr.entities", mode, Start.AddDays(i), r, r, 0) { NextAt = Start.AddDays(i + 1) }).ToList();

    private static FeedDelivery Next(IReadOnlyList<FeedDelivery> history, long rows) =>
        new($"b{history.Count + 1}", "amr.entities", history[0].Mode, Start.AddDays(history.Count), rows, rows, 0);
}
