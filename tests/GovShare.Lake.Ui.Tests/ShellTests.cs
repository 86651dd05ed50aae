using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The shell around every page: the language switch (zh-CN by default, English on demand, remembered), dates and
/// numbers in the locale's format, and a tablet-sized window with the keyboard alone.</summary>
[Collection(UiCollection.Name)]
public sealed class ShellTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    [Fact]
    public Task LanguageSwitch_Should_TranslateTheShell_And_BeRemembered() => Run(async () =>
    {
        await Page.GotoAsync("/ui/");
        await Assertions.Expect(Page.Locator("#signin-title")).ToHaveTextAsync("登录");
        Assert.Equal("zh-CN", await Page.Locator("html").GetAttributeAsync("lang"));

        await Page.GetByRole(AriaRole.Button, new() { Name = "切换为英文界面" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#signin-title")).ToHaveTextAsync("Sign in");

        await SignInAsync("op.admin");
        var links = await Page.Locator("nav.sidebar a").AllInnerTextsAsync();
        Assert.Equal(["Catalogue", "SQL console", "Lookup", "Access requests", "Mismatch reports", "Freshness", "Scorecards", "Audit", "Accounts", "Jobs"], links);
        Assert.Equal("en-GB", await Page.Locator("html").GetAttributeAsync("lang"));

        // Remembered across a reload; switching back gives Chinese everywhere again.
        await Page.ReloadAsync();
        await Assertions.Expect(Page.Locator("nav.sidebar a").First).ToHaveTextAsync("Catalogue");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Switch to Chinese" }).ClickAsync();
        await Assertions.Expect(Page.Locator("nav.sidebar a").First).ToHaveTextAsync("资源目录");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" })).ToBeVisibleAsync();
    });

    [Fact]
    public Task Tablet_Should_ReachEveryNavigationLinkByKeyboard() => Run(async () =>
    {
        var tablet = await NewPageAsync(viewport: UiBrowser.Tablet);
        await SignInAsync("urban-ops.analyst", tablet);

        // The navigation is a row above the page at tablet width, every link visible or scrollable into view and focusable.
        var links = tablet.Locator("nav.sidebar a");
        var count = await links.CountAsync();
        Assert.True(count >= 5);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await tablet.Locator("#purpose").FocusAsync();
        for (var press = 0; press < 30 && seen.Count < count; press++)
        {
            await tablet.Keyboard.PressAsync("Tab");
            var focused = await tablet.EvaluateAsync<string?>("() => document.activeElement?.closest('nav.sidebar') ? document.activeElement.getAttribute('href') : null");
            if (focused is not null)
            {
                seen.Add(focused);
            }
        }

        Assert.Equal(count, seen.Count);
        var box = await tablet.Locator("nav.sidebar").BoundingBoxAsync();
        Assert.True(box!.Width <= UiBrowser.Tablet.Width, "the navigation fits the tablet's width");
    });
}
