using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>One headless Chromium per test collection: the system's own (the Debian package <c>chromium</c>, which
/// <c>tests/run</c> installs), driven by Playwright. Playwright's browser downloads are never used: the machines reach no
/// browser build server, and the driver that ships inside the Playwright package is all it needs. Each test gets a
/// new browser context (<see cref="NewContextAsync"/>): its own cookies, storage, locale and viewport.</summary>
public sealed class UiBrowser : IAsyncLifetime
{
    /// <summary>The environment variable naming another Chromium (or Chrome) executable.</summary>
    public const string ChromiumVariable = "GOVSHARE_CHROMIUM";

    /// <summary>Where the Debian package puts Chromium's launcher.</summary>
    public const string DefaultChromium = "/usr/bin/chromium";

    /// <summary>The locale a context gets unless a test asks for another: the UI's first language.</summary>
    public const string DefaultLocale = "zh-CN";

    /// <summary>The time zone of every context: the platform's users are in China.</summary>
    public const string TimeZone = "Asia/Shanghai";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>A desktop browser window, the default viewport: 1280 × 800.</summary>
    public static ViewportSize Desktop => new() { Width = 1280, Height = 800 };

    /// <summary>A tablet held upright: 820 × 1180.</summary>
    public static ViewportSize Tablet => new() { Width = 820, Height = 1180 };

    /// <summary>The Chromium executable: <see cref="ChromiumVariable"/> when set, else <see cref="DefaultChromium"/>.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : DefaultChromium;

    /// <summary>Whether the process runs as root, where Chromium refuses to start with its sandbox.</summary>
    public static bool RunsAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>The running browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not been launched.");

    /// <summary>Launches the browser. A missing executable fails every test of the collection with the way to get one:
    /// browser tests are never skipped.</summary>
    public async Task InitializeAsync()
    {
        var executable = ExecutablePath;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"No Chromium at {executable}. ./tests/run installs the Debian packages chromium and fonts-noto-cjk; or set {ChromiumVariable} to a Chromium executable.");
        }

        _playwright = await Playwright.CreateAsync();
        try
        {
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                // Playwright adds --no-sandbox when this is false. Root needs it; everyone else keeps the sandbox.
                ChromiumSandbox = !RunsAsRoot,
                // Containers often give /dev/shm only 64 MB, too little for Chromium's renderers.
                Args = ["--disable-dev-shm-usage"],
            });
        }
        catch (PlaywrightException ex)
        {
            throw new InvalidOperationException($"Chromium at {executable} did not start (sandbox: {!RunsAsRoot}): {ex.Message}", ex);
        }
    }

    /// <summary>Closes the browser and stops Playwright's driver.</summary>
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A new, empty browser context: relative URLs resolve against <paramref name="baseUrl"/>
    /// (<c>page.GotoAsync("/ui/")</c>), the language is <paramref name="locale"/> (navigator.language and the
    /// Accept-Language header), the window <paramref name="viewport"/> (<see cref="Desktop"/> unless given).
    /// The caller closes it.</summary>
    public Task<IBrowserContext> NewContextAsync(string baseUrl, string locale = DefaultLocale, ViewportSize? viewport = null) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            Locale = locale,
            TimezoneId = TimeZone,
            ViewportSize = viewport ?? Desktop,
        });
}
