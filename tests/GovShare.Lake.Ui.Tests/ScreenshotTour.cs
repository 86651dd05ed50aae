using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>Every page of the UI opened by a role that may see it, in Chinese and in English: each shows its heading, no error and
/// nothing from another host, and leaves a screenshot in <c>artifacts/screenshots/</c>. With
/// <c>GOVSHARE_UPDATE_SCREENSHOTS=1</c> the screenshots go to <c>docs/screenshots/</c>, where the README shows them
/// (<c>tests/tools/screenshots</c> does that).</summary>
[Collection(UiCollection.Name)]
public sealed class ScreenshotTour(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    /// <summary>The pages and who opens them for the picture: the role whose view of the page is the fullest.</summary>
    public static TheoryData<string, string> Pages => new()
    {
        { "signin", "" },
        { "catalogue", "urban-ops.analyst" },
        { "sql", "urban-ops.analyst" },
        { "lookup", "urban-ops.analyst" },
        { "requests", "psb.admin" },
        { "mismatches", "op.reviewer" },
        { "freshness", "op.admin" },
        { "scorecards", "op.admin" },
        { "audit", "op.admin" },
        { "accounts", "op.admin" },
        { "jobs", "op.admin" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public Task Page_Should_RenderInBothLanguages_WithoutErrors(string page, string username) => Run(async () =>
    {
        foreach (var (locale, lang) in new[] { ("zh-CN", "zh"), ("en-GB", "en") })
        {
            var window = await NewPageAsync(locale);
            var requests = RequestLog.Attach(window);
            await window.GotoAsync("/ui/");
            await window.EvaluateAsync("lang => localStorage.setItem('govshare.lang', lang)", lang);
            if (username.Length > 0)
            {
                await SignInAsync(username, window);
                await StatePurposeAsync(lang == "zh" ? "页面截图" : "page screenshots", window);
                await window.Locator($"nav.sidebar a[href='#/{page}']").ClickAsync();
                await window.Locator($"nav.sidebar a.active[href='#/{page}']").WaitForAsync();
                await window.Locator("main h1").First.WaitForAsync();
                await window.WaitForLoadStateAsync(LoadState.NetworkIdle);
                await Assertions.Expect(window.Locator("main .loading:visible")).ToHaveCountAsync(0);
                Assert.Equal(0, await window.Locator("main .alert-error:visible").CountAsync());
            }
            else
            {
                await window.ReloadAsync();
                await window.Locator("#signin-title").WaitForAsync();
            }

            requests.AssertOnlyFrom(Host.BaseUrl);
            var folder = Environment.GetEnvironmentVariable("GOVSHARE_UPDATE_SCREENSHOTS") == "1" ? "docs/screenshots" : "artifacts/screenshots";
            await Ui.SaveScreenshotAsync(window, folder, $"{page}.{locale}");
        }
    });
}
