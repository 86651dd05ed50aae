using System.Text.Json;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The browser-test machinery itself, against the pages the host serves without the UI: the system's Chromium
/// reaches the host, requests are recorded, failures leave screenshots.</summary>
[Collection(UiCollection.Name)]
public sealed class BrowserSmokeTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    [Fact]
    public Task Health_Should_ShowTheVersionJson_When_OpenedInChromium() => Run(async () =>
    {
        var response = await Page.GotoAsync("/health");

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        // Chromium shows a JSON answer as text in a <pre>.
        using var json = JsonDocument.Parse(await Page.Locator("pre").First.InnerTextAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("GovShare Lake", json.RootElement.GetProperty("product").GetString());
        Assert.Equal(BuildInfo.Version, json.RootElement.GetProperty("version").GetString());
    });

    [Fact]
    public Task RequestLog_Should_ListOnlyTheHost_When_HealthIsOpened() => Run(async () =>
    {
        await Page.GotoAsync("/health");

        Assert.Contains(Host.BaseUrl + "/health", Requests.Urls);
        Assert.Empty(Requests.ForeignTo(Host.BaseUrl));
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task RequestLog_Should_FailTheTestNamingTheUrl_When_APageLoadsAnAssetFromAnotherHost() => Run(async () =>
    {
        // The foreign request is answered in the browser: the machines have no network to send it to.
        await Page.RouteAsync("https://cdn.example.com/**", route => route.FulfillAsync(new RouteFulfillOptions { Status = 404 }));
        await Page.GotoAsync("/health");

        await Page.EvaluateAsync("() => fetch('https://cdn.example.com/lib.js').catch(() => null)");

        Assert.Equal(["https://cdn.example.com/lib.js"], Requests.ForeignTo(Host.BaseUrl));
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Requests.AssertOnlyFrom(Host.BaseUrl));
        Assert.Contains("https://cdn.example.com/lib.js", failure.Message, StringComparison.Ordinal);
    });

    [Fact]
    public Task Docs_Should_LoadTheApiReferenceFromTheHostAlone() => Run(async () =>
    {
        await Page.GotoAsync("/docs", new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });

        await Assertions.Expect(Page).ToHaveTitleAsync("GovShare Lake API");
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public async Task Run_Should_SaveAFullPageScreenshotAndNameItInTheError_When_AStepFails()
    {
        const string name = nameof(Run_Should_SaveAFullPageScreenshotAndNameItInTheError_When_AStepFails);
        var expected = Path.Combine(Ui.FailureScreenshots, name + ".png");
        DeleteIfPresent(expected);

        var failure = await Assert.ThrowsAsync<UiStepFailedException>(() => Ui.Run(Page, name, async () =>
        {
            await Page.GotoAsync("/health");
            throw new InvalidOperationException("a deliberately failing step");
        }));

        try
        {
            Assert.IsType<InvalidOperationException>(failure.InnerException);
            Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
            Assert.Contains("a deliberately failing step", failure.Message, StringComparison.Ordinal);
            Assert.Equal(PngSignature, (await File.ReadAllBytesAsync(expected))[..4]);
        }
        finally
        {
            // Not left among the screenshots of tests that really failed.
            DeleteIfPresent(expected);
        }
    }

    [Fact]
    public async Task NewPage_Should_HaveTheTabletWindowAndTheLanguage_When_AskedFor()
    {
        var page = await NewPageAsync("en-US", UiBrowser.Tablet);

        await Ui.Run(page, nameof(NewPage_Should_HaveTheTabletWindowAndTheLanguage_When_AskedFor), async () =>
        {
            await page.GotoAsync("/health");

            Assert.Equal(820, await page.EvaluateAsync<int>("() => window.innerWidth"));
            Assert.Equal(1180, await page.EvaluateAsync<int>("() => window.innerHeight"));
            Assert.Equal("en-US", await page.EvaluateAsync<string>("() => navigator.language"));
            Assert.Equal(1280, await Page.EvaluateAsync<int>("() => window.innerWidth"));
        });
    }

    [Fact]
    public async Task SaveScreenshot_Should_WriteAPngNamedAfterThePage_When_GivenAFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "govshare-ui-shots-" + Guid.NewGuid().ToString("N"));
        try
        {
            await Page.GotoAsync("/health");

            var path = await Ui.SaveScreenshotAsync(Page, folder, "health.zh-CN");

            Assert.Equal(Path.Combine(folder, "health.zh-CN.png"), path);
            Assert.Equal(PngSignature, (await File.ReadAllBytesAsync(path))[..4]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
