using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Staff;
using GovShare.Lake.QueryApi.Tests.Query;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GovShare.Lake.QueryApi.Tests.Staff;

/// <summary>Staff sign-in through the real HTTP pipeline: the session cookie, CSRF, lockout, temporary passwords, roles narrowing
/// what a session may call, the operator's account management, and sessions ending when they should.</summary>
public sealed class StaffSessionTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    private const string Password = "Lake-test-2026";

    [Fact]
    public async Task SignIn_Should_SetAnHttpOnlyStrictCookie_And_ReturnTheCsrfToken()
    {
        var username = NewAccount("urban-ops", StaffRole.Analyst);
        using var client = city.Host.Anonymous();

        using var response = await client.PostAsJsonAsync("/api/session", new { username, password = Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(SessionAuthenticationHandler.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(username, session.GetProperty("account").GetProperty("username").GetString());
        Assert.Equal("urban-ops", session.GetProperty("account").GetProperty("agency").GetProperty("code").GetString());
        Assert.True(session.GetProperty("csrfToken").GetString()!.Length >= 20);
        Assert.False(session.GetProperty("account").TryGetProperty("passwordHash", out _));
    }

    [Fact]
    public async Task StateChangingRequest_Should_BeRefused_When_TheCsrfTokenIsMissingOrTheOriginForeign()
    {
        var username = NewAccount("urban-ops", StaffRole.Analyst);
        using var client = city.Host.Anonymous();
        var csrf = await SignIn(client, username);
        client.DefaultRequestHeaders.Add("X-Purpose", "test");
        var query = new { sql = "SELECT count(*) FROM population.persons" };

        using (var without = await client.PostAsJsonAsync("/api/query", query))
        {
            Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
            Assert.Contains("X-CSRF-Token", await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/query") { Content = JsonContent.Create(query) })
        {
            wrong.Headers.Add(StaffGate.CsrfHeader, csrf[..^1] + (csrf[^1] == 'A' ? 'B' : 'A'));
            using var refused = await client.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var signOut = await client.DeleteAsync("/api/session"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, signOut.StatusCode);
        }

        using (var foreign = new HttpRequestMessage(HttpMethod.Post, "/api/query") { Content = JsonContent.Create(query) })
        {
            foreign.Headers.Add(StaffGate.CsrfHeader, csrf);
            foreign.Headers.Add("Origin", "https://evil.example");
            using var refused = await client.SendAsync(foreign);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var with = new HttpRequestMessage(HttpMethod.Post, "/api/query") { Content = JsonContent.Create(query) };
        with.Headers.Add(StaffGate.CsrfHeader, csrf);
        using var answered = await client.SendAsync(with);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task Query_Should_BeAuditedUnderTheAccount_When_MadeBySession()
    {
        var username = NewAccount("urban-ops", StaffRole.Analyst);
        using var client = city.Host.Anonymous();
        var csrf = await SignIn(client, username);
        client.DefaultRequestHeaders.Add(StaffGate.CsrfHeader, csrf);
        client.DefaultRequestHeaders.Add("X-Purpose", "audit check");
        client.DefaultRequestHeaders.Add("X-End-User", "someone-else");

        using (var response = await client.PostAsJsonAsync("/api/query", new { sql = "SELECT 1" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var operatorClient = city.Host.As("operator");
        var found = false;
        for (var attempt = 0; attempt < 50 && !found; attempt++)
        {
            var entries = await operatorClient.GetFromJsonAsync<JsonElement>("/api/audit?agency=urban-ops&limit=200");
            found = Items(entries).Any(e => e.GetProperty("endUser").GetString() == username && e.GetProperty("purpose").GetString() == "audit check");
            if (!found)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(found, "the query's audit entry names the account as end user, whatever X-End-User says");
    }

    [Fact]
    public async Task Roles_Should_NarrowWhatASessionMayCall_When_TheAgencyCouldCallMore()
    {
        var analyst = NewAccount("operator", StaffRole.Analyst);
        var reviewer = NewAccount("operator", StaffRole.Reviewer);
        var operatorAccount = NewAccount("operator", StaffRole.Operator);

        // All three belong to the operating unit, whose API key may read the audit trail; only the operator role may.
        foreach (var (username, expected) in new[] { (analyst, HttpStatusCode.Forbidden), (reviewer, HttpStatusCode.Forbidden), (operatorAccount, HttpStatusCode.OK) })
        {
            using var client = city.Host.Anonymous();
            await SignIn(client, username);
            using var response = await client.GetAsync("/api/audit");
            Assert.Equal(expected, response.StatusCode);
            if (expected == HttpStatusCode.Forbidden)
            {
                Assert.Contains("needs the role operator", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        // The agency's own rules still apply where the role allows the endpoint: an analyst of an agency without grants may run
        // queries, but not on the population base database.
        using var consumer = city.Host.Anonymous();
        var token = await SignIn(consumer, NewAccount("housing-fund", StaffRole.Analyst));
        consumer.DefaultRequestHeaders.Add(StaffGate.CsrfHeader, token);
        consumer.DefaultRequestHeaders.Add("X-Purpose", "test");
        using var refused = await consumer.PostAsJsonAsync("/api/query", new { sql = "SELECT count(*) FROM population.persons" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("needs the role", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_Should_LockTheAccount_After5Failures_UntilTheOperatorUnlocksIt()
    {
        var username = NewAccount("housing-fund", StaffRole.Analyst);
        using var client = city.Host.Anonymous();
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await client.PostAsJsonAsync("/api/session", new { username, password = "Wrong-password-1" });
            statuses.Add(failed.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.Locked], statuses);
        using (var right = await client.PostAsJsonAsync("/api/session", new { username, password = Password }))
        {
            Assert.Equal(HttpStatusCode.Locked, right.StatusCode);
            Assert.True((await right.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("lockedUntil", out _));
        }

        using var operatorClient = city.Host.As("operator");
        using (var unlock = await operatorClient.PostAsync($"/api/accounts/{username}/unlock", null))
        {
            Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);
        }

        using var after = await client.PostAsJsonAsync("/api/session", new { username, password = Password });
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task TemporaryPassword_Should_AllowOnlyAPasswordChange_UntilChanged()
    {
        using var operatorClient = city.Host.As("operator");
        var username = "tmp-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await operatorClient.PostAsJsonAsync("/api/accounts",
            new { username, agency = "housing-fund", displayName = "临时账号", roles = new[] { "analyst" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var temporary = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("temporaryPassword").GetString()!;

        using var client = city.Host.Anonymous();
        var csrf = await SignIn(client, username, temporary);
        client.DefaultRequestHeaders.Add(StaffGate.CsrfHeader, csrf);
        using (var catalogue = await client.GetAsync("/api/catalogue"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, catalogue.StatusCode);
            Assert.Contains("temporary password", await catalogue.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var weak = await client.PostAsJsonAsync("/api/session/password", new { currentPassword = temporary, newPassword = "short" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            Assert.Contains("at least 10 characters", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var changed = await client.PostAsJsonAsync("/api/session/password", new { currentPassword = temporary, newPassword = "New-Secret-42x" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        }

        using var after = await client.GetAsync("/api/catalogue");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Session_Should_End_When_SignedOutOrTheAccountIsDisabled()
    {
        var username = NewAccount("urban-ops", StaffRole.Analyst);
        using var first = city.Host.WithoutCookies();
        string cookie, csrf;
        using (var signedIn = await first.PostAsJsonAsync("/api/session", new { username, password = Password }))
        {
            cookie = signedIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
            csrf = (await signedIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!;
        }

        Assert.Equal(HttpStatusCode.OK, await StatusWithCookie(first, cookie));
        using (var signOut = new HttpRequestMessage(HttpMethod.Delete, "/api/session"))
        {
            signOut.Headers.Add(StaffGate.CsrfHeader, csrf);
            signOut.Headers.Add("Cookie", cookie);
            using var response = await first.SendAsync(signOut);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // The same cookie, replayed after signing out, opens nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithCookie(first, cookie));

        using var second = city.Host.Anonymous();
        await SignIn(second, username);
        using var operatorClient = city.Host.As("operator");
        using (var disable = await operatorClient.PatchAsJsonAsync($"/api/accounts/{username}", new { disabled = true }))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        using (var ended = await second.GetAsync("/api/session"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, ended.StatusCode);
        }

        using var again = await second.PostAsJsonAsync("/api/session", new { username, password = Password });
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    [Fact]
    public async Task CreateAccount_Should_RefuseARoleTheAgencyMayNotHold()
    {
        using var operatorClient = city.Host.As("operator");

        using var response = await operatorClient.PostAsJsonAsync("/api/accounts",
            new { username = "x-" + Guid.NewGuid().ToString("N")[..8], agency = "urban-ops", displayName = "X", roles = new[] { "reviewer" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("may hold analyst, not reviewer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEndpoint_Should_BeListedInTheRoleTable_When_ItNeedsAuthentication()
    {
        var endpoints = city.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var named = endpoints
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null
                && e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is not null)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? e.RoutePattern.RawText ?? "?")
            .ToHashSet(StringComparer.Ordinal);

        var unlisted = named.Where(n => !StaffAccess.Endpoints.ContainsKey(n)).ToList();
        Assert.True(unlisted.Count == 0, "endpoints no role may call from the UI: " + string.Join(", ", unlisted));
        var all = endpoints.Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var stale = StaffAccess.Endpoints.Keys.Where(k => !all.Contains(k)).ToList();
        Assert.True(stale.Count == 0, "the role table names endpoints that do not exist: " + string.Join(", ", stale));
    }

    private string NewAccount(string agency, StaffRole role)
    {
        var username = $"{agency}.{StaffRoles.Name(role).Replace('_', '-')}-{Guid.NewGuid().ToString("N")[..8]}";
        new StaffDirectory(city.Host.Store, new StaffOptions(), TimeProvider.System).Create(username, agency, "测试 " + username, [role], Password, out _);
        return username;
    }

    private static async Task<string> SignIn(HttpClient client, string username, string password = Password)
    {
        using var response = await client.PostAsJsonAsync("/api/session", new { username, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrfToken").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusWithCookie(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/session");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static IEnumerable<JsonElement> Items(JsonElement page) =>
        page.ValueKind == JsonValueKind.Array ? page.EnumerateArray() : page.GetProperty("items").EnumerateArray();
}
