using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>Signing in and out of the web UI in a real browser: the navigation follows the account's roles, a wrong password
/// says so without telling which part was wrong, signing out ends the session.</summary>
[Collection(UiCollection.Name)]
public sealed class SignInTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    [Fact]
    public Task SignIn_Should_ShowTheNavigationOfTheRoles_When_TheAnalystSignsIn() => Run(async () =>
    {
        await SignInAsync("urban-ops.analyst");

        var links = await Page.Locator("nav.sidebar a").AllInnerTextsAsync();
        Assert.Contains("SQL 查询", links);
        Assert.DoesNotContain("访问审计", links);
        Assert.Contains("urban-ops", await Page.Locator(".topbar .who").GetAttributeAsync("title") ?? "");
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task SignIn_Should_SayTheCredentialsAreWrong_When_ThePasswordIsWrong() => Run(async () =>
    {
        await Page.GotoAsync("/ui/");
        await Page.Locator("input[name=username]").FillAsync("housing-fund.analyst");
        await Page.Locator("input[name=password]").FillAsync("not-the-password-1A");
        await Page.Locator("form.signin-form button[type=submit]").ClickAsync();

        await Assertions.Expect(Page.Locator(".signin-form .alert-error")).ToHaveTextAsync("用户名或密码错误。");
        Assert.Equal(0, await Page.Locator("nav.sidebar").CountAsync());
    });

    [Fact]
    public Task SignOut_Should_EndTheSession_When_TheUserSignsOut() => Run(async () =>
    {
        await SignInAsync("op.admin");
        Assert.Contains("访问审计", await Page.Locator("nav.sidebar a").AllInnerTextsAsync());

        await Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await Page.Locator("form.signin-form").WaitForAsync();

        // The cookie no longer opens anything: the API answers 401 to the same browser.
        var status = await Page.EvaluateAsync<int>("async () => (await fetch('/api/session')).status");
        Assert.Equal(401, status);
    });
}
