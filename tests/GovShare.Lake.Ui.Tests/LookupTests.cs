using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>Lookups in a real browser: a person's consolidated record with the provider of each attribute (the number
/// never reaches the address bar or a URL), the purpose the API requires, and a licence's evidence receipt.</summary>
[Collection(UiCollection.Name)]
public sealed class LookupTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    [Fact]
    public Task PersonLookup_Should_ShowEachAttributesProvider_When_AnIdNumberFromTheLakeIsLookedUp() => Run(async () =>
    {
        var missing = CatalogueAndSqlTests.WatchTranslations(Page);
        // A person both the public security bureau and the civil affairs bureau hold.
        var idNumber = await FirstValueAsync("SELECT id_number FROM population.persons WHERE marital_status IS NOT NULL ORDER BY id_number LIMIT 1");
        await SignInAsync("urban-ops.analyst");
        await Page.GetByRole(AriaRole.Link, new() { Name = "信息查验" }).ClickAsync();

        // Without a purpose the API refuses, and the page says what to do.
        await Page.Locator("#lookup-panel input[name=key]").FillAsync(idNumber);
        await Page.Locator("#lookup-panel button[type=submit]").ClickAsync();
        await Assertions.Expect(Page.Locator(".pa-lookup-output .alert-error")).ToContainTextAsync("请先在页面顶部填写“使用目的”");

        await StatePurposeAsync("最低生活保障资格核查");
        await Page.Locator("#lookup-panel button[type=submit]").ClickAsync();
        var record = Page.Locator(".pa-record").First;
        await Assertions.Expect(record).ToContainTextAsync(idNumber);
        var maritalRow = record.Locator("table.data tbody tr", new() { HasText = "marital_status" });
        await Assertions.Expect(maritalRow).ToContainTextAsync("郑州市民政局");
        await Assertions.Expect(maritalRow).ToContainTextAsync("权威来源");
        var nameRow = record.Locator("table.data tbody tr", new() { HasText = "household_address" });
        await Assertions.Expect(nameRow).ToContainTextAsync("郑州市公安局");
        await Assertions.Expect(record.Locator("dl.props")).ToContainTextAsync("psb.household");

        Assert.DoesNotContain(idNumber, Page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(Requests.Urls, url => url.Contains(idNumber, StringComparison.Ordinal));
        Assert.Empty(missing);
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    [Fact]
    public Task LicenceLookup_Should_OfferTheEvidenceReceipt_When_ALicenceIsLookedUp() => Run(async () =>
    {
        var missing = CatalogueAndSqlTests.WatchTranslations(Page);
        var licenceNo = await FirstValueAsync("SELECT licence_no FROM licence.licences ORDER BY licence_no LIMIT 1");
        await SignInAsync("urban-ops.analyst");
        await StatePurposeAsync("营业执照真实性核验");
        await Page.GetByRole(AriaRole.Link, new() { Name = "信息查验" }).ClickAsync();
        await Page.GetByRole(AriaRole.Tab, new() { Name = "证照" }).ClickAsync();

        await Page.Locator("#lookup-panel input[name=key]").FillAsync(licenceNo);
        await Page.Locator("#lookup-panel button[type=submit]").ClickAsync();
        await Assertions.Expect(Page.Locator(".pa-record").First).ToContainTextAsync(licenceNo);
        var button = Page.GetByRole(AriaRole.Button, new() { Name = "下载查验凭证" });
        await Assertions.Expect(button).ToBeVisibleAsync();

        var download = await Page.RunAndWaitForDownloadAsync(() => button.ClickAsync());
        using var receipt = JsonDocument.Parse(await File.ReadAllBytesAsync(await download.PathAsync()));
        var receiptId = await button.GetAttributeAsync("data-receipt");
        Assert.Contains(receiptId!, receipt.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(missing);
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    /// <summary>The first value a statement answers, asked of the API with the city operations centre's key.</summary>
    private async Task<string> FirstValueAsync(string sql)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Host.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Host.Keys["urban-ops"]);
        http.DefaultRequestHeaders.Add("X-End-User", "ui-tests");
        http.DefaultRequestHeaders.Add("X-Purpose", "ui-tests");
        using var response = await http.PostAsJsonAsync("/api/query", new { sql });
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.GetProperty("rows")[0][0].GetString()!;
    }
}
