using System.Net;
using Microsoft.Extensions.DependencyInjection;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Access;

/// <summary>A clock the tests move.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    /// <summary>Sets the time.</summary>
    public void Set(DateTimeOffset now) => _now = now;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;
}

/// <summary>A demo city whose access workflow's clock starts on Monday 22 September 2031, 10:00 China time, with an operator calendar for
/// 2031 that has the National Day week off (1-7 October) and Saturday 27 September worked instead.</summary>
public sealed class LifecycleCityFixture : IDisposable
{
    /// <summary>The start.</summary>
    public static readonly DateTimeOffset Start = new(2031, 9, 22, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The clock.</summary>
    public ManualClock Clock { get; } = new(Start);

    /// <summary>The host.</summary>
    public DemoCityHost Host { get; }

    /// <summary>Starts the host.</summary>
    public LifecycleCityFixture()
    {
        // Only the access workflow runs on the test clock: the audit log and the lake versions keep real time.
        Host = new DemoCityHost(null, services => services.AddSingleton(provider => new GovShare.Lake.QueryApi.Access.AccessPolicy(
            provider.GetRequiredService<GovShare.Lake.QueryApi.Engine.LakeEngine>(), provider.GetRequiredService<GovShare.Lake.Platform.IPlatformStore>(), Clock,
            provider.GetRequiredService<GovShare.Lake.QueryApi.Calendar.CalendarService>(), provider.GetRequiredService<GovShare.Lake.Audit.AuditLog>())), lake => GovShare.Lake.Calendar.WorkingCalendar.Save(lake, 2031,
            "# test calendar\nholiday,2031-10-01,国庆节\nholiday,2031-10-02,国庆节\nholiday,2031-10-03,国庆节\nholiday,2031-10-04,国庆节\n" +
            "holiday,2031-10-05,国庆节\nholiday,2031-10-06,国庆节\nholiday,2031-10-07,国庆节\nworkday,2031-09-27,国庆节调休\n"));
    }

    /// <inheritdoc />
    public void Dispose() => Host.Dispose();
}

/// <summary>Access requests through the real HTTP pipeline: due dates in working days, escalation when due and after a
/// refusal, refusal reasons, withdrawal, revocation, expiry, requests for data outside the catalogue, and the audit of
/// every step. The tests of this class share one clock and run in order of their own making (each sets the time it needs).</summary>
public sealed class AccessRequestLifecycleTests(LifecycleCityFixture city) : IClassFixture<LifecycleCityFixture>
{
    // Counted by hand: Tue 23 (1), Wed 24, Thu 25, Fri 26, Sat 27 worked (5), Mon 29, Tue 30 (7), 1-7 October off,
    // Wed 8, Thu 9, Fri 10 (10): due at the end of Friday 10 October.
    private static readonly DateTimeOffset Due = new(2031, 10, 11, 0, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task UnansweredRequest_Should_BeEscalatedToTheOperator_WhenTenWorkingDaysHavePassed()
    {
        city.Clock.Set(LifecycleCityFixture.Start);
        using var consumer = city.Host.NewAgency("late-answer");
        using var operatorClient = city.Host.As("operator");
        using var tax = city.Host.As("tax");
        var (id, _, request) = await Request(consumer, new { entryId = "tax.taxpayers", purpose = "政府采购供应商资格核验" });
        Assert.Equal(Due, request.GetProperty("dueAt").GetDateTimeOffset());

        city.Clock.Set(Due.AddMinutes(-1));
        Assert.Equal("pending", (await Get(consumer, $"/api/access-requests/{id}")).Body.GetProperty("status").GetString());

        city.Clock.Set(Due);
        var (_, escalated) = await Get(consumer, $"/api/access-requests/{id}");
        Assert.Equal("escalated", escalated.GetProperty("status").GetString());
        Assert.Contains(escalated.GetProperty("history").EnumerateArray(), e => e.GetProperty("actor").GetString() == "platform" && e.GetProperty("action").GetString() == "escalated");
        var (_, inbox) = await Get(operatorClient, "/api/access-requests?role=inbox");
        Assert.Contains(inbox.EnumerateArray(), r => r.GetProperty("id").GetString() == id);

        // The provider lost the decision when it was escalated; the operator takes it.
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(tax, $"/api/access-requests/{id}/decision", new { approve = true })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Post(operatorClient, $"/api/access-requests/{id}/decision", new { approve = true, reasons = "符合共享条件" })).Status);
        await AcceptAgreement(consumer, "tax.taxpayers");
        Assert.Equal(HttpStatusCode.OK, (await Sql(consumer, "SELECT count(*) FROM src.\"tax.taxpayers\"")).Status);

        // The operator's decision after escalation is not the provider's to take back.
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(tax, $"/api/access-requests/{id}/revoke", new { reasons = "不同意" })).Status);
    }

    [Fact]
    public async Task Refusal_Should_NeedWrittenReasons_AndMayBeEscalatedByTheConsumer()
    {
        city.Clock.Set(LifecycleCityFixture.Start);
        using var consumer = city.Host.NewAgency("refused-one");
        using var nhc = city.Host.As("nhc");
        using var operatorClient = city.Host.As("operator");
        var (id, _, _) = await Request(consumer, new { entryId = "nhc.vital", purpose = "殡葬补贴发放" });

        var (noReasons, problem) = await Post(nhc, $"/api/access-requests/{id}/decision", new { approve = false });
        var (refused, answer) = await Post(nhc, $"/api/access-requests/{id}/decision", new { approve = false, reasons = "用途不在共享条件范围内" });
        Assert.Equal(HttpStatusCode.BadRequest, noReasons);
        Assert.Contains("reasons", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, refused);
        Assert.Equal("用途不在共享条件范围内", answer.GetProperty("reasons").GetString());

        var (escalated, _) = await Post(consumer, $"/api/access-requests/{id}/escalate", new { reasons = "殡葬补贴属于社会保障待遇核查" });
        Assert.Equal(HttpStatusCode.OK, escalated);
        var (finalRefusal, final) = await Post(operatorClient, $"/api/access-requests/{id}/decision", new { approve = false, reasons = "维持原决定" });
        Assert.Equal(HttpStatusCode.OK, finalRefusal);
        Assert.Equal("refused", final.GetProperty("status").GetString());
        Assert.Equal(["submitted", "refused", "escalated", "refused"], final.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToList());
        Assert.Equal(HttpStatusCode.Conflict, (await Post(consumer, $"/api/access-requests/{id}/escalate", new { reasons = "again" })).Status);
    }

    [Fact]
    public async Task Grant_Should_EndWhenWithdrawnRevokedOrExpired_AndEveryStepBeAudited()
    {
        city.Clock.Set(LifecycleCityFixture.Start);
        using var consumer = city.Host.NewAgency("short-grant");
        using var operatorClient = city.Host.As("operator");
        var until = LifecycleCityFixture.Start.AddDays(3);
        var (expiring, status, _) = await Request(consumer, new { entryId = "hrss.insured", purpose = "临时救助", purposeCategory = "social_assistance", until });
        Assert.Equal("approved", status);
        await AcceptAgreement(consumer, "hrss.insured");
        Assert.Equal(HttpStatusCode.OK, (await Sql(consumer, "SELECT count(*) FROM src.\"hrss.insured\"")).Status);

        city.Clock.Set(until);
        Assert.Equal(HttpStatusCode.Forbidden, (await Sql(consumer, "SELECT count(*) FROM src.\"hrss.insured\"")).Status);
        Assert.Equal("expired", (await Get(consumer, $"/api/access-requests/{expiring}")).Body.GetProperty("status").GetString());

        var (revoking, _, _) = await Request(consumer, new { entryId = "hrss.insured", purpose = "临时救助", purposeCategory = "social_assistance" });
        var (noReasons, _) = await Post(operatorClient, $"/api/access-requests/{revoking}/revoke", new { });
        var (revoked, _) = await Post(operatorClient, $"/api/access-requests/{revoking}/revoke", new { reasons = "超范围使用" });
        Assert.Equal(HttpStatusCode.BadRequest, noReasons);
        Assert.Equal(HttpStatusCode.OK, revoked);
        Assert.Equal(HttpStatusCode.Forbidden, (await Sql(consumer, "SELECT count(*) FROM src.\"hrss.insured\"")).Status);

        var (withdrawing, _, _) = await Request(consumer, new { entryId = "mca.marriage", purpose = "住房保障" });
        var (withdrawn, answer) = await Post(consumer, $"/api/access-requests/{withdrawing}/withdraw");
        Assert.Equal(HttpStatusCode.OK, withdrawn);
        Assert.Equal("withdrawn", answer.GetProperty("status").GetString());

        var audit = city.Host.Services.GetRequiredService<GovShare.Lake.Audit.AuditLog>();
        await audit.FlushAsync();
        var actions = GovShare.Lake.Audit.AuditLog.Read(city.Host.Lake).Select(e => e.Entry).OfType<GovShare.Lake.Audit.AuditEntry>()
            .Where(e => e.Event.Agency is "short-grant" or "operator" or "platform").Select(e => (e.Event.Action, e.Event.Outcome)).ToList();
        Assert.Contains(("SubmitAccessRequest", "allowed"), actions);
        Assert.Contains(("AcceptAgreement", "allowed"), actions);
        Assert.Contains(("ExpireAccessRequest", "allowed"), actions);
        Assert.Contains(("RevokeAccessRequest", "failed"), actions);
        Assert.Contains(("RevokeAccessRequest", "allowed"), actions);
        Assert.Contains(("WithdrawAccessRequest", "allowed"), actions);
        Assert.Contains(("RunQuery", "denied"), actions);
    }

    [Fact]
    public async Task RequestOutsideTheCatalogue_Should_GoToTheOperator_WhoseDecisionGivesTheProviderFiveWorkingDays()
    {
        city.Clock.Set(LifecycleCityFixture.Start);
        using var consumer = city.Host.NewAgency("uncatalogued");
        using var operatorClient = city.Host.As("operator");
        using var psb = city.Host.As("psb");
        var (id, _, request) = await Request(consumer, new { purpose = "流动人口服务管理", description = "流动人口居住登记信息" });
        Assert.Equal("operator", request.GetProperty("decider").GetString());

        var (withoutProvider, _) = await Post(operatorClient, $"/api/access-requests/{id}/decision", new { approve = true });
        var (approved, answer) = await Post(operatorClient, $"/api/access-requests/{id}/decision", new { approve = true, provider = "psb", reasons = "依职责应当共享" });

        Assert.Equal(HttpStatusCode.BadRequest, withoutProvider);
        Assert.Equal(HttpStatusCode.OK, approved);
        // Tue 23, Wed 24, Thu 25, Fri 26, Sat 27 (worked): due at the end of Saturday 27 September.
        Assert.Equal(new DateTimeOffset(2031, 9, 28, 0, 0, 0, TimeSpan.FromHours(8)), answer.GetProperty("deliverBy").GetDateTimeOffset());
        var (_, inbox) = await Get(psb, "/api/access-requests?role=inbox");
        Assert.Contains(inbox.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task ProviderInbox_Should_ShowAutoApprovedRequests_AndOnlyTheDeciderMayDecide()
    {
        city.Clock.Set(LifecycleCityFixture.Start);
        using var consumer = city.Host.NewAgency("inbox-check");
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        var (auto, status, _) = await Request(consumer, new { entryId = "hrss.insured", purpose = "低保审核", purposeCategory = "social_assistance" });
        var (pending, pendingStatus, _) = await Request(consumer, new { entryId = "hrss.insured", purpose = "统计分析", purposeCategory = "statistics" });

        Assert.Equal("approved", status);
        Assert.Equal("pending", pendingStatus);
        var (_, inbox) = await Get(hrss, "/api/access-requests?role=inbox");
        Assert.Contains(inbox.EnumerateArray(), r => r.GetProperty("id").GetString() == auto);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(psb, $"/api/access-requests/{pending}/decision", new { approve = true })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(psb, $"/api/access-requests/{pending}")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Post(consumer, "/api/access-requests", new { entryId = "amr.entities", purpose = "x" })).Status);
    }
}
