using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GovShare.Lake.QueryApi.Tests.Staff;

/// <summary>Sign-in attempts are limited per client address (each costs a slow hash): past the limit the host answers 429
/// without checking the password.</summary>
public sealed class SignInLimitTests : IDisposable
{
    private readonly string _lake = Path.Combine(Path.GetTempPath(), "govshare-signin-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task SignIn_Should_Answer429_When_TheAddressTriesTooOftenInAMinute()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Lake:Directory", _lake);
            builder.UseSetting("Staff:SignInsPerMinute", "3");
        });
        using var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/api/session", new { username = "nobody", password = "Wrong-password-1" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains("too many sign-in attempts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_lake, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }
}
