using System.Net;
using System.Text.Json;
using GovShare.Lake.Access;
using GovShare.Lake.Audit;
using GovShare.Lake.Quality;
using Microsoft.Extensions.DependencyInjection;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Quality;

/// <summary>The review side of mismatch reports through the real HTTP pipeline: a consistency check's report waits for
/// the operator's reviewers, unseen by the provider; confirmed, it is due in 3 working days across the holiday and the
/// lookups mark the attribute under investigation until the provider corrects it; dismissed, the check does not raise it
/// again until a value changes; rerouted, it goes to the authoritative entry's provider; reviewers filter and page; the
/// quality schema shows open reports per agency, masked as its grants mask. The tests share one clock (each sets it) and
/// use records of their own.</summary>
public sealed class MismatchReviewApiTests(MismatchCityFixture city) : IClassFixture<MismatchCityFixture>
{
    // Counted by hand: 1-7 October off, Wed 8 (1), Thu 9 (2), Fri 10 (3): due at the end of Friday 10 October.
    private static readonly DateTimeOffset Due = new(2031, 10, 11, 0, 0, 0, TimeSpan.FromHours(8));

    private MismatchWorkflow Workflow => city.Host.Services.GetRequiredService<MismatchWorkflow>();

    [Fact]
    public async Task FlaggedReport_Should_WaitUnseenForReview_ThenBeDueThreeWorkingDaysAfterTheHoliday_AndMarkTheLookup_UntilCorrected()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var hrss = city.Host.As("hrss");
        using var operatorClient = city.Host.As("operator");
        var (key, value) = await InsuredPerson(hrss, 0);

        var flagging = Workflow.Flag("hrss.insured", key, "residence_address", value, "金水区花园路2号", Finding(), "consistency", city.Clock.GetUtcNow());
        var id = flagging.Report.Id;
        Assert.Equal(MismatchFlagOutcome.Raised, flagging.Outcome);

        // Awaiting review: not the provider's yet, and not under investigation.
        Assert.Equal(HttpStatusCode.NotFound, (await Get(hrss, $"/api/mismatches/{id}")).Status);
        Assert.DoesNotContain(id, Ids((await Get(hrss, "/api/mismatches?limit=1000")).Body));
        Assert.False(Attribute(await Lookup(hrss, key), "residence_address").TryGetProperty("underInvestigation", out _));
        var (_, detail) = await Get(operatorClient, $"/api/mismatches/{id}");
        Assert.Equal(("awaiting_review", JsonValueKind.Null), (detail.GetProperty("status").GetString(), detail.GetProperty("due").ValueKind));
        Assert.Equal((value, "金水区花园路1号", "金水区花园路二号", "金水区花园路2号", "psb.household"),
            (Text(detail, "comparison", "doubted"), Text(detail, "comparison", "doubtedNormalised"), Text(detail, "comparison", "reference"),
                Text(detail, "comparison", "referenceNormalised"), Text(detail, "comparison", "referenceEntry")));
        Assert.Equal(("material_conflict", 0.91, "same_division", "两个部门登记的居住地址门牌号不同。"),
            (Text(detail, "finding", "class"), detail.GetProperty("finding").GetProperty("score").GetDouble(),
                detail.GetProperty("finding").GetProperty("reasons")[0].GetProperty("feature").GetString(), Text(detail, "finding", "explanationZh")));

        Assert.Equal(HttpStatusCode.NotFound, (await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "rejected", reasons = "无误" })).Status);

        // Only the operator's reviewers confirm; then it is the provider's, due at the end of Friday 10 October.
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(hrss, $"/api/mismatches/{id}/confirmation")).Status);
        var (confirmed, report) = await Post(operatorClient, $"/api/mismatches/{id}/confirmation", new { note = "与户籍登记不符" });
        Assert.Equal(HttpStatusCode.OK, confirmed);
        Assert.Equal(("in_verification", "hrss", Due), (report.GetProperty("status").GetString(), report.GetProperty("provider").GetString(), report.GetProperty("due").GetDateTimeOffset()));
        Assert.Equal(["reported", "awaiting_review", "confirmed", "in_verification"], History(report));
        Assert.Equal("operator", report.GetProperty("history")[2].GetProperty("actor").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Post(operatorClient, $"/api/mismatches/{id}/confirmation")).Status);
        Assert.Contains(id, Ids((await Get(hrss, "/api/mismatches?status=in_verification&limit=1000")).Body));

        // Still served, marked under investigation.
        var lookup = await Lookup(hrss, key);
        var marked = Attribute(lookup, "residence_address");
        Assert.Equal(value, marked.GetProperty("value").GetString());
        var investigation = Assert.Single(marked.GetProperty("underInvestigation").EnumerateArray());
        Assert.Equal((id, "hrss.insured", "in_verification", Due),
            (investigation.GetProperty("reportId").GetString(), investigation.GetProperty("entryId").GetString(), investigation.GetProperty("status").GetString(),
                investigation.GetProperty("due").GetDateTimeOffset()));
        Assert.Equal(["residence_address"], Strings(lookup.GetProperty("record").GetProperty("underInvestigation")));
        Assert.False(Attribute(lookup, "name").TryGetProperty("underInvestigation", out _));

        // Corrected: the mark is gone.
        var version = city.Host.Store.ListBatches("hrss.insured").First(b => b.Status == "committed" && b.Version is not null).Version!.Value;
        Assert.Equal(HttpStatusCode.OK, (await Post(hrss, $"/api/mismatches/{id}/resolution", new { outcome = "corrected", correctingVersion = version })).Status);
        var after = await Lookup(hrss, key);
        Assert.False(Attribute(after, "residence_address").TryGetProperty("underInvestigation", out _));
        Assert.False(after.GetProperty("record").TryGetProperty("underInvestigation", out _));

        var entries = await Audit("operator", "hrss");
        Assert.Contains(entries, e => (e.Action, e.Agency, e.Outcome, e.Status) == ("ConfirmMismatch", "hrss", "denied", 403));
        var audited = Assert.Single(entries, e => (e.Action, e.Outcome) == ("ConfirmMismatch", "allowed") && e.Resources.Contains("mismatch:" + id));
        Assert.Contains("hrss.insured", audited.Resources);
        Assert.Equal([AuditLog.SubjectHash(city.Host.Lake, key)], audited.Subjects);
        Assert.DoesNotContain(entries, e => JsonSerializer.Serialize(e).Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfirmedLicenceReport_Should_MarkTheLicence_InTheLicenceLookup_AndAmongTheHoldersLicences()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var operatorClient = city.Host.As("operator");
        using var reader = city.Host.NewAgency("mm-review-licence");
        var (status, body) = await Sql(reader, "SELECT licence_no, scope, holder_key FROM src.\"nhc.practising_cert\" " +
            "WHERE record_status = 'current' AND scope IS NOT NULL ORDER BY licence_no LIMIT 1");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var (number, scope, holder) = (body.GetProperty("rows")[0][0].GetString()!, body.GetProperty("rows")[0][1].GetString()!, body.GetProperty("rows")[0][2].GetString()!);
        var id = Workflow.Flag("nhc.practising_cert", number, "scope", scope, "内科专业", Finding() with { ReferenceEntry = "hurd.qualification" }, "consistency",
            city.Clock.GetUtcNow()).Report.Id;
        Assert.Equal(HttpStatusCode.OK, (await Post(operatorClient, $"/api/mismatches/{id}/confirmation")).Status);

        var (_, licence) = await Post(reader, "/api/lookup/licence", new { licenceNo = number });
        var (_, person) = await Post(reader, "/api/lookup/person", new { idNumber = holder });

        var marked = licence.GetProperty("record").GetProperty("attributes").GetProperty("scope");
        Assert.Equal(id, Assert.Single(marked.GetProperty("underInvestigation").EnumerateArray()).GetProperty("reportId").GetString());
        Assert.Equal(["scope"], Strings(licence.GetProperty("record").GetProperty("underInvestigation")));
        var held = Assert.Single(person.GetProperty("licences").EnumerateArray(), l => l.GetProperty("key").GetString() == number);
        Assert.Equal(["scope"], Strings(held.GetProperty("underInvestigation")));
    }

    [Fact]
    public async Task Dismissal_Should_NeedAReason_AndKeepTheSameFlagOut_WhileAChangedValueIsRaisedAgain()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var hrss = city.Host.As("hrss");
        using var operatorClient = city.Host.As("operator");
        using var consumer = city.Host.NewAgency("mm-review-dismiss");
        var (key, value) = await InsuredPerson(hrss, 1);
        var id = Flag(key, "residence_address", value, "金水区花园路2号").Report.Id;

        var (noReason, problem) = await Post(operatorClient, $"/api/mismatches/{id}/dismissal", new { reason = " " });
        var (notOperator, _) = await Post(consumer, $"/api/mismatches/{id}/dismissal", new { reason = "无关" });
        var (provider, _) = await Post(hrss, $"/api/mismatches/{id}/dismissal", new { reason = "无误" });
        city.Clock.Set(MismatchCityFixture.Start.AddHours(2));
        var (dismissed, report) = await Post(operatorClient, $"/api/mismatches/{id}/dismissal", new { reason = "同一地址的两种写法" });

        Assert.Equal(HttpStatusCode.BadRequest, noReason);
        Assert.Equal("reason", problem.GetProperty("field").GetString());
        Assert.StartsWith("reason is required", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (notOperator, provider));
        Assert.Equal(HttpStatusCode.OK, dismissed);
        Assert.Equal(("dismissed", false, "同一地址的两种写法"), (report.GetProperty("status").GetString(), report.GetProperty("isOpen").GetBoolean(), report.GetProperty("reasons").GetString()));
        Assert.Equal(MismatchCityFixture.Start.AddHours(2), report.GetProperty("resolvedAt").GetDateTimeOffset());
        var last = report.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("operator", "dismissed"), (last.GetProperty("actor").GetString(), last.GetProperty("action").GetString()));

        // The nightly check finds the same difference again: not raised. A changed value is a new difference.
        var again = Flag(key, "residence_address", value, "金水区花园路2号");
        var changed = Flag(key, "residence_address", value, "金水区花园路3号");
        Assert.Equal((MismatchFlagOutcome.Dismissed, id), (again.Outcome, again.Report.Id));
        Assert.Equal(MismatchFlagOutcome.Raised, changed.Outcome);
        Assert.NotEqual(id, changed.Report.Id);

        // A dismissed report never reached the provider; the retraining reads the verdict.
        Assert.Equal(HttpStatusCode.NotFound, (await Get(hrss, $"/api/mismatches/{id}")).Status);
        var verdict = Assert.Single(Workflow.ReviewerVerdicts(MismatchCityFixture.Start.AddHours(1)), v => v.ReportId == id);
        Assert.Equal(("dismissed", value, "金水区花园路二号", "material_conflict", "同一地址的两种写法"), (verdict.Verdict, verdict.DoubtedValue, verdict.ReferenceValue, verdict.Class, verdict.Reasons));
    }

    [Fact]
    public async Task Reroute_Should_SendAReportToTheAuthoritativeEntrysProvider_WithANewDueDate()
    {
        city.Clock.Set(new DateTimeOffset(2031, 10, 9, 9, 0, 0, TimeSpan.FromHours(8)));
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        using var operatorClient = city.Host.As("operator");
        var (key, _) = await InsuredPerson(hrss, 2);
        var id = Flag(key, "name", "王小明", "王晓明").Report.Id;

        var (byProvider, _) = await Post(hrss, $"/api/mismatches/{id}/reroute", new { entryId = "psb.household" });
        var (wrongTable, tableProblem) = await Post(operatorClient, $"/api/mismatches/{id}/reroute", new { entryId = "amr.entities" });
        var (status, rerouted) = await Post(operatorClient, $"/api/mismatches/{id}/reroute", new { entryId = "psb.household", note = "姓名以户籍登记为准" });

        Assert.Equal(HttpStatusCode.Forbidden, byProvider);
        Assert.Equal(HttpStatusCode.BadRequest, wrongTable);
        Assert.Contains("feeds legal_entity.entities", tableProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);

        // Thursday 9 October: Fri 10, Mon 13, Tue 14.
        Assert.Equal(("psb.household", "psb", "in_verification", new DateTimeOffset(2031, 10, 15, 0, 0, 0, TimeSpan.FromHours(8))),
            (rerouted.GetProperty("entryId").GetString(), rerouted.GetProperty("provider").GetString(), rerouted.GetProperty("status").GetString(),
                rerouted.GetProperty("due").GetDateTimeOffset()));
        Assert.Equal(["hrss.insured"], Strings(rerouted.GetProperty("routedFrom")));
        var step = rerouted.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("operator", "rerouted", "awaiting_review", "in_verification"),
            (step.GetProperty("actor").GetString(), step.GetProperty("action").GetString(), step.GetProperty("from").GetString(), step.GetProperty("to").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Get(psb, $"/api/mismatches/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(hrss, $"/api/mismatches/{id}")).Status);

        // In verification, a reviewer may send it on again; a comment is kept with who and when.
        Assert.Equal(HttpStatusCode.OK, (await Post(operatorClient, $"/api/mismatches/{id}/comments", new { note = "请户籍部门核实" })).Status);
        var (_, again) = await Post(operatorClient, $"/api/mismatches/{id}/reroute", new { entryId = "hrss.insured" });
        Assert.Equal("hrss", again.GetProperty("provider").GetString());
        Assert.Equal(["hrss.insured", "psb.household"], Strings(again.GetProperty("routedFrom")));
        Assert.Equal(["reported", "awaiting_review", "rerouted", "commented", "rerouted"], History(again));
    }

    [Fact]
    public async Task ReviewerList_Should_FilterByStatusSourceClassScoreAndBaseDatabase_PageAndPutTheSoonestDueFirst()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var operatorClient = city.Host.As("operator");
        using var amr = city.Host.As("amr");
        using var consumer = city.Host.NewAgency("mm-review-list");

        // amr's licences: only this test reports on them.
        var low = Flag("LIST-0001", "scope", "食品销售", "食品经营", "licence", Finding() with { Class = "minor_variant", Score = 0.55 }).Report.Id;
        city.Clock.Set(MismatchCityFixture.Start.AddMinutes(1));
        var high = Flag("LIST-0002", "scope", "餐饮服务", "药品零售", "licence", Finding() with { Class = "mis_keyed", Score = 0.97 }).Report.Id;
        city.Clock.Set(MismatchCityFixture.Start.AddMinutes(2));
        var middle = Flag("LIST-0003", "scope", "五金", "建材", "licence", Finding() with { Score = 0.8 }).Report.Id;
        var (_, filed) = await Post(consumer, "/api/mismatches", new { entryId = "amr.business_licence", key = "LIST-0004", attribute = "scope", doubtedValue = "旧范围", proposedValue = "新范围" });
        var consumers = filed.GetProperty("id").GetString()!;
        city.Clock.Set(new DateTimeOffset(2031, 10, 9, 9, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal(HttpStatusCode.OK, (await Post(operatorClient, $"/api/mismatches/{middle}/confirmation")).Status);

        var (_, all) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence");
        var (_, checks) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence&source=check&sort=-score");
        var (_, first) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence&status=awaiting_review&status=in_verification&source=check&sort=-score&limit=2");
        var (_, second) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence&status=awaiting_review,in_verification&source=check&sort=-score&limit=2&offset=2");
        var (_, keyed) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence&class=mis_keyed");
        var (_, sure) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence&minScore=0.8&sort=reported");
        var (_, fromConsumers) = await Get(operatorClient, "/api/mismatches?provider=amr&baseDatabase=licence&source=consumer");
        var (_, provider) = await Get(amr, "/api/mismatches?baseDatabase=licence");

        // Due first: the consumer's (due 10 October), the confirmed one (due 14 October), then those awaiting review.
        Assert.Equal([consumers, middle, low, high], Ids(all));
        Assert.Equal(4, all.GetProperty("total").GetInt32());
        Assert.Equal([high, middle, low], Ids(checks));
        Assert.Equal([high, middle], Ids(first));
        Assert.Equal((3, 2), (first.GetProperty("total").GetInt32(), first.GetProperty("nextOffset").GetInt32()));
        Assert.Equal([low], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextOffset").ValueKind);
        Assert.Equal([high], Ids(keyed));
        Assert.Equal([high, middle], Ids(sure));
        Assert.Equal([consumers], Ids(fromConsumers));
        Assert.Equal([consumers, middle], Ids(provider));

        foreach (var (query, field) in new[]
        {
            ("status=closed", "status"), ("baseDatabase=people", "baseDatabase"), ("class=odd", "class"), ("minScore=2", "minScore"),
            ("source=robot", "source"), ("limit=0", "limit"), ("offset=-1", "offset"), ("sort=random", "sort"),
        })
        {
            var (status, problem) = await Get(operatorClient, "/api/mismatches?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task QualitySchema_Should_ShowOpenReports_OnlyOnEntriesTheAgencyReads_WithTheKeyMaskedAsItsGrantMasksIt()
    {
        city.Clock.Set(MismatchCityFixture.Start);
        using var hrss = city.Host.As("hrss");
        using var psb = city.Host.As("psb");
        using var operatorClient = city.Host.As("operator");
        using var masked = city.Host.NewAgency("mm-quality-masked");
        using var narrow = city.Host.NewAgency("mm-quality-narrow");
        using var stranger = city.Host.NewAgency("mm-quality-none");
        using var urban = city.Host.As("urban-ops");

        // A grant on hrss.insured that masks the key; one for education only; none.
        var (request, _, _) = await Request(masked, new { entryId = "hrss.insured", purpose = "住房保障资格审核" });
        Assert.Equal(HttpStatusCode.OK, (await Post(hrss, $"/api/access-requests/{request}/decision", new { approve = true, mask = new[] { "id_number", "residence_address" } })).Status);
        await AcceptAgreement(masked, "hrss.insured");
        await Request(narrow, new { entryId = "hrss.insured", purpose = "就业困难人员认定", purposeCategory = "employment_service", fields = new[] { "education" } });
        await AcceptAgreement(narrow, "hrss.insured");

        var (key, value) = await InsuredPerson(hrss, 3);
        var confirmed = Flag(key, "residence_address", value, "金水区花园路9号", finding: Finding() with { Class = "missing", Score = 0.66 }).Report.Id;
        var awaiting = Flag(key, "phone", "13800000000", "13900000000").Report.Id;
        var (_, filed) = await Post(urban, "/api/mismatches", new { entryId = "psb.household", key, attribute = "name", doubtedValue = "甲", proposedValue = "乙" });
        var onPsb = filed.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Post(operatorClient, $"/api/mismatches/{confirmed}/confirmation")).Status);
        var sql = $"SELECT id, entry_id, attribute, status, class, score, due, escalated, key FROM quality.mismatch_reports WHERE id IN ('{confirmed}', '{awaiting}', '{onPsb}') ORDER BY entry_id";

        var (allStatus, all) = await Sql(operatorClient, sql);
        var (_, own) = await Sql(hrss, sql);
        var (_, maskedRows) = await Sql(masked, sql);
        var (_, narrowRows) = await Sql(narrow, sql);
        var (_, none) = await Sql(stranger, sql);
        var (_, psbRows) = await Sql(psb, sql);

        Assert.True(allStatus == HttpStatusCode.OK, all.ToString());
        var columns = all.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["id", "entry_id", "attribute", "status", "class", "score", "due", "escalated", "key"], columns);

        // Open reports only (the one awaiting review is not open): the operator both, unmasked.
        Assert.Equal([(confirmed, key), (onPsb, key)], Rows(all).Select(r => (r[0].GetString(), r[8].GetString())));
        Assert.Equal(("hrss.insured", "residence_address", "in_verification", "missing", 0.66, false),
            (Rows(all)[0][1].GetString(), Rows(all)[0][2].GetString(), Rows(all)[0][3].GetString(), Rows(all)[0][4].GetString(), Rows(all)[0][5].GetDouble(), Rows(all)[0][7].GetBoolean()));
        Assert.Equal([(confirmed, key)], Rows(own).Select(r => (r[0].GetString(), r[8].GetString())));
        Assert.Equal([(onPsb, key)], Rows(psbRows).Select(r => (r[0].GetString(), r[8].GetString())));
        Assert.Equal([(confirmed, FieldMask.Mask("id_number", key))], Rows(maskedRows).Select(r => (r[0].GetString(), r[8].GetString())));
        Assert.Empty(Rows(narrowRows));
        Assert.Empty(Rows(none));

        // The view follows the reports: once answered, the report is no longer open.
        Assert.Equal(HttpStatusCode.OK, (await Post(hrss, $"/api/mismatches/{confirmed}/resolution", new { outcome = "rejected", reasons = "居住地址经本人确认" })).Status);
        Assert.Empty(Rows((await Sql(hrss, sql)).Body));
    }

    private MismatchFlagging Flag(string key, string attribute, string? doubted, string? proposed, string database = "population", MismatchFinding? finding = null) =>
        Workflow.Flag(database == "licence" ? "amr.business_licence" : "hrss.insured", key, attribute, doubted, proposed, finding ?? Finding(), "consistency", city.Clock.GetUtcNow());

    private static MismatchFinding Finding() => new("material_conflict", 0.91, "psb.household", "金水区花园路二号", "金水区花园路1号", "金水区花园路2号",
        [new FindingReason("same_division", 1, 0.4, "同一区县", "Same county"), new FindingReason("edit_distance", 1, 0.3, "门牌号不同", "House numbers differ")],
        "两个部门登记的居住地址门牌号不同。", "The two agencies record different house numbers.", "m-2031.09");

    // A person hrss insures with a residence address: the n-th, so that each test has a record of its own.
    private static async Task<(string Key, string Value)> InsuredPerson(HttpClient hrss, int n)
    {
        var (status, body) = await Sql(hrss, "SELECT id_number, residence_address FROM src.\"hrss.insured\" WHERE record_status = 'current' AND residence_address IS NOT NULL " +
            $"ORDER BY id_number LIMIT 1 OFFSET {n}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var row = body.GetProperty("rows")[0];
        return (row[0].GetString()!, row[1].GetString()!);
    }

    private static async Task<JsonElement> Lookup(HttpClient client, string key)
    {
        var (status, body) = await Post(client, "/api/lookup/person", new { idNumber = key });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static JsonElement Attribute(JsonElement lookup, string name) => lookup.GetProperty("record").GetProperty("attributes").GetProperty(name);

    private static string? Text(JsonElement report, string part, string name) => report.GetProperty(part).GetProperty(name).GetString();

    private static List<JsonElement> Rows(JsonElement answer) => answer.GetProperty("rows").EnumerateArray().ToList();

    private static List<string> History(JsonElement report) =>
        report.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToList();

    private static List<string> Ids(JsonElement list) => list.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

    private async Task<List<AuditEvent>> Audit(params string[] agencies)
    {
        await city.Host.Services.GetRequiredService<AuditLog>().FlushAsync();
        return AuditLog.Read(city.Host.Lake).Select(e => e.Entry).OfType<AuditEntry>().Select(e => e.Event)
            .Where(e => agencies.Contains(e.Agency) && e.Action.Contains("Mismatch", StringComparison.Ordinal)).ToList();
    }
}
