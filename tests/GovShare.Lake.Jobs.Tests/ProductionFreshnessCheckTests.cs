using System.Globalization;
using System.Text;
using GovShare.Lake.Freshness;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Freshness;
using GovShare.Lake.Jobs.Notifications;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>The freshness check of a 3-day entry with production times, end to end: real deliveries of the marriage
/// register (its registration time is the production time) through the ingestion, the check over the platform store
/// (test calendar: 1–7 and 10 October 2031 off, Saturday 27 September worked).</summary>
public sealed class ProductionFreshnessCheckTests : IDisposable
{
    private const string Dataset = "mca.marriage";
    private const string Header = "公民身份号码,姓名,性别,出生日期,婚姻状况,操作类型,登记时间";

    private static readonly DateTimeOffset Registered = At("2031-09-22 09:00");

    private readonly JobsLake _lake = new();
    private readonly DeliveryIngestor _ingestor;

    public ProductionFreshnessCheckTests()
    {
        _ingestor = new DeliveryIngestor(_lake.Layout, _lake.Store, IdentifierValidator.Default, _lake.Clock);
        var entry = CatalogueYaml.LoadFile(Path.Combine(SampleCatalogue(), "mca.marriage.yaml"));
        // The sample's files are GBK; these are written as UTF-8.
        _lake.Store.SaveCatalogueEntry(entry with { Source = entry.Source with { Encoding = "auto" } }, Registered);
    }

    private FreshnessCheck Check() => new(_lake.Store, () => _lake.Calendar, new FreshnessOptions(), new Notifier(_lake.Store, _lake.Clock));

    [Fact]
    public void Check_Should_JudgeByTheRegistrationTimesDelivered_AndNotCountADeliveryWithLateRecordsAsMeetingItsDeadline()
    {
        // Monday: the first delivery, a historical load (nothing judged late), newest registration Sunday 16:00.
        var first = Deliver("2031-09-22 10:00", "first.csv", ("2031-09-01 10:00:00", 1), ("2031-09-21 16:00:00", 2));
        var fresh = Check().Run(At("2031-09-22 12:00")).Statuses.Single();
        // Wednesday: a registration of Tuesday 09:00, in time; due again Friday 09:00.
        var second = Deliver("2031-09-24 10:00", "second.csv", ("2031-09-23 09:00:00", 3));
        var overdue = Check().Run(At("2031-09-26 10:00"));
        // Monday 29th: a registration of Wednesday 12:00 (due Saturday 27th 12:00, a worked day: late) and one of Sunday 15:00.
        var third = Deliver("2031-09-29 10:00", "third.csv", ("2031-09-24 12:00:00", 4), ("2031-09-28 15:00:00", 5));
        var after = Check().Run(At("2031-09-29 11:00")).Statuses.Single();

        Assert.Equal((At("2031-09-21 16:00"), 0L, (DateTimeOffset?)null), (first.ProducedNewest, first.LateRows, first.OldestLate));
        Assert.Equal((At("2031-09-23 09:00"), 0L), (second.ProducedNewest, second.LateRows));
        Assert.Equal((At("2031-09-28 15:00"), 1L, (DateTimeOffset?)At("2031-09-24 12:00")), (third.ProducedNewest, third.LateRows, third.OldestLate));

        // Three days after the newest registration, not after the delivery.
        Assert.Equal((FreshnessState.Fresh, At("2031-09-24 16:00")), (fresh.State, fresh.Deadline));
        var late = overdue.Statuses.Single();
        Assert.Equal((FreshnessState.Overdue, At("2031-09-26 09:00")), (late.State, late.Deadline));
        Assert.Equal(("mca", "freshness_overdue"), (Assert.Single(overdue.Notifications).Agency, overdue.Notifications[0].Kind));
        // Counting from Wednesday's delivery alone, the entry would still only be due (Saturday 27th 10:00, a worked day).
        var byDeliveryTime = FreshnessRules.Evaluate(_lake.Store.ListFreshnessSubjects().Single(), [At("2031-09-22 10:00"), At("2031-09-24 10:00")],
            _lake.Calendar, new FreshnessOptions(), At("2031-09-26 10:00"));
        Assert.Equal(FreshnessState.Due, byDeliveryTime.State);

        // Monday 29th's delivery brings newer records (due the end of 8 October: 1 October is a holiday), but carried a late one.
        Assert.Equal(FreshnessState.Fresh, after.State);
        Assert.Equal(At("2031-10-09 00:00"), after.Deadline);
        Assert.Equal(At("2031-09-29 10:00"), after.LastDelivery);
        Assert.Equal(At("2031-09-24 10:00"), after.LastMet);
        Assert.StartsWith("1 record(s) delivered more than 3 days after being produced since the last on-time delivery, up to 1.9 day(s) after their deadline " +
            "(the oldest produced 2031-09-24 12:00)", after.Reason, StringComparison.Ordinal);
        var stored = _lake.Store.ListFreshness().Single().Status;
        Assert.Equal((after.LastMet, after.Reason), (stored.LastMet, stored.Reason));

        var batch = _lake.Store.FindBatch(third.BatchId)!;
        Assert.Equal((At("2031-09-28 15:00"), 1L, (DateTimeOffset?)At("2031-09-24 12:00")), (batch.ProducedNewest!.Value, batch.LateRows, batch.OldestLate));

        // The scorecards' history agrees: Monday 22nd met the deadline from the registration, Wednesday the one from Sunday's
        // registration, Monday 29th answered Friday's late and with a late record.
        var subject = _lake.Store.ListFreshnessSubjects().Single();
        Assert.Equal(("登记时间", Registered), (subject.ProducedAt, subject.RegisteredAt));
        var outcomes = DeadlineHistory.Between(subject, _lake.Store.FreshnessDeliveries(At("2031-09-01 00:00"))[Dataset], _lake.Calendar, new FreshnessOptions(),
            At("2031-09-22 00:00"), At("2031-09-30 00:00"));
        Assert.Equal(
            [
                (At("2031-09-24 16:00"), true, (DateTimeOffset?)At("2031-09-24 10:00")),
                (At("2031-09-25 09:00"), true, At("2031-09-22 10:00")),
                (At("2031-09-26 09:00"), false, At("2031-09-29 10:00")),
            ],
            outcomes.Select(o => (o.Deadline, o.Met, o.DeliveredAt)).ToList());
    }

    public void Dispose() => _lake.Dispose();

    /// <summary>Delivers the given registrations (time, person number) as one file at the given moment.</summary>
    private BatchReport Deliver(string at, string name, params (string Registered, int Person)[] rows)
    {
        _lake.Clock.Now = At(at);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var (registered, person) in rows)
        {
            var body = string.Create(CultureInfo.InvariantCulture, $"410102{1980 + person}0101{person * 2 + 1:D3}");
            text.Append(body).Append(CitizenIdNumber.ComputeCheckCharacter(body)).Append(CultureInfo.InvariantCulture, $",居民{person},男,{1980 + person}0101,20,I,{registered}\n");
        }

        var path = Path.Combine(_lake.Root, "files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        var report = _ingestor.Ingest(path, Dataset);
        Assert.True(report.Status == BatchStatus.Committed, $"{name}: {report.Status} {report.Message}");
        return report;
    }

    private static string SampleCatalogue()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "sample-data", "catalogue");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("sample-data/catalogue not found above " + AppContext.BaseDirectory);
    }
}
