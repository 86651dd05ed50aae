using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GovShare.Lake.QueryApi.Tests.Calendar;

/// <summary>The working-day calendar over HTTP: shipped years, deadlines, the operator's replacement with a test year
/// (holidays and an adjusted working Saturday), and the status warning for a year without data.</summary>
public sealed class CalendarApiTests : IDisposable
{
    private readonly string _lake = Path.Combine(Path.GetTempPath(), "govshare-calendar-api-" + Guid.NewGuid().ToString("N"));
    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _operatorKey;
    private readonly string _consumerKey;

    public CalendarApiTests()
    {
        var store = DuckDbPlatformStore.Open(_lake);
        _operatorKey = ApiKeys.Issue(store, "operator", new LocalizedName("运维", "Operator"), AgencyKind.Operator, TimeProvider.System);
        _consumerKey = ApiKeys.Issue(store, "consumer", new LocalizedName("用户", "Consumer"), AgencyKind.Consumer, TimeProvider.System);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder.UseSetting("Lake:Directory", _lake));
    }

    [Fact]
    public async Task Year_Should_ListTheShippedHolidaysAndAdjustedWorkdays()
    {
        using var client = Client(_consumerKey);

        var year = await client.GetFromJsonAsync<JsonElement>("/api/calendar/2026");

        Assert.Equal("shipped", year.GetProperty("source").GetString());
        Assert.Equal(9, year.GetProperty("holidays").EnumerateArray().Count(h => h.GetProperty("name").GetString() == "春节"));
        Assert.Contains("2026-02-14", year.GetProperty("workdays").EnumerateArray().Select(w => w.GetProperty("date").GetString()));
    }

    [Fact]
    public async Task Deadline_Should_SkipHolidaysAndCountTheAdjustedSunday()
    {
        using var client = Client(_consumerKey);

        var answer = await client.GetFromJsonAsync<JsonElement>("/api/calendar/deadline?from=2026-09-18T15:30:00%2B08:00&days=10");

        Assert.Equal(new DateTimeOffset(2026, 10, 10, 0, 0, 0, TimeSpan.FromHours(8)), answer.GetProperty("deadline").GetDateTimeOffset());
        Assert.Empty(answer.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task OperatorsYear_Should_ChangeDeadlines_And_OnlyTheOperatorMayReplaceIt()
    {
        using var consumer = Client(_consumerKey);
        using var operatorClient = Client(_operatorKey);
        const string testYear = "# a test year\nholiday,2030-05-01,劳动节\nholiday,2030-05-02,劳动节\nholiday,2030-05-03,劳动节\nworkday,2030-05-04,劳动节调休\n";

        using var refused = await consumer.PutAsync(new Uri("/api/calendar/2030", UriKind.Relative), new StringContent(testYear, Encoding.UTF8, "text/csv"));
        using var invalid = await operatorClient.PutAsync(new Uri("/api/calendar/2030", UriKind.Relative), new StringContent("workday,2030-05-06,Monday", Encoding.UTF8, "text/csv"));
        using var saved = await operatorClient.PutAsync(new Uri("/api/calendar/2030", UriKind.Relative), new StringContent(testYear, Encoding.UTF8, "text/csv"));

        // Tuesday 30 April 2030 + 1 working day: 1–3 May off, Saturday 4 May worked.
        var deadline = await consumer.GetFromJsonAsync<JsonElement>("/api/calendar/deadline?from=2030-04-30&days=1");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains(":1: date: 2030-05-06 is a Monday", (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(new DateTimeOffset(2030, 5, 5, 0, 0, 0, TimeSpan.FromHours(8)), deadline.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task Health_Should_WarnTheOperator_When_ADeadlineReachedAYearWithoutData()
    {
        using var client = Client(_consumerKey);

        var deadline = await client.GetFromJsonAsync<JsonElement>("/api/calendar/deadline?from=2033-03-01&days=5");
        var health = await client.GetFromJsonAsync<JsonElement>("/health");

        Assert.Contains("2033", deadline.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(health.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("no data for 2033", StringComparison.Ordinal));
        Assert.Equal("healthy", health.GetProperty("status").GetString());
    }

    private HttpClient Client(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public void Dispose()
    {
        _factory.Dispose();
        try
        {
            Directory.Delete(_lake, recursive: true);
        }
        catch (IOException)
        {
            // A file still written by the host's last background work (the lookup index, the audit writer); the temp
            // folder is cleaned by the OS.
        }
    }
}
