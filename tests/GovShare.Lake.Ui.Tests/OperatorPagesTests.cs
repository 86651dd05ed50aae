using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The operator's pages in a real browser: a new account's temporary password shown once, the new member of staff
/// made to change it at the first sign-in, that sign-in in the audit viewer; scorecards drawn as SVG charts; job runs with
/// the way to the Hangfire dashboard.</summary>
[Collection(UiCollection.Name)]
public sealed class OperatorPagesTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    [Fact]
    public Task Operator_Should_SeeTheTemporaryPasswordOnce_AndTheNewAccountsSignInAudited_When_CreatingAnAccount() => Run(async () =>
    {
        var username = "ui.clerk" + Guid.NewGuid().ToString("N")[..6];
        await SignInAsync("op.admin");
        await Page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "用户管理" }).ClickAsync();

        await Page.GetByLabel("用户名").FillAsync(username);
        await Page.GetByLabel("姓名").FillAsync("界面测试员");
        await Page.GetByLabel("所属部门").SelectOptionAsync("urban-ops");
        // A consumer's staff may only be analysts.
        Assert.Equal(["analyst"], await Page.Locator("fieldset.role-boxes input").EvaluateAllAsync<string[]>("boxes => boxes.map(b => b.value)"));
        await Page.GetByLabel("数据分析员").CheckAsync();
        await Page.Locator("form.account-form button[type=submit]").ClickAsync();

        var shown = Page.Locator("dialog.dialog input.temporary-password");
        await Assertions.Expect(shown).ToBeVisibleAsync();
        var temporary = await shown.InputValueAsync();
        Assert.True(temporary.Length >= 10, temporary);
        await Page.GetByRole(AriaRole.Button, new() { Name = "我已记下" }).ClickAsync();
        await Assertions.Expect(Page.Locator("dialog.dialog")).ToHaveCountAsync(0);
        var row = Page.Locator("table.data tr", new() { HasText = username });
        await Assertions.Expect(row).ToContainTextAsync("临时密码");
        Assert.DoesNotContain(temporary, await Page.ContentAsync(), StringComparison.Ordinal);

        // The new member of staff signs in elsewhere and must change the password before anything else.
        var newcomer = await NewPageAsync();
        await newcomer.GotoAsync("/ui/");
        await newcomer.Locator("input[name=username]").FillAsync(username);
        await newcomer.Locator("input[name=password]").FillAsync(temporary);
        await newcomer.Locator("form.signin-form button[type=submit]").ClickAsync();
        await Assertions.Expect(newcomer.Locator(".alert-warn")).ToHaveTextAsync("您正在使用临时密码，请先设置新密码。");
        Assert.Equal(0, await newcomer.Locator("nav.sidebar a").CountAsync());

        // The operator finds that sign-in in the audit trail.
        await Page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "访问审计" }).ClickAsync();
        await Page.GetByLabel("操作").FillAsync("SignIn");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询", Exact = true }).ClickAsync();
        var signIn = Page.Locator("table.data tbody tr", new() { HasText = username }).First;
        // The agency by its name, its code on hover.
        await Assertions.Expect(signIn.Locator("span[title='urban-ops']")).ToHaveTextAsync("市城市运行管理中心");
        await Assertions.Expect(signIn).ToContainTextAsync("允许");
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task Scorecards_Should_DrawAccessibleSvgCharts_When_TheOperatorChoosesAProvider() => Run(async () =>
    {
        await SignInAsync("op.admin");
        await Page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "部门评价" }).ClickAsync();
        await Page.Locator("select[name=agency]").SelectOptionAsync("hrss");
        await Page.GetByRole(AriaRole.Button, new() { Name = "显示", Exact = true }).ClickAsync();

        var chart = Page.Locator("svg.chart[role=img]").First;
        await Assertions.Expect(chart).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(chart).ToHaveAttributeAsync("aria-label", "更新及时率");
        Assert.Equal(4, await Page.Locator("svg.chart").CountAsync());
        // The figures are also there as a table for screen readers.
        Assert.True(await Page.Locator("figure.chart-box table.visually-hidden tbody tr").CountAsync() >= 6);
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "下载报告" })).ToBeVisibleAsync();
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task Jobs_Should_LinkToTheHangfireDashboard_When_TheOperatorOpensThem() => Run(async () =>
    {
        await SignInAsync("op.admin");
        await Page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "后台任务" }).ClickAsync();

        var dashboard = Page.GetByRole(AriaRole.Link, new() { Name = "打开 Hangfire 任务面板" });
        await Assertions.Expect(dashboard).ToHaveAttributeAsync("href", "/hangfire");
        await Assertions.Expect(Page.Locator("table.data")).ToBeVisibleAsync();

        // The dashboard opens with the operator's session cookie.
        var status = await Page.EvaluateAsync<int>("async () => (await fetch('/hangfire')).status");
        Assert.Equal(200, status);
    });
}
