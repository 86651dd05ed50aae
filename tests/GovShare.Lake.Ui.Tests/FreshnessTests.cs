using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Jobs;
using GovShare.Lake.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The freshness dashboard in a real browser: an entry past its update deadline, as the scheduled freshness check
/// finds it, is listed first with the overdue badge, and the counts per state include it.</summary>
[Collection(UiCollection.Name)]
public sealed class FreshnessTests(UiHost host, UiBrowser browser) : UiTest(host, browser)
{
    private const string EntryId = "hrss.ui_overdue_returns";

    [Fact]
    public Task Dashboard_Should_ListTheOverdueEntryFirst_WithTheOverdueBadge_When_ItsDeadlineHasPassed() => Run(async () =>
    {
        MakeOverdueEntry();

        await SignInAsync("hrss.admin");
        await Page.Locator("nav.sidebar").GetByRole(AriaRole.Link, new() { Name = "更新时效" }).ClickAsync();

        var first = Page.Locator("table.data tbody tr").First;
        await Assertions.Expect(first).ToContainTextAsync("界面测试·超期报表");
        await Assertions.Expect(first.Locator(".badge")).ToHaveTextAsync("已超期");
        await Assertions.Expect(first).ToHaveClassAsync("overdue");
        var overdueCount = await Page.Locator(".state-count", new() { HasText = "已超期" }).Locator(".count").InnerTextAsync();
        Assert.True(int.Parse(overdueCount, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Requests.AssertOnlyFrom(Host.BaseUrl);
    });

    // A 3-day entry of hrss, catalogued long enough ago and never delivered that it is past its deadline now but still within
    // the grace before delinquent (the registration is found by the freshness rules themselves, whatever today's date and
    // holidays are); then the freshness job runs as the scheduler runs it.
    private void MakeOverdueEntry()
    {
        var store = Host.Services.GetRequiredService<IPlatformStore>();
        var entry = store.FindCatalogueEntry("hrss.insured")!.Entry with
        {
            Id = EntryId, Name = new LocalizedName("界面测试·超期报表", "UI test: overdue returns"), UpdateDeadline = UpdateDeadline.Within3Days, Schedule = null,
        };
        var calendar = WorkingCalendar.Load(Host.Layout.Root);
        var options = Host.Services.GetRequiredService<FreshnessOptions>();
        var now = DateTimeOffset.UtcNow;
        var registeredAt = Enumerable.Range(1, 30).Reverse().Select(days => now.AddDays(-days))
            .First(at => FreshnessRules.Evaluate(FreshnessSubject.Of(entry, at), (IReadOnlyList<DateTimeOffset>)[], calendar, options, now).State == FreshnessState.Overdue);
        store.SaveCatalogueEntry(entry, registeredAt);
        Host.Services.GetRequiredService<PlatformJobs>().CheckFreshness();
        Assert.Equal(FreshnessState.Overdue, store.ListFreshness().Single(r => r.Status.EntryId == EntryId).Status.State);
    }
}
