using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Quality;

/// <summary>What the feed-anomaly check compares, by the names the store and the API use.</summary>
public static class FeedMetric
{
    /// <summary>Rows read from the delivered file.</summary>
    public const string RowsRead = "rows_read";

    /// <summary>Rows accepted into the lake.</summary>
    public const string RowsAccepted = "rows_accepted";

    /// <summary>Quarantined rows as a share of the rows read.</summary>
    public const string QuarantineRate = "quarantine_rate";

    /// <summary>Mismatch reports raised against the entry while the delivery was current, per 1 000 rows it brought.</summary>
    public const string MismatchRate = "mismatch_rate";

    /// <summary>Every metric.</summary>
    public static IReadOnlyList<string> All { get; } = [RowsRead, RowsAccepted, QuarantineRate, MismatchRate];
}

/// <summary>One committed delivery of an entry as the feed-anomaly check reads it (the same file again, refused and failed
/// deliveries are not among them).</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="DatasetId">The catalogue entry.</param>
/// <param name="Mode">Full snapshot or incremental, as the entry's revision the file was read with said.</param>
/// <param name="FinishedAt">When it was committed.</param>
/// <param name="Read">Rows read.</param>
/// <param name="Accepted">Rows accepted.</param>
/// <param name="Quarantined">Rows quarantined.</param>
public sealed record FeedDelivery(string BatchId, string DatasetId, DeliveryMode Mode, DateTimeOffset FinishedAt, long Read, long Accepted, long Quarantined)
{
    /// <summary>The shortest mismatch window: the nightly consistency check must have run in every delivery's window, or
    /// its reports would all fall in one delivery of a feed that delivers several times a day.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromDays(1);

    /// <summary>When the entry's next committed delivery finished; null while this is the latest.</summary>
    public DateTimeOffset? NextAt { get; init; }

    /// <summary>Mismatch reports raised against the entry (by consumers or a check; withdrawn and dismissed ones not
    /// counted) in <see cref="WindowEnd"/>'s window, or so far while it is open.</summary>
    public long Reports { get; init; }

    /// <summary>The delivery's figures (volume, quarantine rate) have been judged.</summary>
    public bool FiguresJudged { get; init; }

    /// <summary>The delivery's mismatch window has been judged.</summary>
    public bool WindowJudged { get; init; }

    /// <summary>Quarantined rows as a share of the rows read (0 for an empty file).</summary>
    public double QuarantineRate => Read == 0 ? 0 : (double)Quarantined / Read;

    /// <summary>The end of the mismatch window, in which the delivery's data was the entry's latest: the next delivery,
    /// but at least <see cref="MinimumWindow"/> after this one; null while no next delivery came.</summary>
    public DateTimeOffset? WindowEnd => NextAt is { } next ? (next > FinishedAt + MinimumWindow ? next : FinishedAt + MinimumWindow) : null;

    /// <summary>Reports per 1 000 rows accepted; null for a delivery that accepted none.</summary>
    public double? MismatchRate => Accepted == 0 ? null : Reports * 1000.0 / Accepted;
}

/// <summary>A delivery far outside its entry's own history.</summary>
/// <param name="Id">Derived from the batch and the metric: the same anomaly always has the same id.</param>
/// <param name="EntryId">The catalogue entry.</param>
/// <param name="Agency">Its providing agency.</param>
/// <param name="BatchId">The delivery.</param>
/// <param name="Metric">One of <see cref="FeedMetric"/>.</param>
/// <param name="Value">The delivery's figure (rows, or a rate: a share for quarantine, reports per 1 000 rows for mismatches).</param>
/// <param name="Median">The median of the same figure over the history.</param>
/// <param name="Mad">The median absolute deviation from it, in the figure's own units.</param>
/// <param name="Score">How far out, in robust standard deviations (1.4826 × MAD, at least the floor of the
/// <see cref="FeedAnomalyOptions"/>); for volumes on the log scale. Negative below the history.</param>
/// <param name="Direction"><c>drop</c> or <c>surge</c>.</param>
/// <param name="DeliveredAt">When the delivery was committed.</param>
/// <param name="DetectedAt">When the check found it.</param>
/// <param name="ReasonZh">In plain Chinese words.</param>
/// <param name="ReasonEn">In plain English words.</param>
/// <param name="Notified">True once the provider and the operator were told.</param>
public sealed record FeedAnomaly(
    string Id, string EntryId, string Agency, string BatchId, string Metric, double Value, double Median, double Mad, double Score, string Direction,
    DateTimeOffset DeliveredAt, DateTimeOffset DetectedAt, string ReasonZh, string ReasonEn, bool Notified = false)
{
    /// <summary>The id of a batch's anomaly in a metric.</summary>
    public static string IdOf(string batchId, string metric) =>
        "fa-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(batchId + "\n" + metric)))[..20];
}

/// <summary>Which parts of a delivery the check has judged (a part with too little history counts as judged: the history
/// before a delivery never grows).</summary>
/// <param name="BatchId">The delivery.</param>
/// <param name="DatasetId">Its entry.</param>
/// <param name="Figures">Volume and quarantine rate judged.</param>
/// <param name="Window">Mismatch rate judged (its window had closed).</param>
public sealed record FeedJudgement(string BatchId, string DatasetId, bool Figures, bool Window);

/// <summary>Which anomalies to list; every criterion given must hold.</summary>
/// <param name="Agency">The providing agency.</param>
/// <param name="EntryId">The entry.</param>
/// <param name="Since">Detected at or after.</param>
/// <param name="Notified">Told already or not.</param>
/// <param name="Limit">The most to list, newest first.</param>
public sealed record FeedAnomalyFilter(string? Agency = null, string? EntryId = null, DateTimeOffset? Since = null, bool? Notified = null, int Limit = 1000);

/// <summary>How far out a delivery must be. The defaults follow Iglewicz and Hoaglin's modified z-score (3.5); the floors keep
/// a perfectly steady history (MAD 0) from flagging every small change.</summary>
public sealed record FeedAnomalyOptions
{
    /// <summary>Earlier committed deliveries of the same mode needed before a delivery is judged (default 5).</summary>
    public int MinimumHistory { get; init; } = 5;

    /// <summary>The most recent earlier deliveries compared with (default 20): a feed that grew slowly is judged by its recent size.</summary>
    public int HistoryLength { get; init; } = 20;

    /// <summary>The robust z-score from which a delivery is an anomaly (default 3.5).</summary>
    public double Threshold { get; init; } = 3.5;

    /// <summary>A full snapshot's volume is flagged only when it differs from the median by at least this factor (default 1.2:
    /// a snapshot holds everything the provider has, and should move slowly).</summary>
    public double FullMinimumFactor { get; init; } = 1.2;

    /// <summary>An incremental delivery's volume is flagged only when it differs from the median by at least this factor
    /// (default 3: changes come and go with the provider's business).</summary>
    public double IncrementalMinimumFactor { get; init; } = 3;

    /// <summary>Volumes closer to the median than this many rows are never flagged (default 10), nor quarantines that many
    /// rows above the usual rate.</summary>
    public long MinimumRows { get; init; } = 10;

    /// <summary>The smallest spread of the quarantine rate (default 0.005, half a percentage point).</summary>
    public double QuarantineSpreadFloor { get; init; } = 0.005;

    /// <summary>The smallest spread of the mismatch rate, in reports per 1 000 rows (default 0.5).</summary>
    public double MismatchSpreadFloor { get; init; } = 0.5;

    /// <summary>A mismatch rate is flagged only with at least this many reports more than the usual rate gives (default 3).</summary>
    public long MinimumReports { get; init; } = 3;

    /// <summary>Problems with the values.</summary>
    public IReadOnlyList<string> Validate() =>
        new (bool Wrong, string Problem)[]
        {
            (MinimumHistory is < 2 or > 1000, $"MinimumHistory is {MinimumHistory}; use 2 to 1000."),
            (HistoryLength < MinimumHistory || HistoryLength > 1000, $"HistoryLength is {HistoryLength}; use MinimumHistory to 1000."),
            (!(Threshold > 0), $"Threshold is {Threshold}; use a positive number."),
            (!(FullMinimumFactor > 1) || !(IncrementalMinimumFactor > 1), "the minimum factors must be greater than 1."),
            (MinimumRows < 0 || MinimumReports < 0, "MinimumRows and MinimumReports must not be negative."),
            (!(QuarantineSpreadFloor > 0) || !(MismatchSpreadFloor > 0), "the spread floors must be positive."),
        }.Where(p => p.Wrong).Select(p => p.Problem).ToList();
}

/// <summary>What judging one delivery found.</summary>
/// <param name="Judgement">The parts judged.</param>
/// <param name="Anomalies">The anomalies among them.</param>
public sealed record FeedVerdict(FeedJudgement Judgement, IReadOnlyList<FeedAnomaly> Anomalies);

/// <summary>Provider feed anomalies: each committed delivery of an entry compared with that entry's own earlier deliveries of
/// the same mode (a full snapshot with full snapshots, an incremental delivery with incremental ones), by robust
/// statistics (median and median absolute deviation), so that one odd delivery in the history does not hide the next.
/// <list type="bullet">
/// <item>Volume (rows read; rows accepted only when rows read is not flagged, the same story told once): on the log scale,
/// where a halving and a doubling are as far out; drops and surges.</item>
/// <item>Quarantine rate: surges only (fewer rows quarantined is no alarm).</item>
/// <item>Mismatch rate: reports raised against the entry while the delivery's data was current (from its commit to the next
/// delivery, at least a day so that the nightly consistency check falls in every window), per 1 000 rows it accepted;
/// surges only, and judged once the window has closed.</item>
/// </list></summary>
public static class FeedAnomalies
{
    /// <summary>The scale that makes a MAD a standard deviation for normally distributed figures.</summary>
    public const double MadScale = 1.4826;

    private static readonly NumberFormatInfo ChineseNumbers = new() { NumberGroupSeparator = " ", NumberDecimalSeparator = "." };

    /// <summary>Judges every delivery of one entry that has a part not judged yet; <paramref name="deliveries"/> are all the
    /// entry's committed deliveries, oldest first.</summary>
    public static IReadOnlyList<FeedVerdict> JudgeEntry(IReadOnlyList<FeedDelivery> deliveries, string agency, DateTimeOffset now, FeedAnomalyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var verdicts = new List<FeedVerdict>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            if (!delivery.FiguresJudged || (!delivery.WindowJudged && delivery.WindowEnd <= now))
            {
                verdicts.Add(Judge(delivery, deliveries.Take(i).ToList(), agency, now, options));
            }
        }

        return verdicts;
    }

    /// <summary>Judges the parts of <paramref name="delivery"/> not judged yet against <paramref name="earlier"/> (the entry's
    /// committed deliveries before it, oldest first; those of another mode are left out here).</summary>
    public static FeedVerdict Judge(FeedDelivery delivery, IReadOnlyList<FeedDelivery> earlier, string agency, DateTimeOffset now, FeedAnomalyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(earlier);
        options ??= new FeedAnomalyOptions();
        var history = earlier.Where(d => d.Mode == delivery.Mode && d.FinishedAt <= delivery.FinishedAt && d.BatchId != delivery.BatchId)
            .TakeLast(options.HistoryLength).ToList();
        var figures = !delivery.FiguresJudged;
        var window = !delivery.WindowJudged && delivery.WindowEnd <= now;
        var anomalies = new List<FeedAnomaly>();
        if (history.Count >= options.MinimumHistory)
        {
            var found = new Finding(delivery, agency, now);
            if (figures)
            {
                if (Volume(found, FeedMetric.RowsRead, delivery.Read, history.Select(d => d.Read).ToList(), options) is { } read)
                {
                    anomalies.Add(read);
                }
                else if (Volume(found, FeedMetric.RowsAccepted, delivery.Accepted, history.Select(d => d.Accepted).ToList(), options) is { } accepted)
                {
                    anomalies.Add(accepted);
                }

                if (Quarantine(found, history, options) is { } quarantine)
                {
                    anomalies.Add(quarantine);
                }
            }

            if (window && Mismatches(found, history, options) is { } mismatches)
            {
                anomalies.Add(mismatches);
            }
        }

        return new FeedVerdict(new FeedJudgement(delivery.BatchId, delivery.DatasetId, figures, window), anomalies);
    }

    /// <summary>The median of the values (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("the median of no values", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median absolute deviation from the median.</summary>
    public static double Mad(IReadOnlyList<double> values)
    {
        var median = Median(values);
        return Median(values.Select(v => Math.Abs(v - median)).ToList());
    }

    private static FeedAnomaly? Volume(Finding found, string metric, long value, IReadOnlyList<long> history, FeedAnomalyOptions options)
    {
        // On the log scale: a feed of 50 000 rows that delivers 25 000 is as far out as one that delivers 100 000.
        var logs = history.Select(h => Math.Log(1 + h)).ToList();
        var factor = found.Delivery.Mode == DeliveryMode.Full ? options.FullMinimumFactor : options.IncrementalMinimumFactor;
        var spread = Math.Max(MadScale * Mad(logs), Math.Log(factor) / options.Threshold);
        var score = (Math.Log(1 + value) - Median(logs)) / spread;
        var raw = history.Select(h => (double)h).ToList();
        var median = Median(raw);
        if (Math.Abs(score) < options.Threshold || Math.Abs(value - median) < options.MinimumRows)
        {
            return null;
        }

        var drop = score < 0;
        var change = median == 0 ? 0 : Math.Abs(value - median) / median;
        var (zhWhat, enWhat) = metric == FeedMetric.RowsRead ? ("投递", "brought") : ("入库", "had accepted");
        var zh = $"本次{zhWhat} {Zh(value)} 行，往常约 {Zh(median)} 行（中位数），" +
            (drop ? $"骤降 {Zh(change * 100, 1)}%" : median < 1 ? "往常几乎没有" : value >= 2 * median ? $"激增至往常的 {Zh(value / median, 1)} 倍" : $"激增 {Zh(change * 100, 1)}%") + "。";
        var en = $"This delivery {enWhat} {En(value)} rows where about {En(median)} is usual (the median): " +
            (drop ? $"a drop of {En(change * 100, 1)}%" : median < 1 ? "usually there are next to none" : value >= 2 * median ? $"a surge to {En(value / median, 1)} times the usual" : $"a surge of {En(change * 100, 1)}%") + ".";
        return found.Anomaly(metric, value, median, Mad(raw), score, drop, zh, en);
    }

    private static FeedAnomaly? Quarantine(Finding found, IReadOnlyList<FeedDelivery> history, FeedAnomalyOptions options)
    {
        var rates = history.Select(d => d.QuarantineRate).ToList();
        var (median, mad) = (Median(rates), Mad(rates));
        var rate = found.Delivery.QuarantineRate;
        var score = (rate - median) / Math.Max(MadScale * mad, options.QuarantineSpreadFloor);
        if (score < options.Threshold || found.Delivery.Quarantined - median * found.Delivery.Read < options.MinimumRows)
        {
            return null;
        }

        var zh = $"本次投递隔离 {Zh(found.Delivery.Quarantined)} 行，隔离率 {Zh(rate * 100, 1)}%，往常约 {Zh(median * 100, 1)}%（中位数），明显升高。";
        var en = $"This delivery quarantined {En(found.Delivery.Quarantined)} rows, {En(rate * 100, 1)}% of those read, where about {En(median * 100, 1)}% is usual (the median).";
        return found.Anomaly(FeedMetric.QuarantineRate, rate, median, mad, score, drop: false, zh, en);
    }

    private static FeedAnomaly? Mismatches(Finding found, IReadOnlyList<FeedDelivery> history, FeedAnomalyOptions options)
    {
        if (found.Delivery.MismatchRate is not { } rate || found.Delivery.WindowEnd is not { } end)
        {
            return null;
        }

        var rates = history.Where(d => d.MismatchRate is not null).Select(d => d.MismatchRate!.Value).ToList();
        if (rates.Count < options.MinimumHistory)
        {
            return null;
        }

        var (median, mad) = (Median(rates), Mad(rates));
        var score = (rate - median) / Math.Max(MadScale * mad, options.MismatchSpreadFloor);
        if (score < options.Threshold || found.Delivery.Reports - median * found.Delivery.Accepted / 1000 < options.MinimumReports)
        {
            return null;
        }

        var (from, to) = (ChinaTime.ToChina(found.Delivery.FinishedAt).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            ChinaTime.ToChina(end).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        var zh = $"本次投递的数据在用期间（{from} 至 {to}）收到差异报告 {Zh(found.Delivery.Reports)} 条，每千行 {Zh(rate, 2)} 条，往常约 {Zh(median, 2)} 条（中位数），明显升高。";
        var en = $"While this delivery was current ({from} to {to}, China time), {En(found.Delivery.Reports)} mismatch reports were raised against the entry: " +
            $"{En(rate, 2)} per 1 000 rows, where about {En(median, 2)} is usual (the median).";
        return found.Anomaly(FeedMetric.MismatchRate, rate, median, mad, score, drop: false, zh, en);
    }

    private static string Zh(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), ChineseNumbers);

    private static string En(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private sealed record Finding(FeedDelivery Delivery, string Agency, DateTimeOffset Now)
    {
        public FeedAnomaly Anomaly(string metric, double value, double median, double mad, double score, bool drop, string zh, string en) =>
            new(FeedAnomaly.IdOf(Delivery.BatchId, metric), Delivery.DatasetId, Agency, Delivery.BatchId, metric, value, median, mad, score,
                drop ? "drop" : "surge", Delivery.FinishedAt, Now, zh, en);
    }
}
