using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Tests.Quality;

/// <summary>The mismatch-report workflow on a real platform store: routing to the provider, the 3-working-day deadline
/// across the National Day week, one report per difference, rejected differences kept out, answers, reroutes,
/// withdrawal, comments, reminders and escalation, and conditional saves.</summary>
public sealed class MismatchWorkflowTests : IDisposable
{
    /// <summary>Tuesday 30 September 2031, 10:00 China time: the day before the National Day week.</summary>
    private static readonly DateTimeOffset Tuesday = new(2031, 9, 30, 10, 0, 0, ChinaTime.Offset);

    // Counted by hand: 1-7 October off, Wed 8 (1), Thu 9 (2), Fri 10 (3): due at the end of Friday 10 October.
    private static readonly DateTimeOffset Due = new(2031, 10, 11, 0, 0, 0, ChinaTime.Offset);

    private static readonly string Person = ValidIds.Citizen("410102", new DateOnly(1990, 1, 1), 123);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "govshare-mismatch-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbPlatformStore _store;
    private readonly MovableClock _clock = new(Tuesday);
    private readonly MismatchWorkflow _workflow;

    private static readonly Agency Hrss = Provider("hrss");
    private static readonly Agency Psb = Provider("psb");
    private static readonly Agency Consumer = new("housing-fund", new LocalizedName("公积金中心", "Housing fund"), AgencyKind.Consumer, Tuesday);
    private static readonly Agency Operator = new("operator", new LocalizedName("运营", "Operator"), AgencyKind.Operator, Tuesday);

    public MismatchWorkflowTests()
    {
        _store = DuckDbPlatformStore.Open(_root);
        WorkingCalendar.Save(_root, 2031, string.Join('\n', Enumerable.Range(1, 7).Select(d => $"holiday,2031-10-0{d},国庆节")) + "\nworkday,2031-09-27,国庆节调休\n");
        var calendar = WorkingCalendar.Load(_root);
        _workflow = new MismatchWorkflow(_store, () => calendar, _clock, ValidIds.Validator);
        _store.SaveCatalogueEntry(Persons("psb.household", "psb", "name", "household_address"), Tuesday.AddDays(-30));
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
    public void Report_Should_GoToTheEntrysProvider_DueAtTheEndOfTheThirdWorkingDay_AfterTheHolidayWeek()
    {
        var filing = _workflow.Report(Consumer.Code, Claim());

        var report = filing.Report;
        Assert.True(filing.IsNew);
        Assert.Equal(("hrss", MismatchStatus.InVerification, true), (report.Provider, report.Status, report.IsOpen));
        Assert.Equal(Due, report.Due);
        Assert.Equal(("population.persons", Person, "residence_address", MismatchWorkflow.ConsumerSource), (report.BaseTable, report.Key, report.Attribute, report.Source));
        Assert.Equal([(null, MismatchStatus.Reported), (MismatchStatus.Reported, MismatchStatus.InVerification)], report.History.Select(e => (e.From, e.To)).ToList());
        Assert.Null(report.ResolvedAt);
        Assert.Equivalent(report, _store.FindMismatchReport(report.Id), strict: true);
    }

    [Fact]
    public void Report_Should_BeRefused_WithWhatAndWhere_WhenTheEntryAttributeKeyOrValuesAreWrong()
    {
        var unknown = Assert.Throws<LakeException>(() => _workflow.Report(Consumer.Code, Claim() with { EntryId = "nobody.data" }));
        var attribute = Assert.Throws<LakeException>(() => _workflow.Report(Consumer.Code, Claim() with { Attribute = "marital_status" }));
        var badKey = Person[..17] + (Person[17] == '0' ? '1' : '0');
        var key = Assert.Throws<LakeException>(() => _workflow.Report(Consumer.Code, Claim() with { Key = badKey }));
        var same = Assert.Throws<LakeException>(() => _workflow.Report(Consumer.Code, Claim() with { ProposedValue = "金水区花园路1号" }));

        Assert.Equal(LakeErrorKind.NotFound, unknown.Kind);
        Assert.StartsWith("entryId:", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(LakeErrorKind.InvalidInput, attribute.Kind);
        Assert.Contains("maps name, residence_address", attribute.Message, StringComparison.Ordinal);
        Assert.Equal(LakeErrorKind.InvalidInput, key.Kind);
        Assert.StartsWith("key:", key.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(badKey, key.Message, StringComparison.Ordinal);
        Assert.Equal(LakeErrorKind.InvalidInput, same.Kind);
        Assert.Empty(_store.ListMismatchReports());
    }

    [Fact]
    public void Report_Should_AcceptAProvidersOwnId_ForAnEntryWithoutKeyKind()
    {
        var report = _workflow.Report(Consumer.Code, new MismatchClaim("nr.places", " P-000123 ", "name", "人民公园", "紫荆山公园")).Report;

        Assert.Equal(("P-000123", "nr"), (report.Key, report.Provider));
        Assert.Throws<LakeException>(() => _workflow.Report(Consumer.Code, new MismatchClaim("nr.places", "", "name", "a", "b")));
    }

    [Fact]
    public void SameDifference_Should_BeOneReport_WhileItIsOpen_WhoeverReportsIt()
    {
        var first = _workflow.Report(Consumer.Code, Claim());

        var again = _workflow.Report(Consumer.Code, Claim() with { Note = "再次报告" });
        var other = _workflow.Report("urban-ops", Claim() with { Key = Person.ToLowerInvariant() });
        var changed = _workflow.Report(Consumer.Code, Claim() with { ProposedValue = "金水区花园路3号" });

        Assert.False(again.IsNew);
        Assert.False(other.IsNew);
        Assert.Equal(first.Report.Id, again.Report.Id);
        Assert.Equal(first.Report.Id, other.Report.Id);
        Assert.Equal(["urban-ops"], other.Report.AlsoReportedBy);
        Assert.Equal("reported_again", other.Report.History[^1].Action);
        Assert.True(changed.IsNew);
        Assert.Equal(2, _store.ListMismatchReports().Count);
    }

    [Fact]
    public void RejectedDifference_Should_NotComeBack_UntilAValueChanges()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;
        _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Rejected, "参保登记地址经本人确认"));

        var again = Assert.Throws<LakeException>(() => _workflow.Report("urban-ops", Claim()));
        var valueChanged = _workflow.Report(Consumer.Code, Claim() with { DoubtedValue = "金水区花园路1号101室" });

        Assert.Equal(LakeErrorKind.Conflict, again.Kind);
        Assert.Contains(report.Id, again.Message, StringComparison.Ordinal);
        Assert.True(valueChanged.IsNew);
    }

    [Fact]
    public void WithdrawnDifference_Should_BeReportableAgain()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;
        _workflow.Withdraw(report.Id, Consumer, "录入错误");

        var again = _workflow.Report(Consumer.Code, Claim());

        Assert.True(again.IsNew);
        Assert.NotEqual(report.Id, again.Report.Id);
    }

    [Fact]
    public void Rejection_Should_NeedReasons_AndCorrection_ACommittedVersionOfTheEntrysTable()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;
        _store.RecordBatch(new BatchRecord("hrss.insured-b1", "hrss.insured", 1, "insured.csv", "committed", 1, 1, 0, 0, 4, Tuesday, Tuesday, "{}"));

        var noReasons = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Rejected, "  ")));
        var noVersion = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Corrected)));
        var badVersion = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Corrected, CorrectingVersion: 5)));
        _clock.Now = Tuesday.AddDays(9);
        var corrected = _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Corrected, "已更正", 4));

        Assert.Equal((LakeErrorKind.InvalidInput, LakeErrorKind.InvalidInput, LakeErrorKind.InvalidInput), (noReasons.Kind, noVersion.Kind, badVersion.Kind));
        Assert.StartsWith("reasons", noReasons.Message, StringComparison.Ordinal);
        Assert.Contains("latest is 4", badVersion.Message, StringComparison.Ordinal);
        Assert.Equal((MismatchStatus.Corrected, 4L, Tuesday.AddDays(9), false), (corrected.Status, corrected.CorrectingVersion, corrected.ResolvedAt, corrected.IsOpen));
        Assert.Equal(("hrss", "corrected", MismatchStatus.InVerification, MismatchStatus.Corrected),
            (corrected.History[^1].Actor, corrected.History[^1].Action, corrected.History[^1].From, corrected.History[^1].To));
    }

    [Fact]
    public void WrongProvider_Should_RerouteToTheAuthoritativeProvider_WithANewDueDate_AndKeepTheHistory()
    {
        var report = _workflow.Report(Consumer.Code, Claim() with { Attribute = "name", DoubtedValue = "张三", ProposedValue = "张叁" }).Report;
        _clock.Now = new DateTimeOffset(2031, 10, 9, 9, 0, 0, ChinaTime.Offset);

        var missing = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.WrongProvider)));
        var places = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.WrongProvider, AuthoritativeEntryId: "nr.places")));
        var rerouted = _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.WrongProvider, "姓名以户籍登记为准", AuthoritativeEntryId: "psb.household"));

        Assert.Equal(LakeErrorKind.InvalidInput, missing.Kind);
        Assert.Contains("feeds geo.places", places.Message, StringComparison.Ordinal);
        Assert.Equal(("psb.household", "psb", MismatchStatus.InVerification), (rerouted.EntryId, rerouted.Provider, rerouted.Status));
        Assert.Equal(["hrss.insured"], rerouted.RoutedFrom);

        // Thursday 9 October: Fri 10, Mon 13, Tue 14.
        Assert.Equal(new DateTimeOffset(2031, 10, 15, 0, 0, 0, ChinaTime.Offset), rerouted.Due);
        Assert.Equal(["reported", "in_verification", "wrong_provider", "rerouted"], rerouted.History.Select(e => e.Action).ToList());
        Assert.Equal(LakeErrorKind.Forbidden, KindOf(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Rejected, "x"))));
        Assert.Equal(MismatchStatus.Rejected, _workflow.Resolve(report.Id, Psb, new MismatchResolution(MismatchStatus.Rejected, "户籍登记姓名为张三")).Status);
    }

    [Fact]
    public void Answers_Should_BeRefused_ForAnotherAgency_AndOnceResolved()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;

        var stranger = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Psb, new MismatchResolution(MismatchStatus.Rejected, "x")));
        var notReporter = Assert.Throws<LakeException>(() => _workflow.Withdraw(report.Id, Hrss, null));
        var outsider = Assert.Throws<LakeException>(() => _workflow.Comment(report.Id, Psb, "意见"));
        _workflow.Resolve(report.Id, Operator, new MismatchResolution(MismatchStatus.InsufficientInformation, "请提供居住证明"));
        var late = Assert.Throws<LakeException>(() => _workflow.Resolve(report.Id, Hrss, new MismatchResolution(MismatchStatus.Rejected, "x")));
        var lateWithdrawal = Assert.Throws<LakeException>(() => _workflow.Withdraw(report.Id, Consumer, null));
        var unknown = Assert.Throws<LakeException>(() => _workflow.Withdraw("mm-20310930-00000000", Consumer, null));

        Assert.Equal((LakeErrorKind.Forbidden, LakeErrorKind.Forbidden, LakeErrorKind.Forbidden), (stranger.Kind, notReporter.Kind, outsider.Kind));
        Assert.Equal((LakeErrorKind.Conflict, LakeErrorKind.Conflict, LakeErrorKind.NotFound), (late.Kind, lateWithdrawal.Kind, unknown.Kind));
    }

    [Fact]
    public void WithdrawalAndComments_Should_BeKeptInTheHistory_WithWhoAndWhen()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;
        _clock.Now = Tuesday.AddHours(1);
        _workflow.Comment(report.Id, Hrss, "请补充居住证明");
        _clock.Now = Tuesday.AddHours(2);
        var withdrawn = _workflow.Withdraw(report.Id, Consumer, "核实后无误");
        var comment = _workflow.Comment(report.Id, Operator, "已结");

        Assert.Equal((MismatchStatus.Withdrawn, Tuesday.AddHours(2)), (withdrawn.Status, withdrawn.ResolvedAt));
        Assert.Equal([("hrss", "commented", Tuesday.AddHours(1)), ("housing-fund", "withdrawn", Tuesday.AddHours(2)), ("operator", "commented", Tuesday.AddHours(2))],
            comment.History.Skip(2).Select(e => (e.Actor, e.Action, e.At)).ToList());
        Assert.Throws<LakeException>(() => _workflow.Comment(report.Id, Consumer, " "));
    }

    [Fact]
    public void Sweep_Should_EscalateAReportPastItsDueTime_Once()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;

        _clock.Now = Due.AddMinutes(-1);
        Assert.Empty(_workflow.Sweep());
        _clock.Now = Due;
        var escalated = Assert.Single(_workflow.Sweep());
        var again = _workflow.Sweep();

        Assert.Empty(again);
        Assert.Equal((report.Id, true, Due, MismatchStatus.InVerification), (escalated.Id, escalated.Escalated, escalated.EscalatedAt, escalated.Status));
        Assert.Equal(("platform", "escalated"), (escalated.History[^1].Actor, escalated.History[^1].Action));

        // Still the provider's to answer; the operator sees it among the escalated ones.
        Assert.Equal(report.Id, Assert.Single(_store.ListMismatchReports(new MismatchFilter(Escalated: true))).Id);
        Assert.Equal(MismatchStatus.InsufficientInformation, _workflow.Resolve(report.Id, Operator, new MismatchResolution(MismatchStatus.InsufficientInformation)).Status);
    }

    [Fact]
    public void Remind_Should_MarkAReport_OnceOnTheWorkingDayBeforeItsDueDay()
    {
        _workflow.Report(Consumer.Code, Claim());

        // Due at the end of Friday 10 October: the reminder goes from Thursday 9 October.
        Assert.Equal(new DateTimeOffset(2031, 10, 9, 0, 0, 0, ChinaTime.Offset), _workflow.RemindFrom(Due));
        _clock.Now = new DateTimeOffset(2031, 10, 8, 23, 59, 0, ChinaTime.Offset);
        Assert.Empty(_workflow.Remind());
        _clock.Now = new DateTimeOffset(2031, 10, 9, 0, 0, 0, ChinaTime.Offset);
        var reminded = Assert.Single(_workflow.Remind());
        Assert.Empty(_workflow.Remind());
        Assert.Equal(_clock.Now, reminded.RemindedAt);
        Assert.Equal("reminded", reminded.History[^1].Action);
    }

    [Fact]
    public void RemindFrom_Should_SkipDaysOff_BeforeTheDueDay()
    {
        // Due at the end of Wednesday 8 October: the working day before it is Tuesday 30 September.
        Assert.Equal(new DateTimeOffset(2031, 9, 30, 0, 0, 0, ChinaTime.Offset), _workflow.RemindFrom(new DateTimeOffset(2031, 10, 9, 0, 0, 0, ChinaTime.Offset)));
    }

    [Fact]
    public void ConditionalSave_Should_RefuseAStaleRevision_EvenWhenTheStatusIsUnchanged()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;
        var commented = _workflow.Comment(report.Id, Hrss, "核实中");

        // A step worked out from the report before the comment: same status, older revision.
        var stale = report with { Escalated = true, Revision = report.Revision + 1 };

        Assert.False(_store.SaveMismatchReport(stale, MismatchStatus.InVerification));
        Assert.Equivalent(commented, _store.FindMismatchReport(report.Id), strict: true);
        Assert.False(_store.SaveMismatchReport(commented with { Revision = commented.Revision + 1 }, MismatchStatus.Rejected));
    }

    [Fact]
    public void Store_Should_RefuseASecondOpenReportOfTheSameDifference_ButKeepClosedOnes()
    {
        var report = _workflow.Report(Consumer.Code, Claim()).Report;
        var copy = report with { Id = "mm-20310930-ffffffff" };

        Assert.False(_store.SaveMismatchReport(copy));
        Assert.True(_store.SaveMismatchReport(copy with { Status = MismatchStatus.Withdrawn }));
        Assert.True(_store.SaveMismatchReport(report with { Note = "replaced whole" }));
        Assert.Equal(2, _store.ListMismatchReports().Count);
        Assert.Equal([report.Id], _store.ListMismatchReports(new MismatchFilter(OpenOnly: true, Provider: "hrss", EntryId: "hrss.insured")).Select(r => r.Id));
        Assert.Equal([copy.Id], _store.ListMismatchReports(new MismatchFilter(MismatchStatus.Withdrawn)).Select(r => r.Id));
        Assert.Empty(_store.ListMismatchReports(new MismatchFilter(Provider: "psb")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static MismatchClaim Claim() =>
        new("hrss.insured", Person, "residence_address", "金水区花园路1号", "金水区花园路2号", new DateOnly(2031, 9, 1), "GJJ-2031-0042", "贷款审核时发现居住地址与本人提供的证明不一致");

    private static LakeErrorKind KindOf(Action act) => Assert.Throws<LakeException>(act).Kind;

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
