using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The base of a browser test class: xUnit makes one instance per test, so every test starts with a new browser
/// context and page (<see cref="Page"/>, no cookies, in <see cref="Locale"/> and <see cref="Viewport"/>) whose requests
/// are recorded (<see cref="Requests"/>). Contexts are closed when the test ends.</summary>
/// <param name="host">The collection's host.</param>
/// <param name="browser">The collection's browser.</param>
public abstract class UiTest(UiHost host, UiBrowser browser) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _consoleErrors = [];
    private IPage? _page;
    private RequestLog? _requests;

    /// <summary>The host under test.</summary>
    protected UiHost Host => host;

    /// <summary>The collection's browser.</summary>
    protected UiBrowser Browser => browser;

    /// <summary>The test's page, in its own context; relative URLs resolve against <see cref="UiHost.BaseUrl"/>.</summary>
    protected IPage Page => _page ?? throw new InvalidOperationException("The page opens when the test starts.");

    /// <summary>The requests <see cref="Page"/> made: <c>Requests.AssertOnlyFrom(Host.BaseUrl)</c>.</summary>
    protected RequestLog Requests => _requests ?? throw new InvalidOperationException("The page opens when the test starts.");

    /// <summary>The language of <see cref="Page"/>; <see cref="UiBrowser.DefaultLocale"/> unless a class overrides it.</summary>
    protected virtual string Locale => UiBrowser.DefaultLocale;

    /// <summary>The window of <see cref="Page"/>; <see cref="UiBrowser.Desktop"/> unless a class overrides it
    /// (<see cref="UiBrowser.Tablet"/>).</summary>
    protected virtual ViewportSize Viewport => UiBrowser.Desktop;

    /// <summary>Opens <see cref="Page"/>.</summary>
    public async Task InitializeAsync()
    {
        // The tests share two cores with the host and the browser: an expectation waits up to 15 s before it fails.
        Assertions.SetDefaultExpectTimeout(15_000);
        _page = await NewPageAsync(Locale, Viewport);
        _requests = RequestLog.Attach(_page);
    }

    /// <summary>Closes every context the test opened.</summary>
    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Another page in a new context of its own (a second user, another language or window), closed with the test.</summary>
    protected async Task<IPage> NewPageAsync(string locale = UiBrowser.DefaultLocale, ViewportSize? viewport = null)
    {
        var context = await browser.NewContextAsync(host.BaseUrl, locale, viewport);
        _contexts.Add(context);
        var page = await context.NewPageAsync();

        // A script error or a console error (the UI reports an untranslated string that way) fails the test. The browser's own
        // line for an HTTP error answer is not one: the tests provoke refusals on purpose.
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add("uncaught: " + error);
            }
        };
        return page;
    }

    /// <summary>Runs the test's steps on <see cref="Page"/> through <see cref="Ui.Run"/>: a failure leaves
    /// <c>artifacts/test-results/screenshots/&lt;test method&gt;.png</c>.</summary>
    protected Task Run(Func<Task> steps, [CallerMemberName] string testName = "") => Ui.Run(Page, testName, async () =>
    {
        await steps();
        lock (_consoleErrors)
        {
            Assert.True(_consoleErrors.Count == 0, "the pages logged errors: " + string.Join(" | ", _consoleErrors));
        }
    });

    /// <summary>Opens the UI on <paramref name="page"/> (default: the test's page) and signs in as a demo staff account; returns
    /// once the navigation shows.</summary>
    protected async Task SignInAsync(string username, IPage? page = null)
    {
        page ??= Page;
        await page.GotoAsync("/ui/");
        await page.Locator("input[name=username]").FillAsync(username);
        await page.Locator("input[name=password]").FillAsync(Host.Passwords[username]);
        await page.Locator("form.signin-form button[type=submit]").ClickAsync();
        await page.Locator("nav.sidebar a").First.WaitForAsync();
    }

    /// <summary>States the purpose in the header bar (data requests need one).</summary>
    protected async Task StatePurposeAsync(string purpose, IPage? page = null)
    {
        page ??= Page;
        await page.Locator("#purpose").FillAsync(purpose);
        await page.Locator("#purpose").DispatchEventAsync("change");
    }
}
