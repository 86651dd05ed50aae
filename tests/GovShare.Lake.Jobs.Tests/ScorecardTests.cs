using GovShare.Lake.Audit;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Platform;
using GovShare.Lake.Scorecards;
using static GovShare.Lake.Jobs.Tests.JobsLake;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>A hand-built quarter: four datasets of three providers, their deliveries, data requests in the audit trail
/// and mismatch reports (built once for the class: the tests only read it).</summary>
public sealed class ScorecardScenario : IDisposable
{
    private readonly JobsLake _lake = new();

    public ScorecardScenario()
    {
        // psb and hrss feed population.persons (3-day data), amr legal_entity.entities (quarterly and real-time data).
        _lake.Entry("psb.household", UpdateDeadline.Within3Days, At("2031-08-29 12:00"), agency: "psb", sample: "psb.household");
        _lake.Entry("hrss.insured", UpdateDeadline.Within3Days, At("2031-08-29 12:00"), agency: "hrss", sample: "hrss.insured");
        _lake.Entry("amr.quarterly", UpdateDeadline.Quarterly, At("2031-01-01 00:00"), agency: "amr");
        _lake.Entry("amr.licences", UpdateDeadline.RealTime, At("2031-09-30 00:00"), agency: "amr");
        _lake.Store.SaveTheme(new ThemeDefinition
        {
            Id = "credit", Name = new LocalizedName("信用", "Credit"), Agency = new AgencyRef("operator", new LocalizedName("平台", "Platform")),
            KeyColumn = "uscc", Sql = "SELECT * FROM legal_entity.entities", Sources = ["legal_entity.entities"],
        }, At("2031-01-01 00:00"));

        // psb: six deliveries, the one of 14 September the same file as 12 September's (it brings nothing new).
        foreach (var at in new[] { "2031-08-30 10:00", "2031-09-02 09:00", "2031-09-04 09:00", "2031-09-12 09:00", "2031-09-25 09:00" })
        {
            Batch("psb.household", "psb-" + at, at, "committed", 10, 10, 0);
        }

        Batch("psb.household", "psb-2031-09-12 09:00", "2031-09-14 09:00", "committed", 10, 10, 0, repeat: true);

        // hrss: committed, then refused (over the threshold), then an unreadable file.
        Batch("hrss.insured", "hrss-1", "2031-09-01 10:00", "committed", 100, 90, 10);
        Batch("hrss.insured", "hrss-2", "2031-09-03 10:00", "refused", 50, 30, 20);
        Batch("hrss.insured", "hrss-3", "2031-09-05 10:00", "failed", 0, 0, 0);

        // amr: the quarter's file on 5 July; the real-time feed from 30 September, with a gap.
        Batch("amr.quarterly", "amr-q3", "2031-07-05 09:00", "committed", 20, 20, 0);
        foreach (var at in new[] { "2031-09-30 00:10", "2031-09-30 00:20", "2031-09-30 02:00" })
        {
            Batch("amr.licences", "amr-" + at, at, "committed", 1, 1, 0);
        }

        // Outside the quarter: counted nowhere.
        Batch("psb.household", "psb-late", "2031-10-02 09:00", "committed", 10, 10, 0);

        var clock = new TestClock(At("2031-09-10 10:00"));
        using (var audit = new AuditLog(_lake.Root, clock))
        {
            void Append(string at, string agency, string purpose, string action, string[] resources, long rows, string outcome = "allowed", int status = 200)
            {
                clock.Now = At(at);
                audit.Append(new AuditEvent(agency, "张三", purpose, action, resources, null, [], rows, outcome, status));
                audit.FlushAsync().GetAwaiter().GetResult();
            }

            Append("2031-06-30 23:59", "urban-ops", "低保核查", "RunQuery", ["population.persons"], 7);
            Append("2031-09-10 10:00", "urban-ops", "低保核查", "RunQuery", ["population.persons"], 10);
            for (var i = 0; i < 3; i++)
            {
                Append("2031-09-11 10:00", "urban-ops", "低保核查", "LookupPerson", ["population.persons", "src.psb.household"], 1);
            }

            Append("2031-09-12 10:00", "housing-fund", "公积金贷款", "ExportTheme", ["themes.credit"], 100);
            Append("2031-09-12 11:00", "housing-fund", "公积金贷款", "RunQuery", ["src.hrss.insured"], 0, "denied", 403);
            Append("2031-09-13 10:00", "psb", "户籍核查", "LookupPerson", ["population.persons", "src.hrss.insured", "src.psb.household"], 2);
            Append("2031-09-13 11:00", "urban-ops", "低保核查", "SubmitAccessRequest", ["hrss.insured"], 0);
            Append("2031-09-14 10:00", "urban-ops", "区划", "RunQuery", ["geo.divisions"], 5);
            Append("2031-09-15 10:00", "civil-affairs", "核查 110101199003074514 的低保", "RunQuery", ["geo.divisions"], 1);
            Append("2031-10-02 10:00", "urban-ops", "低保核查", "RunQuery", ["population.persons"], 9);
        }
    }

    public DuckDbPlatformStore Store => _lake.Store;

    public string Root => _lake.Root;

    public Calendar.WorkingCalendar Calendar => _lake.Calendar;

    public static IReadOnlyList<MismatchFact> Mismatches { get; } =
    [
        // psb: resolved in 2 working days; in 5 (late); open, not yet due on 1 October (the National Day week); withdrawn.
        new("psb", "psb.household", At("2031-09-01 10:00"), At("2031-09-04 10:00"), At("2031-09-03 10:00"), false),
        new("psb", "psb.household", At("2031-09-08 10:00"), At("2031-09-11 10:00"), At("2031-09-15 10:00"), false),
        new("psb", "psb.household", At("2031-09-29 10:00"), At("2031-10-09 10:00"), null, false),
        new("psb", "psb.household", At("2031-09-09 10:00"), At("2031-09-12 10:00"), null, true),
        new("psb", "psb.household", At("2031-06-30 10:00"), At("2031-07-03 10:00"), null, false),

        // hrss: open past its due date.
        new("hrss", "hrss.insured", At("2031-09-02 10:00"), At("2031-09-05 10:00"), null, false),
    ];

    /// <inheritdoc />
    public void Dispose() => _lake.Dispose();

    private void Batch(string dataset, string batchId, string at, string status, long read, long accepted, long quarantined, bool repeat = false) =>
        _lake.Store.RecordBatch(new BatchRecord(batchId, dataset, 1, "delivery.csv", status, read, accepted, quarantined, 0, status == "committed" ? 1 : null,
            At(at).AddSeconds(-30), At(at), "{}", repeat));
}

/// <summary>The scorecards of 2031-Q3 for the hand-built scenario: every figure worked out by hand from its deliveries,
/// audit events and mismatch reports, and checked against what the delivery log and the audit trail themselves say.</summary>
public sealed class ScorecardTests(ScorecardScenario scenario) : IClassFixture<ScorecardScenario>
{
    private static readonly ScorecardPeriod Q3 = ScorecardPeriod.Parse("2031-Q3", out _)!;

    [Fact]
    public void Deliveries_Should_CountEveryDeliveryOfThePeriod_TheSameFileAgainWithoutRows()
    {
        var cards = Build();

        Assert.Equal(new DeliveryFigures(6, 5, 1, 0, 0, 50, 50, 0, 0), Provider(cards, "psb").Deliveries);
        Assert.Equal(new DeliveryFigures(3, 1, 0, 1, 1, 150, 90, 30, 0.2), Provider(cards, "hrss").Deliveries);
        Assert.Equal(new DeliveryFigures(4, 4, 0, 0, 0, 23, 23, 0, 0), Provider(cards, "amr").Deliveries);

        // The batch records keep the delivery that committed a file, not the same file again.
        Assert.Equal(At("2031-09-12 09:00"), scenario.Store.FindBatch("psb-2031-09-12 09:00")!.FinishedAt);
    }

    [Fact]
    public void Deadlines_Should_BeMetOrMissedByTheRulesOfEachClass()
    {
        var cards = Build();

        // psb: due 1 Sep (met 30 Aug), 2 Sep (met), 5 Sep (met 4 Sep), 7 Sep a Sunday → end of Monday 8 (missed, and again
        // 12 Sep 00:00, before the 09:00 delivery), 15 Sep (met 14 Sep, the same file again), 17 Sep (missed, and 20 and
        // 23 Sep, until 25 Sep), 28 Sep a Sunday → end of Monday 29 (missed; the next, 3 October, is after the quarter).
        Assert.Equal(DeadlineFigures.Of(4, 6), Provider(cards, "psb").Deadlines with { ByClass = [] });

        // hrss: 1 Sep met; 4 Sep missed and every 3 days after it to the quarter's end, nine in all (the refused and the
        // failed file meet nothing).
        Assert.Equal(DeadlineFigures.Of(1, 9), Provider(cards, "hrss").Deadlines with { ByClass = [] });

        // amr: Q3's by 10 July met; real time on 30 September: 00:15 and 00:25 met, then every 15 minutes missed from 00:35
        // to 01:50 (6) until the 02:00 delivery, and from 02:15 to 24:00 (88) after the last one.
        var amr = Provider(cards, "amr").Deadlines;
        Assert.Equal((97L, 3L), (amr.Deadlines, amr.Met));
        Assert.Equal([new ClassDeadlines("quarterly", 1, 1, 1), new ClassDeadlines("real_time", 96, 2, Math.Round(2.0 / 96, 6))], amr.ByClass);
    }

    [Fact]
    public void Freshness_Should_StandAtThePeriodsEnd()
    {
        var cards = Build();

        Assert.Equal(At("2031-10-01 00:00"), cards.AsOf);
        Assert.Equal(new FreshnessFigures(0, 0, 1, 0), Provider(cards, "psb").Freshness);
        Assert.Equal(new FreshnessFigures(0, 0, 0, 1), Provider(cards, "hrss").Freshness);
        Assert.Equal(new FreshnessFigures(1, 0, 0, 1), Provider(cards, "amr").Freshness);
    }

    [Fact]
    public void Mismatches_Should_CountTheQuartersReports_InWorkingDays()
    {
        var cards = Build();

        Assert.Equal(new MismatchFigures(3, 2, 1, 1, 3.5, 1), Provider(cards, "psb").Mismatches);
        Assert.Equal(new MismatchFigures(1, 0, 1, 1, null, 0), Provider(cards, "hrss").Mismatches);
        Assert.Equal(MismatchFigures.None, Provider(cards, "amr").Mismatches);
    }

    [Fact]
    public void Use_Should_CountOtherAgenciesRequestsThatDrewOnTheData()
    {
        var cards = Build();

        // psb: the query over population.persons and the three lookups that served its rows (its own lookup is not use by others).
        Assert.Equal(new UseFigures(1, 4, 1, 3, 0, 13, [new AgencyUse("urban-ops", 4, 13)]), Provider(cards, "psb").Use with { ByAgency = Provider(cards, "psb").Use.ByAgency.ToList() },
            new UseComparer());

        // hrss: the same query, and psb's lookup that served hrss rows; the denied query does not count.
        Assert.Equal(new UseFigures(2, 2, 1, 1, 0, 12, [new AgencyUse("psb", 1, 2), new AgencyUse("urban-ops", 1, 10)]), Provider(cards, "hrss").Use, new UseComparer());

        // amr: the credit theme (declared over legal_entity.entities), once for the agency, once for each of its datasets.
        Assert.Equal(new UseFigures(1, 1, 0, 0, 1, 100, [new AgencyUse("housing-fund", 1, 100)]), Provider(cards, "amr").Use, new UseComparer());
        Assert.All(Provider(cards, "amr").Datasets, d => Assert.Equal(1, d.Use.Exports));
    }

    [Fact]
    public void Consumers_Should_ReportWhatEachAgencyUsed_AndWhy()
    {
        var cards = Build();

        Assert.Equal(["civil-affairs", "housing-fund", "psb", "urban-ops"], cards.Consumers.Select(c => c.Agency).ToList());

        // A stated purpose is published: an ID number written into it is masked.
        Assert.Equal("核查 1101**********4514 的低保", cards.Consumers[0].Purposes.Single().Purpose);
        var urban = cards.Consumers.Single(c => c.Agency == "urban-ops");
        Assert.Equal((5L, 0L, 2L, 3L, 0L, 18L), (urban.Requests, urban.Denied, urban.Queries, urban.Lookups, urban.Exports, urban.RowsServed));
        Assert.Equal([new PurposeUse("低保核查", 4, 13), new PurposeUse("区划", 1, 5)], urban.Purposes);
        Assert.Equal([new ResourceUse("population.persons", 4, 13), new ResourceUse("src.psb.household", 3, 3), new ResourceUse("geo.divisions", 1, 5)], urban.Resources);
        var housing = cards.Consumers.Single(c => c.Agency == "housing-fund");
        Assert.Equal((1L, 1L, 0L, 1L, 100L), (housing.Requests, housing.Denied, housing.Failed, housing.Exports, housing.RowsServed));

        // The same as counting the audit trail's own entries of the quarter, one by one.
        var entries = AuditLog.Read(scenario.Root).Select(e => e.Entry!)
            .Where(e => e.At >= Q3.From && e.At < Q3.To && AuditUsage.DataActions.ContainsKey(e.Event.Action)).ToList();
        foreach (var consumer in cards.Consumers)
        {
            var own = entries.Where(e => e.Event.Agency == consumer.Agency).ToList();
            Assert.Equal(own.Count(e => e.Event.Outcome == "allowed"), consumer.Requests);
            Assert.Equal(own.Count(e => e.Event.Outcome == "denied"), consumer.Denied);
            Assert.Equal(own.Count(e => e.Event.Outcome == "failed"), consumer.Failed);
            Assert.Equal(own.Where(e => e.Event.Outcome == "allowed").Sum(e => e.Event.Rows ?? 0), consumer.RowsServed);
        }
    }

    [Fact]
    public void Formats_Should_WriteEveryProviderAsACsvRow_AndTheReportInBothLanguages()
    {
        var cards = Build();

        var providers = ScorecardFormats.Csv(cards, "providers").Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, providers.Length);
        Assert.StartsWith("period,agency,name_zh", providers[0], StringComparison.Ordinal);
        Assert.StartsWith("2031-Q3,hrss,", providers[2], StringComparison.Ordinal);
        Assert.Equal(providers[0].Split(',').Length, providers[2].Split(',').Length);
        Assert.Equal(
            ["period,agency,purpose,requests,rows_served", "2031-Q3,civil-affairs,核查 1101**********4514 的低保,1,1", "2031-Q3,housing-fund,公积金贷款,1,100", "2031-Q3,psb,户籍核查,1,2", "2031-Q3,urban-ops,低保核查,4,13", "2031-Q3,urban-ops,区划,1,5"],
            ScorecardFormats.Csv(cards, "purposes").Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        Assert.Throws<LakeException>(() => ScorecardFormats.Csv(cards, "nothing"));

        var zh = ScorecardFormats.Html(cards, english: false);
        var en = ScorecardFormats.Html(cards, english: true);
        Assert.Contains("<html lang=\"zh-CN\">", zh, StringComparison.Ordinal);
        Assert.Contains("2031-Q3 政务信息资源共享评估报告", zh, StringComparison.Ordinal);
        Assert.Contains("evaluation report 2031-Q3", en, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", zh, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Period_Should_ReadYearsQuartersAndMonths_AndRefuseAnythingElse()
    {
        Assert.Equal((At("2031-01-01 00:00"), At("2032-01-01 00:00")), (ScorecardPeriod.Parse("2031", out _)!.From, ScorecardPeriod.Parse("2031", out _)!.To));
        Assert.Equal((At("2031-07-01 00:00"), At("2031-10-01 00:00")), (Q3.From, Q3.To));
        Assert.Equal((At("2031-12-01 00:00"), At("2032-01-01 00:00")), (ScorecardPeriod.Parse("2031-12", out _)!.From, ScorecardPeriod.Parse("2031-12", out _)!.To));
        Assert.Null(ScorecardPeriod.Parse("2031-13", out var month));
        Assert.Contains("months are 01 to 12", month, StringComparison.Ordinal);
        Assert.Null(ScorecardPeriod.Parse("last year", out var words));
        Assert.Contains("is not a year (2026)", words, StringComparison.Ordinal);
    }

    private Scorecards.Scorecards Build() =>
        new ScorecardBuilder(scenario.Store, scenario.Root, scenario.Calendar, new FreshnessOptions()).Build(Q3, ScorecardScenario.Mismatches, At("2031-10-15 12:00"));

    private static ProviderScorecard Provider(Scorecards.Scorecards cards, string agency) => cards.Providers.Single(p => p.Agency == agency);

    // Records with lists compare the lists' contents.
    private sealed class UseComparer : IEqualityComparer<UseFigures>
    {
        public bool Equals(UseFigures? x, UseFigures? y) =>
            x is not null && y is not null && x with { ByAgency = [] } == y with { ByAgency = [] } && x.ByAgency.SequenceEqual(y.ByAgency);

        public int GetHashCode(UseFigures obj) => obj.Requests.GetHashCode();
    }
}
