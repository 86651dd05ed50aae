using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The catalogue and the SQL console in a real browser: searching and opening an entry, running a statement,
/// paging a result larger than one API page through continuation tokens, exporting (CSV in GBK, Parquet), and a
/// failing statement marked at its line and column.</summary>
[Collection(UiCollection.Name)]
public sealed class CatalogueAndSqlTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    private const string Purpose = "城市运行监测分析";

    [Fact]
    public Task Catalogue_Should_ShowTheEntrysSchema_When_TheAnalystSearchesAndOpensIt() => Run(async () =>
    {
        var missing = WatchTranslations(Page);
        await SignInAsync("urban-ops.analyst");
        await Page.GetByRole(AriaRole.Link, new() { Name = "资源目录" }).ClickAsync();

        await Page.Locator("input[name=q]").FillAsync("marriage");
        await Page.Locator("form.filters button[type=submit]").ClickAsync();
        await Assertions.Expect(Page.Locator(".catalogue-results table.data tbody tr")).ToHaveCountAsync(1);
        await Page.GetByRole(AriaRole.Link, new() { Name = "婚姻登记信息" }).ClickAsync();

        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("婚姻登记信息");
        await Assertions.Expect(Page.Locator("dl.props").First).ToContainTextAsync("《婚姻登记条例》");
        var schema = Page.Locator("table.data").First;
        await Assertions.Expect(schema).ToContainTextAsync("marital_status");
        await Assertions.Expect(schema).ToContainTextAsync("婚姻状况");
        await Assertions.Expect(Page.Locator(".page-header .badge")).ToHaveTextAsync("有条件共享");

        // The language switch re-renders the entry in English.
        await Page.GetByRole(AriaRole.Button, new() { Name = "切换为英文界面" }).ClickAsync();
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("Marriage registration");
        await Assertions.Expect(Page.Locator(".page-header .badge")).ToHaveTextAsync("Conditional");
        await Assertions.Expect(Page.Locator("h2", new() { HasText = "Schema" })).ToBeVisibleAsync();
        Assert.Empty(missing);
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task SqlConsole_Should_FitATabletWindow_When_ResultsAreShown() => Run(async () =>
    {
        var tablet = await NewPageAsync(viewport: UiBrowser.Tablet);
        var missing = WatchTranslations(tablet);
        await SignInAsync("urban-ops.analyst", tablet);
        await StatePurposeAsync(Purpose, tablet);
        await tablet.GetByRole(AriaRole.Link, new() { Name = "SQL 查询" }).ClickAsync();
        await tablet.Locator("#sql-editor").FillAsync("SELECT name, household_address FROM population.persons LIMIT 20");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "运行", Exact = true }).ClickAsync();

        await Assertions.Expect(tablet.Locator(".pa-results table.data tbody tr")).ToHaveCountAsync(20, new() { Timeout = 60_000 });
        // Wide results scroll inside their frame; the page itself does not scroll sideways.
        Assert.True(await tablet.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await Assertions.Expect(tablet.Locator("button[data-export=parquet]")).ToBeVisibleAsync();
        Assert.Empty(missing);
    });

    [Fact]
    public Task SqlConsole_Should_ShowRowsPageOnAndExport_When_TheAnalystRunsAStatement() => Run(async () =>
    {
        var missing = WatchTranslations(Page);
        await SignInAsync("urban-ops.analyst");
        await StatePurposeAsync(Purpose);
        await Page.GetByRole(AriaRole.Link, new() { Name = "SQL 查询" }).ClickAsync();

        await RunSqlAsync("SELECT household_division, count(*) AS n FROM population.persons GROUP BY 1 ORDER BY 2 DESC");
        var rows = Page.Locator(".pa-results table.data tbody tr");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        Assert.True(await rows.CountAsync() > 3);
        Assert.Matches("^[0-9,]+$", await rows.First.Locator("td").Nth(1).InnerTextAsync());

        // Names and addresses in Chinese: the GBK export must carry them in GBK, not UTF-8.
        await RunSqlAsync("SELECT name, household_address FROM population.persons ORDER BY id_number LIMIT 50");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        var gbk = await DownloadAsync("csvGbk");
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var strict = Encoding.GetEncoding("GBK", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        var text = strict.GetString(gbk);
        Assert.StartsWith("name,household_address", text, StringComparison.Ordinal);
        Assert.Contains("郑州市", text, StringComparison.Ordinal);
        Assert.DoesNotContain("郑州市", Encoding.UTF8.GetString(gbk), StringComparison.Ordinal);

        var parquet = await DownloadAsync("parquet");
        Assert.True(parquet.Length > 8);
        Assert.Equal("PAR1"u8.ToArray(), parquet[..4]);

        // More rows than one API page (10 000): the pager reads on with the continuation token.
        await RunSqlAsync("SELECT range AS n FROM range(12000) ORDER BY 1");
        var label = Page.Locator(".pa-results .pager-label");
        await Assertions.Expect(label).ToHaveTextAsync("第 1–500 条");
        var next = Page.Locator(".pa-results .pager").GetByRole(AriaRole.Button, new() { Name = "下一页" });
        for (var page = 1; page <= 21; page++)
        {
            await next.ClickAsync();
            var from = (page * 500 + 1).ToString("N0", CultureInfo.InvariantCulture);
            await Assertions.Expect(label).ToContainTextAsync($"第 {from}–", new() { Timeout = 15_000 });
        }

        await Assertions.Expect(label).ToHaveTextAsync("第 10,501–11,000 条，共 12,000 条");
        await Assertions.Expect(rows.First.Locator("td").First).ToHaveTextAsync("10,500");
        Assert.Empty(missing);
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task SqlConsole_Should_MarkTheLineAndColumn_When_TheStatementFails() => Run(async () =>
    {
        var missing = WatchTranslations(Page);
        await SignInAsync("urban-ops.analyst");
        await StatePurposeAsync(Purpose);
        await Page.GetByRole(AriaRole.Link, new() { Name = "SQL 查询" }).ClickAsync();

        await RunSqlAsync("SELECT name,\n  id_numbr\nFROM population.persons");

        await Assertions.Expect(Page.Locator(".pa-problem .alert-error")).ToContainTextAsync("第 2 行，第 3 列");
        await Assertions.Expect(Page.Locator(".pa-problem .alert-error")).ToContainTextAsync("id_numbr");
        await Assertions.Expect(Page.Locator(".pa-gutter .pa-line-error")).ToHaveTextAsync("2");
        await Assertions.Expect(Page.Locator(".pa-caret")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(".pa-caret-text")).ToContainTextAsync("  id_numbr");
        // The cursor is put where the error is: after "SELECT name,\n  ".
        Assert.Equal(15, await Page.Locator("#sql-editor").EvaluateAsync<int>("e => e.selectionStart"));
        Assert.Equal("true", await Page.Locator("#sql-editor").GetAttributeAsync("aria-invalid"));
        Assert.Empty(missing);
    });

    private async Task RunSqlAsync(string sql)
    {
        await Page.Locator("#sql-editor").FillAsync(sql);
        // Ctrl+Enter disables Run at once; it is enabled again when the answer (or the error) is shown.
        await Page.Locator("#sql-editor").PressAsync("Control+Enter");
        await Assertions.Expect(Page.Locator(".pa-toolbar button.primary")).ToBeEnabledAsync(new() { Timeout = 60_000 });
    }

    private async Task<byte[]> DownloadAsync(string format)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.Locator($"button[data-export={format}]").ClickAsync());
        var path = await download.PathAsync();
        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>Collects the i18n module's console errors: a text without a translation shows as ⟦key⟧ and is reported.</summary>
    internal static List<string> WatchTranslations(IPage page)
    {
        var missing = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.StartsWith("i18n", StringComparison.Ordinal))
            {
                missing.Add(message.Text);
            }
        };
        return missing;
    }
}
