using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Platform;
using GovShare.Lake.Quality;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The data-quality reviewer's queue in a real browser: a report the consistency check raised (through the
/// platform's own workflow, as the check does) is found in the queue, opened with both values side by side, and confirmed
/// or dismissed with a reason; a consumer's report is answered by its provider; the detail and the queue show the new
/// status without reloading the page. Each test uses a record of its own.</summary>
[Collection(UiCollection.Name)]
public sealed class MismatchReviewTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    private MismatchWorkflow Workflow => Host.Services.GetRequiredService<MismatchWorkflow>();

    private IPlatformStore Store => Host.Services.GetRequiredService<IPlatformStore>();

    [Fact]
    public Task Reviewer_Should_SeeBothValues_AndConfirmTheReport_And_TheLookupShouldFlagIt_When_TheCheckFlaggedIt() => Run(async () =>
    {
        var (key, value) = await InsuredPersonAsync(3);
        var id = Flag(key, value, "金水区花园路8号院").Report.Id;

        await OpenFromQueueAsync(id);
        await Assertions.Expect(Page.Locator(".compare-side[data-side=doubted] .raw")).ToHaveTextAsync(value);
        await Assertions.Expect(Page.Locator(".compare-side[data-side=reference] .raw")).ToHaveTextAsync("金水区花园路八号院");
        await Assertions.Expect(Page.Locator(".compare-side[data-side=reference] .normalised")).ToHaveTextAsync("金水区花园路8号院");
        await Assertions.Expect(Page.Locator(".finding .explanation")).ToHaveTextAsync("两个部门登记的居住地址门牌号不同。");
        await Assertions.Expect(Page.Locator("[data-field=status]")).ToContainTextAsync("待审核");
        await MarkDocumentAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "确认差异" }).ClickAsync();
        await Page.Locator("dialog.dialog textarea").FillAsync("与户籍登记不符");
        await Page.Locator("dialog.dialog button.primary").ClickAsync();

        await Assertions.Expect(Page.Locator("[data-field=status]")).ToContainTextAsync("核实中");
        await Assertions.Expect(Page.Locator("table.data").Last).ToContainTextAsync("审核确认");
        Assert.Equal(MismatchStatus.InVerification, Store.FindMismatchReport(id)!.Status);

        // Back in the queue, the same document reads the queue again: the report is in verification now.
        await Page.GetByRole(AriaRole.Link, new() { Name = "← 返回纠错列表" }).ClickAsync();
        await Page.Locator("select[name=status]").SelectOptionAsync("in_verification");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.Locator("tr", new() { Has = Page.GetByRole(AriaRole.Link, new() { Name = id }) })).ToContainTextAsync("核实中");
        await AssertSameDocumentAsync();
        Requests.AssertOnlyFrom(Host.BaseUrl);

        // An analyst looking the person up now sees the attribute flagged as under investigation, with the report.
        var analyst = await NewPageAsync();
        await SignInAsync("urban-ops.analyst", analyst);
        await StatePurposeAsync("核对参保信息", analyst);
        await analyst.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "信息查验" }).ClickAsync();
        await analyst.Locator("#lookup-panel input[name=key]").FillAsync(key);
        await analyst.Locator("#lookup-panel button[type=submit]").ClickAsync();
        var flagged = analyst.Locator(".pa-record tr.pa-investigating", new() { HasText = "residence_address" });
        await Assertions.Expect(flagged).ToContainTextAsync("核查中");
        await Assertions.Expect(flagged).ToContainTextAsync(id);
    });

    [Fact]
    public Task Reviewer_Should_DismissTheReportWithAReason_When_TheDifferenceIsBenign() => Run(async () =>
    {
        var (key, value) = await InsuredPersonAsync(4);
        var id = Flag(key, value, value + "（无实质差异）").Report.Id;

        await OpenFromQueueAsync(id);
        await MarkDocumentAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "驳回（无实质差异）" }).ClickAsync();

        // A dismissal without a reason is refused in the dialog.
        await Page.Locator("dialog.dialog button.danger").ClickAsync();
        await Assertions.Expect(Page.Locator("dialog.dialog .dialog-error")).ToHaveTextAsync("请填写驳回理由。");
        await Page.Locator("dialog.dialog textarea").FillAsync("同一地址的不同写法");
        await Page.Locator("dialog.dialog button.danger").ClickAsync();

        await Assertions.Expect(Page.Locator("[data-field=status]")).ToContainTextAsync("已驳回");
        await Assertions.Expect(Page.Locator("table.data").Last).ToContainTextAsync("同一地址的不同写法");
        Assert.Equal(MismatchStatus.Dismissed, Store.FindMismatchReport(id)!.Status);
        await AssertSameDocumentAsync();
    });

    [Fact]
    public Task Provider_Should_AnswerAConsumersReportWithReasons_When_ItIsInVerification() => Run(async () =>
    {
        var (key, value) = await InsuredPersonAsync(5);
        var id = await ReportAsConsumerAsync(key, value, value + "甲");

        await SignInAsync("hrss.admin");
        await StatePurposeAsync("纠错核实");
        await Page.GotoAsync($"/ui/#/mismatches/{id}");
        await Assertions.Expect(Page.Locator("[data-field=status]")).ToContainTextAsync("核实中");
        await Assertions.Expect(Page.Locator(".compare-side[data-side=reference] .raw")).ToHaveTextAsync(value + "甲");
        // Reviewing is the operator's: the provider only answers.
        Assert.Equal(0, await Page.GetByRole(AriaRole.Button, new() { Name = "确认差异" }).CountAsync());
        await MarkDocumentAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "答复核实结果" }).ClickAsync();
        await Page.Locator("dialog.dialog select[name=outcome]").SelectOptionAsync("rejected");
        await Page.Locator("dialog.dialog textarea[name=reasons]").FillAsync("经核对户籍底册，地址无误");
        await Page.Locator("dialog.dialog button.primary").ClickAsync();

        await Assertions.Expect(Page.Locator("[data-field=status]")).ToContainTextAsync("提供部门不予更正");
        await Assertions.Expect(Page.Locator(".card").First).ToContainTextAsync("经核对户籍底册，地址无误");
        Assert.Equal(MismatchStatus.Rejected, Store.FindMismatchReport(id)!.Status);
        await AssertSameDocumentAsync();
    });

    // Signs in as the reviewer, states a purpose (reports hold personal data), finds the report in the queue of reports
    // awaiting review and opens it.
    private async Task OpenFromQueueAsync(string id)
    {
        await SignInAsync("op.reviewer");
        await StatePurposeAsync("数据质量审核");
        await Page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "数据纠错" }).ClickAsync();
        await Page.Locator("select[name=status]").SelectOptionAsync("awaiting_review");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询", Exact = true }).ClickAsync();
        var link = Page.GetByRole(AriaRole.Link, new() { Name = id, Exact = true });
        await Assertions.Expect(Page.Locator("tr", new() { Has = link })).ToContainTextAsync("待审核");
        await link.ClickAsync();
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync(id);
    }

    // A mark on the window that a reload would wipe.
    private Task MarkDocumentAsync() => Page.EvaluateAsync("() => { window.__sameDocument = true; }");

    private async Task AssertSameDocumentAsync() => Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"));

    // Raised as the consistency check raises it: hrss's address doubted against psb's household register.
    private MismatchFlagging Flag(string key, string doubted, string reference) =>
        Workflow.Flag("hrss.insured", key, "residence_address", doubted, reference,
            new MismatchFinding("material_conflict", 0.91, "psb.household", reference.Replace('8', '八'), doubted, reference,
                [new FindingReason("same_division", 1, 0.4, "同一区县", "Same county"), new FindingReason("edit_distance", 1, 0.3, "门牌号不同", "House numbers differ")],
                "两个部门登记的居住地址门牌号不同。", "The two agencies record different house numbers.", "m-ui"),
            "consistency", DateTimeOffset.UtcNow);

    // A consuming agency's report through the API with its key: it goes straight to the provider, in verification.
    private async Task<string> ReportAsConsumerAsync(string key, string doubted, string proposed)
    {
        using var client = Client("urban-ops");
        using var response = await client.PostAsJsonAsync("/api/mismatches",
            new { entryId = "hrss.insured", key, attribute = "residence_address", doubtedValue = doubted, proposedValue = proposed, note = "住户反映地址有误" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private HttpClient Client(string agency)
    {
        var client = new HttpClient { BaseAddress = new Uri(Host.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Host.Keys[agency]);
        client.DefaultRequestHeaders.Add("X-End-User", "ui-tests");
        client.DefaultRequestHeaders.Add("X-Purpose", "ui-tests");
        return client;
    }

    // The n-th person hrss insures with a residence address, read through the query API with hrss's key.
    private async Task<(string Key, string Value)> InsuredPersonAsync(int n)
    {
        using var client = Client("hrss");
        using var response = await client.PostAsJsonAsync("/api/query", new
        {
            sql = "SELECT id_number, residence_address FROM src.\"hrss.insured\" WHERE record_status = 'current' AND residence_address IS NOT NULL " +
                $"ORDER BY id_number LIMIT 1 OFFSET {n}",
        });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var row = body.RootElement.GetProperty("rows")[0];
        return (row[0].GetString()!, row[1].GetString()!);
    }
}
