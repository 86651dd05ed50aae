using System.Net;
using System.Text.Json;
using GovShare.Lake.Audit;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Quality;
using GovShare.Lake.QueryApi.Tests.Access;
using Microsoft.Extensions.DependencyInjection;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Quality;

/// <summary>A demo city whose mismatch workflow's clock starts on Tuesday 30 September 2031, 10:00 China time, the day
/// before the National Day week (1-7 October off in the operator's 2031 calendar).</summary>
public sealed class MismatchCityFixture : IDisposable
{
    /// <summary>The start.</summary>
    public static readonly DateTimeOffset Start = new(2031, 9, 30, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The clock.</summary>
    public ManualClock Clock { get; } = new(Start);

    /// <summary>The host.</summary>
    public DemoCityHost Host { get; }

    /// <summary>Starts the host.</summary>
    public MismatchCityFixture()
    {
        // Only the mismatch workflow runs on the test clock: the audit log and the lake versions keep real time.
        Host = new DemoCityHost(null, services => services.AddSingleton(provider => new MismatchWorkflow(
            provider.GetRequiredService<GovShare.Lake.Platform.IPlatformStore>(),
            () => provider.GetRequiredService<GovShare.Lake.QueryApi.Calendar.CalendarService>().Calendar, Clock)), lake => GovShare.Lake.Calendar.WorkingCalendar.Save(lake, 2031,
            "# test calendar\n" + string.Concat(Enumerable.Range(1, 7).Select(d => $"holiday,2031-10-0{d},国庆节\n")) + "workday,2031-09-27,国庆节调休\n"));
    }

    /// <inheritdoc />
    public void Dispose() => Host.Dispose();
}

/// <summary>Mismatch reports through the real HTTP pipeline: routing to the provider, the 3-working-day deadline across
/// the holiday week, escalation, one report per difference, a rejected difference kept out, reroute to the authoritative
/// provider, withdrawal and comments, the parties' rights, problems, and the audit of every call. The tests share one
/// clock; each sets the time it needs and uses agencies and keys of its own.</summary>
public sealed class MismatchLifecycleTests(MismatchCityFixture city) : IClassFixture<MismatchCityFixture>
{
    // Counted by hand: 1-7 October off, Wed 8 (1), Thu 9 (2), Fri 10 (3): due at the end of Friday 10 October.
    private static readonly DateTimeOffset Due = new(2031, 10, 11, 0, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task Report_Should_BeDueThreeWorkingDaysAfterTheHoliday_OverdueThen_AndEscalatedOnceByTheWatcher()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        var key = Person(1);
        using var consumer = city.Host.NewAgency("mm-deadline");
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        using var operatorClient = city.Host.As("operator");

        var (status, report) = await Post(consumer, "/api/mismatches", Body(key));
        Assert.True(status == HttpStatusCode.Created, report.ToString());
        var id = report.GetProperty("id").GetString()!;
        Assert.Equal(("hrss", "in_verification", true), (report.GetProperty("provider").GetString(), report.GetProperty("status").GetString(), report.GetProperty("isOpen").GetBoolean()));
        Assert.Equal(Due, report.GetProperty("due").GetDateTimeOffset());
        Assert.Equal(["reported", "in_verification"], History(report));

        // The provider sees it; an agency with no part in it does not.
        Assert.Equal(HttpStatusCode.OK, (await Get(hrss, $"/api/mismatches/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(psb, $"/api/mismatches/{id}")).Status);
        Assert.Contains(Ids((await Get(hrss, "/api/mismatches?provider=hrss&open=true")).Body), x => x == id);

        city.Clock.Set(Due.AddMinutes(-1));
        Assert.False((await Get(hrss, $"/api/mismatches/{id}")).Body.GetProperty("overdue").GetBoolean());
        city.Clock.Set(Due);
        var (_, overdue) = await Get(hrss, $"/api/mismatches/{id}");
        Assert.Equal((true, false), (overdue.GetProperty("overdue").GetBoolean(), overdue.GetProperty("escalated").GetBoolean()));

        // The deadline watcher's step (the jobs run it every 15 minutes in `govshare serve`).
        var workflow = city.Host.Services.GetRequiredService<MismatchWorkflow>();
        Assert.Contains(workflow.Sweep(), r => r.Id == id);
        Assert.DoesNotContain(workflow.Sweep(), r => r.Id == id);
        var (_, escalated) = await Get(operatorClient, "/api/mismatches?escalated=true");
        Assert.Contains(Ids(escalated), x => x == id);

        // Escalated, it is still the provider's to answer.
        var version = city.Host.Store.ListBatches("hrss.insured").First(b => b.Status == "committed" && b.Version is not null).Version!.Value;
        var (noVersion, problem) = await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "corrected" });
        var (corrected, answer) = await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "corrected", correctingVersion = version, reasons = "已按不动产登记信息更正" });
        Assert.Equal(HttpStatusCode.BadRequest, noVersion);
        Assert.Contains("correctingVersion", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, corrected);
        Assert.Equal(("corrected", version, false), (answer.GetProperty("status").GetString(), answer.GetProperty("correctingVersion").GetInt64(), answer.GetProperty("isOpen").GetBoolean()));
        Assert.Equal(Due, answer.GetProperty("resolvedAt").GetDateTimeOffset());
        Assert.Equal(["reported", "in_verification", "escalated", "corrected"], History(answer));

        // Every call audited: the entry and the report as resources, the key only as its keyed hash.
        var entries = await Audit("mm-deadline", "hrss", "psb");
        var reported = Assert.Single(entries, e => e.Action == "ReportMismatch");
        Assert.Equal("allowed", reported.Outcome);
        Assert.Contains("hrss.insured", reported.Resources);
        Assert.Equal([AuditLog.SubjectHash(city.Host.Lake, key)], reported.Subjects);
        Assert.Contains(entries, e => (e.Action, e.Outcome, e.Status) == ("ResolveMismatch", "failed", 400));
        Assert.Contains(entries, e => (e.Action, e.Outcome) == ("ResolveMismatch", "allowed"));
        Assert.Contains(entries, e => (e.Action, e.Agency, e.Outcome, e.Status) == ("GetMismatch", "psb", "failed", 404));
        Assert.DoesNotContain(entries, e => JsonSerializer.Serialize(e).Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SameDifference_Should_BeOneReport_AndARejectedOne_NotComeBackUntilAValueChanges()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        var key = Person(2);
        using var first = city.Host.NewAgency("mm-dedup-a");
        using var second = city.Host.NewAgency("mm-dedup-b");
        using var hrss = city.Host.As("hrss");

        var (created, report) = await Post(first, "/api/mismatches", Body(key));
        var (again, same) = await Post(first, "/api/mismatches", Body(key));
        var (other, joined) = await Post(second, "/api/mismatches", Body(key));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK), (created, again, other));
        var id = report.GetProperty("id").GetString()!;
        Assert.Equal(id, same.GetProperty("id").GetString());
        Assert.Equal(id, joined.GetProperty("id").GetString());
        Assert.Equal(["mm-dedup-b"], Strings(joined.GetProperty("alsoReportedBy")));

        var (noReasons, problem) = await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "rejected" });
        var (rejected, _) = await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "rejected", reasons = "参保登记地址经本人书面确认" });
        Assert.Equal(HttpStatusCode.BadRequest, noReasons);
        Assert.StartsWith("reasons", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rejected);

        var (refused, conflict) = await Post(second, "/api/mismatches", Body(key));
        var (changed, _) = await Post(second, "/api/mismatches", Body(key) with { doubtedValue = "金水区花园路1号院" });
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Equal(409, conflict.GetProperty("status").GetInt32());
        Assert.Contains(id, conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, changed);

        // Once answered, it is answered.
        Assert.Equal(HttpStatusCode.Conflict, (await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "rejected", reasons = "again" })).Status);
    }

    [Fact]
    public async Task WrongProvider_Should_RerouteToTheAuthoritativeProvider_WithANewDueDate_AndOnlyTheProviderAnswers()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var consumer = city.Host.NewAgency("mm-reroute");
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        using var tax = city.Host.As("tax");
        var (_, report) = await Post(consumer, "/api/mismatches", Body(Person(3)) with { attribute = "name", doubtedValue = "王小明", proposedValue = "王晓明" });
        var id = report.GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.Forbidden, (await Post(tax, $"/api/mismatches/{id}/resolution", new { outcome = "rejected", reasons = "不是我们的" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "wrong_provider" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "withdrawn" })).Status);

        // Thursday 9 October: Fri 10, Mon 13, Tue 14.
        city.Clock.Set(new DateTimeOffset(2031, 10, 9, 9, 0, 0, TimeSpan.FromHours(8)));
        var (status, rerouted) = await Post(hrss, $"/api/mismatches/{id}/resolution",
            new { outcome = "wrong_provider", authoritativeEntryId = "psb.household", reasons = "姓名以户籍登记为准" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("psb.household", "psb", "in_verification"), (rerouted.GetProperty("entryId").GetString(), rerouted.GetProperty("provider").GetString(), rerouted.GetProperty("status").GetString()));
        Assert.Equal(new DateTimeOffset(2031, 10, 15, 0, 0, 0, TimeSpan.FromHours(8)), rerouted.GetProperty("due").GetDateTimeOffset());
        Assert.Equal(["reported", "in_verification", "wrong_provider", "rerouted"], History(rerouted));
        Assert.Equal(("in_verification", "wrong_provider"), (rerouted.GetProperty("history")[2].GetProperty("from").GetString(), rerouted.GetProperty("history")[2].GetProperty("to").GetString()));
        Assert.Equal(("wrong_provider", "in_verification"), (rerouted.GetProperty("history")[3].GetProperty("from").GetString(), rerouted.GetProperty("history")[3].GetProperty("to").GetString()));

        // The new provider answers; the old one still reads it (it took part), but may no longer answer.
        Assert.Contains(Ids((await Get(psb, "/api/mismatches?status=in_verification")).Body), x => x == id);
        Assert.Equal(HttpStatusCode.OK, (await Get(hrss, $"/api/mismatches/{id}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "rejected", reasons = "x" })).Status);
        var (answered, final) = await Post(psb, $"/api/mismatches/{id}/resolution", new { outcome = "insufficient_information", reasons = "请提供户口簿复印件" });
        Assert.Equal(HttpStatusCode.OK, answered);
        Assert.Equal("insufficient_information", final.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reporter_Should_WithdrawItsReport_AndThePartiesComment()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var consumer = city.Host.NewAgency("mm-withdraw");
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        var (_, report) = await Post(consumer, "/api/mismatches", Body(Person(4)));
        var id = report.GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await Post(hrss, $"/api/mismatches/{id}/comments", new { note = "请补充居住证明" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(hrss, $"/api/mismatches/{id}/comments", new { note = " " })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(psb, $"/api/mismatches/{id}/comments", new { note = "路过" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(hrss, $"/api/mismatches/{id}/withdrawal")).Status);
        var (withdrawn, answer) = await Post(consumer, $"/api/mismatches/{id}/withdrawal", new { note = "核实后无误" });
        Assert.Equal(HttpStatusCode.OK, withdrawn);
        Assert.Equal("withdrawn", answer.GetProperty("status").GetString());
        Assert.Equal(["reported", "in_verification", "commented", "withdrawn"], History(answer));
        Assert.Equal(("hrss", "请补充居住证明"), (answer.GetProperty("history")[2].GetProperty("actor").GetString(), answer.GetProperty("history")[2].GetProperty("note").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await Post(consumer, $"/api/mismatches/{id}/withdrawal")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(consumer, "/api/mismatches/mm-20310930-00000000/withdrawal")).Status);

        var (_, mine) = await Get(consumer, "/api/mismatches?status=withdrawn");
        Assert.Equal([id], Ids(mine));
        Assert.Equal(HttpStatusCode.BadRequest, (await Get(consumer, "/api/mismatches?status=closed")).Status);
    }

    [Fact]
    public async Task Report_Should_AnswerProblems_ThatSayWhatAndWhere_WithoutTheKey()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var consumer = city.Host.NewAgency("mm-problems");
        using var anonymousParty = city.Host.WithKey(city.Host.Keys["urban-ops"], withParty: false);
        var badKey = Person(5)[..17] + (Person(5)[17] == '1' ? '2' : '1');

        var (unknownEntry, entryProblem) = await Post(consumer, "/api/mismatches", Body(Person(5)) with { entryId = "nobody.nothing" });
        var (unknownAttribute, attributeProblem) = await Post(consumer, "/api/mismatches", Body(Person(5)) with { attribute = "marital_status" });
        var (invalidKey, keyProblem) = await Post(consumer, "/api/mismatches", Body(badKey));
        var (noParty, _) = await Post(anonymousParty, "/api/mismatches", Body(Person(5)));

        Assert.Equal(HttpStatusCode.NotFound, unknownEntry);
        Assert.StartsWith("entryId:", entryProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownAttribute);
        Assert.Contains("hrss.insured does not map the attribute 'marital_status'", attributeProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, invalidKey);
        Assert.StartsWith("key:", keyProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(badKey, keyProblem.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noParty);
    }

    private static string Person(int sequence)
    {
        var body = $"41010219900101{sequence:D3}";
        return body + CitizenIdNumber.ComputeCheckCharacter(body);
    }

    private static ReportBody Body(string key) =>
        new("hrss.insured", key, "residence_address", "金水区花园路1号", "金水区花园路2号", "2031-09-01", "GJJ-2031-0042", "贷款审核时发现居住地址与本人提供的证明不一致");

    private static List<string> History(JsonElement report) =>
        report.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToList();

    private static List<string> Ids(JsonElement list) => list.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

    private async Task<List<AuditEvent>> Audit(params string[] agencies)
    {
        await city.Host.Services.GetRequiredService<AuditLog>().FlushAsync();
        return AuditLog.Read(city.Host.Lake).Select(e => e.Entry).OfType<AuditEntry>().Select(e => e.Event)
            .Where(e => agencies.Contains(e.Agency) && e.Action.Contains("Mismatch", StringComparison.Ordinal)).ToList();
    }

    private sealed record ReportBody(string entryId, string key, string attribute, string doubtedValue, string proposedValue, string referenceDate,
        string reporterReference, string note);
}
