using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Tests.Quality;

/// <summary>Check-raised reports and their review on a real platform store: a flag waits for a reviewer, is raised once
/// per difference, stays out once rejected or dismissed; reviewers confirm, dismiss and reroute; the provider does not
/// see a report before it is sent; verdicts are readable for retraining; the store filters, orders and pages listings.</summary>
public sealed class MismatchReviewTests : IDisposable
{
    /// <summary>Tuesday 30 September 2031, 10:00 China time: the day before the National Day week.</summary>
    private static readonly DateTimeOffset Tuesday = new(2031, 9, 30, 10, 0, 0, ChinaTime.Offset);

    // Counted by hand: 1-7 October off, Wed 8 (1), Thu 9 (2), Fri 10 (3): due at the end of Friday 10 October.
    private static readonly DateTimeOffset Due = new(2031, 10, 11, 0, 0, 0, ChinaTime.Offset);

    private static readonly string Person = ValidIds.Citizen("410102", new DateOnly(1990, 1, 1), 123);

    private static readonly Agency Hrss = Provider("hrss");
    private static readonly Agency Psb = Provider("psb");
    private static readonly Agency Consumer = new("housing-fund", new LocalizedName("公积金中心", "Housing fund"), AgencyKind.Consumer, Tuesday);
    private static readonly Agency Operator = new("operator", new LocalizedName("运营", "Operator"), AgencyKind.Operator, Tuesday);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "govshare-review-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbPlatformStore _store;
    private readonly MovableClock _clock = new(Tuesday);
    private readonly MismatchWorkflow _workflow;

    public MismatchReviewTests()
    {
        _store = DuckDbPlatformStore.Open(_root);
        WorkingCalendar.Save(_root, 2031, string.Join('\n', Enumerable.Range(1, 7).Select(d => $"holiday,2031-10-0{d},国庆节")) + "\nworkday,2031-09-27,国庆节调休\n");
        var calendar = WorkingCalendar.Load(_root);
        _workflow = new MismatchWorkflow(_store, () => calendar, _clock, ValidIds.Validator);
        _store.SaveCatalogueEntry(Persons("psb.household", "psb", "name", "household_address", "residence_address"), Tuesday.AddDays(-30));
        _store.SaveCatalogueEntry(Persons("hrss.insured", "hrss", "name", "residence_address"), Tuesday.AddDays(-30));
        _store.SaveCatalogueEntry(new CatalogueEntry
        {
            Id = "nr.places",
            Name = new LocalizedName("地点", "Places"),
            Agency = new AgencyRef("nr", new LocalizedName("自然资源局", "Natural resources")),
            Target = "geo.places",
            KeyColumn = "place_id",
            Fields = [new FieldMapping { Source = "place_id", Target = "place_id", Type = "string", Required = true }, new FieldMapping { Source = "name", Target = "name", Type = "string" }],
        }, Tuesday.AddDays(-30));
    }

    [Fact]
    public void Flag_Should_WaitForAReviewer_WithTheFinding_NotRoutedAndNotDue()
    {
        var flagging = _workflow.Flag("hrss.insured", Person, "residence_address", "金水区花园路1号", "金水区花园路2号", Finding(), "consistency", Tuesday);

        var report = flagging.Report;
        Assert.Equal(MismatchFlagOutcome.Raised, flagging.Outcome);
        Assert.True(flagging.IsNew);
        Assert.Equal((MismatchStatus.AwaitingReview, false, true, null, null), (report.Status, report.IsOpen, report.IsActive, report.Due, report.VerificationStartedAt));
        Assert.Equal(("platform", "check:consistency", "hrss"), (report.Reporter, report.Source, report.Provider));
        Assert.Equal(["reported", "awaiting_review"], report.History.Select(e => e.Action).ToList());
        Assert.Equivalent(report, _store.FindMismatchReport(report.Id), strict: true);
        Assert.Equal("material_conflict", _store.FindMismatchReport(report.Id)!.Finding!.Class);
        Assert.Equal(["same_division", "edit_distance"], _store.FindMismatchReport(report.Id)!.Finding!.Reasons.Select(r => r.Feature));
    }

    [Fact]
    public void Flag_Should_AnswerTheOpenReport_AndNotRaiseARejectedOrDismissedDifference_UntilAValueChanges()
    {
        var first = _workflow.Flag("hrss.insured", Person, "residence_address", "金水区花园路1号", "金水区花园路2号", Finding(), "consistency", Tuesday).Report;
        var again = _workflow.Flag("hrss.insured", Person, "residence_address", "金水区花园路1号", "金水区花园路2号", Finding(), "consistency", Tuesday.AddDays(1));
        _workflow.Dismiss(first.Id, Operator, "同一地址的不同写法");
        var dismissed = _workflow.Flag("hrss.insured", Person, "residence_address", "金水区花园路1号", "金水区花园路2号", Finding(), "consistency", Tuesday.AddDays(2));
        var changed = _workflow.Flag("hrss.insured", Person, "residence_address", "金水区花园路1号院", "金水区花园路2号", Finding(), "consistency", Tuesday.AddDays(2));

        var other = _workflow.Flag("hrss.insured", Person, "name", "张三", "张叁", Finding() with { Class = "minor_variant" }, "consistency", Tuesday).Report;
        _workflow.Confirm(other.Id, Operator, null);
        _workflow.Resolve(other.Id, Hrss, new MismatchResolution(MismatchStatus.Rejected, "参保登记姓名经本人确认"));
        var rejected = _workflow.Flag("hrss.insured", Person, "name", "张三", "张叁", Finding(), "consistency", Tuesday.AddDays(3));

        Assert.Equal((MismatchFlagOutcome.AlreadyOpen, first.Id), (again.Outcome, again.Report.Id));
        Assert.False(again.IsNew);
        Assert.Equal((MismatchFlagOutcome.Dismissed, first.Id), (dismissed.Outcome, dismissed.Report.Id));
        Assert.Equal(MismatchFlagOutcome.Raised, changed.Outcome);
        Assert.Equal((MismatchFlagOutcome.Rejected, other.Id), (rejected.Outcome, rejected.Report.Id));
        Assert.Equal(3, _store.ListMismatchReports().Count);
    }

    [Fact]
    public void Flag_Should_RefuseAMalformedFinding_OrCheckName()
    {
        var kind = Assert.Throws<LakeException>(() => Flag(Finding() with { Class = "suspicious" }));
        var score = Assert.Throws<LakeException>(() => Flag(Finding() with { Score = 1.5 }));
        var name = Assert.Throws<LakeException>(() => _workflow.Flag("hrss.insured", Person, "residence_address", "a", "b", Finding(), "Nightly Check", Tuesday));
        var entry = Assert.Throws<LakeException>(() => _workflow.Flag("nobody.data", Person, "residence_address", "a", "b", Finding(), "consistency", Tuesday));

        Assert.Equal((LakeErrorKind.InvalidInput, LakeErrorKind.InvalidInput, LakeErrorKind.InvalidInput, LakeErrorKind.NotFound), (kind.Kind, score.Kind, name.Kind, entry.Kind));
        Assert.Contains("material_conflict, mis_keyed, minor_variant, equivalent, missing", kind.Message, StringComparison.Ordinal);
        Assert.Empty(_store.ListMismatchReports());
    }

    [Fact]
    public void Confirm_Should_SendItToTheProvider_DueInThreeWorkingDaysAfterTheHoliday_AndOnlyByTheOperator()
    {
        var report = Flag(Finding()).Report;

        var provider = Assert.Throws<LakeException>(() => _workflow.Confirm(report.Id, Hrss, null));
        var answer = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Rejected, "x")));
        Assert.False(MismatchWorkflow.MayRead(report, Hrss));
        var confirmed = _workflow.Confirm(report.Id, Operator, "与不动产登记不符");
        var twice = Assert.Throws<LakeException>(() => _workflow.Confirm(report.Id, Operator, null));

        Assert.Equal((LakeErrorKind.Forbidden, LakeErrorKind.NotFound, LakeErrorKind.Conflict), (provider.Kind, answer.Kind, twice.Kind));
        Assert.Equal((MismatchStatus.InVerification, Due, Tuesday, true), (confirmed.Status, confirmed.Due, confirmed.VerificationStartedAt, confirmed.IsOpen));
        Assert.Equal([("reported", "platform"), ("awaiting_review", "platform"), ("confirmed", "operator"), ("in_verification", "platform")],
            confirmed.History.Select(e => (e.Action, e.Actor)).ToList());
        Assert.Equal("与不动产登记不符", confirmed.History[2].Note);
        Assert.True(MismatchWorkflow.MayRead(confirmed, Hrss));
        Assert.Equal(MismatchStatus.InsufficientInformation, _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.InsufficientInformation)).Status);
    }

    [Fact]
    public void Dismiss_Should_NeedAReason_CloseTheReport_AndKeepItFromTheProvider()
    {
        var report = Flag(Finding()).Report;

        var noReason = Assert.Throws<LakeException>(() => _workflow.Dismiss(report.Id, Operator, "  "));
        var consumer = Assert.Throws<LakeException>(() => _workflow.Dismiss(report.Id, Consumer, "无关"));
        _clock.Now = Tuesday.AddHours(3);
        var dismissed = _workflow.Dismiss(report.Id, Operator, "写法不同，地址相同");

        Assert.Equal(LakeErrorKind.InvalidInput, noReason.Kind);
        Assert.StartsWith("reason is required", noReason.Message, StringComparison.Ordinal);
        Assert.Equal(LakeErrorKind.Forbidden, consumer.Kind);
        Assert.Equal((MismatchStatus.Dismissed, Tuesday.AddHours(3), "写法不同，地址相同", false, false), (dismissed.Status, dismissed.ResolvedAt, dismissed.Reasons, dismissed.IsOpen, dismissed.IsActive));
        Assert.Equal(("operator", "dismissed", MismatchStatus.AwaitingReview, MismatchStatus.Dismissed),
            (dismissed.History[^1].Actor, dismissed.History[^1].Action, dismissed.History[^1].From, dismissed.History[^1].To));
        Assert.False(MismatchWorkflow.MayRead(dismissed, Hrss));
        Assert.Equal(LakeErrorKind.Conflict, Assert.Throws<LakeException>(() => _workflow.Confirm(report.Id, Operator, null)).Kind);
    }

    [Fact]
    public void Reroute_Should_SendAReportAwaitingReviewOrInVerification_ToTheAuthoritativeEntrysProvider()
    {
        var awaiting = Flag(Finding()).Report;
        var consumers = _workflow.Report(Consumer.Code, new MismatchClaim("hrss.insured", Person, "name", "张三", "张叁")).Report;
        _clock.Now = new DateTimeOffset(2031, 10, 9, 9, 0, 0, ChinaTime.Offset);

        var places = Assert.Throws<LakeException>(() => _workflow.Reroute(awaiting.Id, Operator, "nr.places", null));
        var same = Assert.Throws<LakeException>(() => _workflow.Reroute(awaiting.Id, Operator, "hrss.insured", null));
        var missing = Assert.Throws<LakeException>(() => _workflow.Reroute(awaiting.Id, Operator, " ", null));
        var provider = Assert.Throws<LakeException>(() => _workflow.Reroute(consumers.Id, Hrss, "psb.household", null));
        var first = _workflow.Reroute(awaiting.Id, Operator, "psb.household", "居住地址以户籍登记为准");
        var second = _workflow.Reroute(consumers.Id, Operator, "psb.household", null);

        Assert.Contains("feeds geo.places", places.Message, StringComparison.Ordinal);
        Assert.Equal((LakeErrorKind.InvalidInput, LakeErrorKind.InvalidInput, LakeErrorKind.Forbidden), (same.Kind, missing.Kind, provider.Kind));
        Assert.StartsWith("entryId", missing.Message, StringComparison.Ordinal);

        // Thursday 9 October: Fri 10, Mon 13, Tue 14.
        var due = new DateTimeOffset(2031, 10, 15, 0, 0, 0, ChinaTime.Offset);
        foreach (var (rerouted, from) in new[] { (first, MismatchStatus.AwaitingReview), (second, MismatchStatus.InVerification) })
        {
            Assert.Equal(("psb.household", "psb", MismatchStatus.InVerification, due), (rerouted.EntryId, rerouted.Provider, rerouted.Status, rerouted.Due));
            Assert.Equal(["hrss.insured"], rerouted.RoutedFrom);
            Assert.Equal(("operator", "rerouted", from, MismatchStatus.InVerification),
                (rerouted.History[^1].Actor, rerouted.History[^1].Action, rerouted.History[^1].From, rerouted.History[^1].To));
        }

        Assert.EndsWith("居住地址以户籍登记为准", first.History[^1].Note, StringComparison.Ordinal);
        Assert.Equal(MismatchStatus.Rejected, _workflow.Resolve(first.Id, Psb, new MismatchResolution(MismatchStatus.Rejected, "户籍地址为准")).Status);
        Assert.Equal(LakeErrorKind.Conflict, Assert.Throws<LakeException>(() => _workflow.Reroute(first.Id, Operator, "hrss.insured", null)).Kind);
    }

    [Fact]
    public void ConsumerReport_Should_SendACheckReportAwaitingReviewOfTheSameDifference_ToTheProvider()
    {
        var flagged = Flag(Finding()).Report;

        var filing = _workflow.Report(Consumer.Code, new MismatchClaim("hrss.insured", Person, "residence_address", "金水区花园路1号", "金水区花园路2号"));

        Assert.False(filing.IsNew);
        Assert.Equal((flagged.Id, MismatchStatus.InVerification, Due), (filing.Report.Id, filing.Report.Status, filing.Report.Due));
        Assert.Equal(["housing-fund"], filing.Report.AlsoReportedBy);
        Assert.Equal(["reported", "awaiting_review", "reported_again", "in_verification"], filing.Report.History.Select(e => e.Action).ToList());
    }

    [Fact]
    public void ReviewerVerdicts_Should_GiveEachReportsLastVerdict_WithWhatWasCompared_SinceATime()
    {
        var dismissed = Flag(Finding(), "金水区花园路1号").Report;
        var confirmed = Flag(Finding() with { Class = "mis_keyed", SuggestedKey = "x" }, "金水区花园路3号").Report;
        var corrected = Flag(Finding(), "金水区花园路5号").Report;
        Flag(Finding(), "金水区花园路7号");
        _store.RecordBatch(new BatchRecord("hrss.insured-b1", "hrss.insured", 1, "insured.csv", "committed", 1, 1, 0, 0, 4, Tuesday, Tuesday, "{}"));

        _clock.Now = Tuesday.AddHours(1);
        _workflow.Dismiss(dismissed.Id, Operator, "写法不同");
        _clock.Now = Tuesday.AddHours(2);
        _workflow.Confirm(confirmed.Id, Operator, null);
        _workflow.Confirm(corrected.Id, Operator, null);
        _clock.Now = Tuesday.AddHours(3);
        _workflow.Resolve(corrected.Id, Hrss, new MismatchResolution(MismatchStatus.Corrected, "已更正", 4));

        var all = _workflow.ReviewerVerdicts();
        var since = _workflow.ReviewerVerdicts(Tuesday.AddHours(2).AddMinutes(30));

        Assert.Equal([(dismissed.Id, "dismissed", "operator"), (confirmed.Id, "confirmed", "operator"), (corrected.Id, "corrected", "hrss")],
            all.Select(v => (v.ReportId, v.Verdict, v.By)).ToList());
        var first = all[0];
        Assert.Equal(("residence_address", "金水区花园路1号", "金水区花园路二号", "material_conflict", 0.91, "m-2031.09", "check:consistency", Tuesday.AddHours(1), "写法不同"),
            (first.Attribute, first.DoubtedValue, first.ReferenceValue, first.Class, first.Score, first.ModelVersion, first.Source, first.At, first.Reasons));
        Assert.Equal([corrected.Id], since.Select(v => v.ReportId));
    }

    [Fact]
    public void Listing_Should_FilterOrderAndPage_AndShowAProviderOnlyWhatWasSentToIt()
    {
        var awaiting = Flag(Finding() with { Score = 0.6 }, "a1").Report;
        _clock.Now = Tuesday.AddMinutes(10);
        var confirmed = Flag(Finding() with { Score = 0.95, Class = "mis_keyed" }, "a2").Report;
        _clock.Now = Tuesday.AddHours(1);
        var consumers = _workflow.Report(Consumer.Code, new MismatchClaim("hrss.insured", Person, "name", "张三", "张叁")).Report;
        _clock.Now = Tuesday.AddHours(1).AddMinutes(10);
        var dismissed = Flag(Finding(), "a3").Report;
        _clock.Now = Tuesday.AddHours(2);
        var entity = _workflow.Report(Consumer.Code, new MismatchClaim("nr.places", "P-000123", "name", "人民公园", "紫荆山公园")).Report;
        _clock.Now = new DateTimeOffset(2031, 10, 9, 9, 0, 0, ChinaTime.Offset);
        _workflow.Confirm(confirmed.Id, Operator, null);
        _workflow.Dismiss(dismissed.Id, Operator, "无差异");
        _workflow.Resolve(consumers.Id, Hrss, new MismatchResolution(MismatchStatus.WrongProvider, AuthoritativeEntryId: "psb.household"));

        MismatchPage Page(MismatchFilter filter, MismatchOrder order = MismatchOrder.Due, int limit = 100, int offset = 0) =>
            _store.ListMismatchReports(filter, order, limit, offset);
        List<string> Ids(MismatchPage page) => page.Reports.Select(r => r.Id).ToList();

        // Due first: the entity's (due 10 Oct), then the two sent on Thursday 9 October (due 14 Oct, the earlier filed
        // first), then the one awaiting review, then the closed one.
        Assert.Equal([entity.Id, confirmed.Id, consumers.Id, awaiting.Id, dismissed.Id], Ids(Page(new MismatchFilter())));
        Assert.Equal(5, Page(new MismatchFilter(), limit: 2, offset: 1).Total);
        Assert.Equal([confirmed.Id, consumers.Id], Ids(Page(new MismatchFilter(), limit: 2, offset: 1)));
        Assert.Equal((0, 5), (Page(new MismatchFilter(), offset: 10).Reports.Count, Page(new MismatchFilter(), offset: 10).Total));
        Assert.Equal([confirmed.Id, awaiting.Id], Ids(Page(new MismatchFilter { Statuses = [MismatchStatus.AwaitingReview, MismatchStatus.InVerification], SourceKind = "check" }, MismatchOrder.Score)));
        Assert.Equal([consumers.Id, entity.Id], Ids(Page(new MismatchFilter { SourceKind = "consumer" }, MismatchOrder.Reported)));
        Assert.Equal([entity.Id], Ids(Page(new MismatchFilter { BaseDatabase = "geo" })));
        Assert.Equal([confirmed.Id], Ids(Page(new MismatchFilter { Class = "mis_keyed" })));
        Assert.Equal([confirmed.Id, dismissed.Id], Ids(Page(new MismatchFilter { MinScore = 0.9 }, MismatchOrder.Reported)));
        Assert.Equal([dismissed.Id, consumers.Id, confirmed.Id, awaiting.Id],
            Ids(Page(new MismatchFilter { BaseTable = "population.persons", Key = Person }, MismatchOrder.ReportedDescending)));
        Assert.Empty(Page(new MismatchFilter { BaseTable = "geo.places", Key = Person }).Reports);

        // hrss: what reached it and what it rerouted away; psb: what was rerouted to it; the consumer: what it filed.
        Assert.Equal([confirmed.Id, consumers.Id], Ids(Page(new MismatchFilter { VisibleTo = "hrss" })));
        Assert.Equal([consumers.Id], Ids(Page(new MismatchFilter { VisibleTo = "psb" })));
        Assert.Equal([entity.Id, consumers.Id], Ids(Page(new MismatchFilter { VisibleTo = Consumer.Code })));
        foreach (var report in _store.ListMismatchReports())
        {
            foreach (var agency in new[] { Hrss, Psb, Consumer })
            {
                Assert.Equal(MismatchWorkflow.MayRead(report, agency), Page(new MismatchFilter { VisibleTo = agency.Code }).Reports.Any(r => r.Id == report.Id));
            }
        }
    }

    [Fact]
    public void Stamp_Should_Move_WithEverySave()
    {
        var before = _store.MismatchStamp();
        var report = Flag(Finding()).Report;
        var flagged = _store.MismatchStamp();
        _workflow.Comment(report.Id, Operator, "看一下");

        Assert.NotEqual(before, flagged);
        Assert.NotEqual(flagged, _store.MismatchStamp());
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private MismatchFlagging Flag(MismatchFinding finding, string doubted = "金水区花园路1号") =>
        _workflow.Flag("hrss.insured", Person, "residence_address", doubted, "金水区花园路2号", finding, "consistency", _clock.Now);

    private static MismatchFinding Finding() => new("material_conflict", 0.91, "psb.household", "金水区花园路二号", "金水区花园路1号", "金水区花园路2号",
        [new FindingReason("same_division", 1, 0.4, "同一区县", "Same county"), new FindingReason("edit_distance", 1, 0.3, "门牌号不同", "House numbers differ")],
        "两个部门登记的居住地址门牌号不同。", "The two agencies record different house numbers.", "m-2031.09");

    private static Agency Provider(string code) => new(code, new LocalizedName(code, code), AgencyKind.Provider, Tuesday);

    private static CatalogueEntry Persons(string id, string agency, params string[] attributes) => new()
    {
        Id = id,
        Name = new LocalizedName(id, id),
        Agency = new AgencyRef(agency, new LocalizedName(agency, agency)),
        Target = "population.persons",
        KeyColumn = "公民身份号码",
        KeyKind = IdentifierKind.Citizen,
        Fields = [new FieldMapping { Source = "公民身份号码", Target = "id_number", Type = "string", Required = true },
            .. attributes.Select(a => new FieldMapping { Source = a, Target = a, Type = "string" })],
    };

    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }
}
