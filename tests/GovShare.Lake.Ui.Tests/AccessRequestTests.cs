using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>An access request from end to end in real browsers: an agency without grants asks for a conditional entry
/// whose preset conditions do not approve it at once (the civil affairs bureau's marriage registrations: no automatic
/// approval), accepts the data-use agreement; the providing agency's administrator sees it in the inbox with its due
/// date and approves it; the requesting analyst can then query the entry.</summary>
[Collection(UiCollection.Name)]
public sealed class AccessRequestTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    [Fact]
    public Task AccessRequest_Should_LetTheAnalystQueryTheEntry_When_TheProviderApprovesIt() => Run(async () =>
    {
        var missing = CatalogueAndSqlTests.WatchTranslations(Page);
        await SignInAsync("housing-fund.analyst");
        await StatePurposeAsync("住房公积金贷款审核");

        // The entry's page offers the request; the form opens with the entry chosen.
        await Page.GotoAsync("/ui/#/catalogue/mca.marriage");
        await Assertions.Expect(Page.Locator(".card").Filter(new() { HasText = "访问权限" })).ToContainTextAsync("未授权");
        await Page.GetByRole(AriaRole.Button, new() { Name = "申请共享" }).ClickAsync();
        await Assertions.Expect(Page.Locator("select[name=entry]")).ToHaveValueAsync("mca.marriage");
        await Page.Locator("textarea[name=purpose]").FillAsync("住房公积金贷款审核中核验申请人婚姻状况");
        await Page.Locator("select[name=purposeCategory]").SelectOptionAsync("housing_security");
        await Assertions.Expect(Page.Locator(".pa-agreement-text")).ToContainTextAsync("共享数据仅用于");

        // Without ticking the agreement the form says so and sends nothing.
        await Page.GetByRole(AriaRole.Button, new() { Name = "提交申请" }).ClickAsync();
        await Assertions.Expect(Page.Locator("form.pa-request-form .alert-error")).ToHaveTextAsync("请先阅读并同意数据使用协议。");
        await Page.GetByLabel("我已阅读并同意遵守上述数据使用协议").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "提交申请" }).ClickAsync();

        var mine = Page.Locator("table.data tbody tr", new() { HasText = "mca.marriage" });
        await Assertions.Expect(mine).ToContainTextAsync("待审核");

        // The civil affairs bureau's administrator, in a browser of its own.
        var provider = await NewPageAsync();
        var providerMissing = CatalogueAndSqlTests.WatchTranslations(provider);
        await SignInAsync("mca.admin", provider);
        await provider.GotoAsync("/ui/#/requests/inbox");
        var inbox = provider.Locator("table.data tbody tr", new() { HasText = "housing-fund" });
        await Assertions.Expect(inbox).ToContainTextAsync("住房公积金贷款审核中核验申请人婚姻状况");
        await Assertions.Expect(inbox).ToContainTextAsync("住房保障");
        // The due date: ten working days on, in the row's "answer due" cell.
        await Assertions.Expect(inbox.Locator("td").Nth(6)).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d{4}/\d{2}/\d{2} \d{2}:\d{2}"));
        await inbox.GetByRole(AriaRole.Button, new() { Name = "批准" }).ClickAsync();
        await provider.Locator("dialog.dialog button.primary").ClickAsync();
        await Assertions.Expect(provider.Locator(".toast")).ToContainTextAsync("已批准。");
        await Assertions.Expect(inbox).ToHaveCountAsync(0);

        // Back to the analyst: the request shows approved, and the entry answers on the SQL console.
        await Page.GetByRole(AriaRole.Link, new() { Name = "共享申请" }).ClickAsync();
        await Assertions.Expect(mine).ToContainTextAsync("已批准");
        await Page.GetByRole(AriaRole.Link, new() { Name = "SQL 查询" }).ClickAsync();
        await Page.Locator("#sql-editor").FillAsync("SELECT marital_status, count(*) AS n FROM src.\"mca.marriage\" GROUP BY 1 ORDER BY 2 DESC");
        await Page.GetByRole(AriaRole.Button, new() { Name = "运行", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.Locator(".pa-results table.data tbody tr").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.Equal(0, await Page.Locator(".pa-problem .alert-error").CountAsync());

        // The grant is given up again, so that the agency stays the one without grants for the other tests.
        await Page.GetByRole(AriaRole.Link, new() { Name = "共享申请" }).ClickAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "撤回" }).ClickAsync();
        await Page.Locator("dialog.dialog button.danger").ClickAsync();
        await Assertions.Expect(mine).ToContainTextAsync("已撤回");

        Assert.Empty(missing);
        Assert.Empty(providerMissing);
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });
}
