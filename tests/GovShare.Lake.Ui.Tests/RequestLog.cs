using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace GovShare.Lake.Ui.Tests;

/// <summary>Every request a page made, recorded from its <see cref="IPage.Request"/> events, to hold the UI to the
/// offline rule: every script, style sheet, font and image comes from the platform's own host, never from a CDN.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<string> _urls = new();

    private RequestLog()
    {
    }

    /// <summary>The URLs requested so far, in order.</summary>
    public IReadOnlyList<string> Urls => [.. _urls];

    /// <summary>Starts recording the requests of <paramref name="page"/> (and of its frames); attach before navigating.</summary>
    public static RequestLog Attach(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var log = new RequestLog();
        page.Request += (_, request) => log._urls.Enqueue(request.Url);
        return log;
    }

    /// <summary>The requests that went to another origin (scheme, host and port) than <paramref name="baseUrl"/>'s.
    /// Inline content (<c>data:</c>, <c>blob:</c>, <c>about:</c>) makes no network request and is never foreign.</summary>
    public IReadOnlyList<string> ForeignTo(string baseUrl)
    {
        var home = new Uri(baseUrl);
        return [.. Urls.Where(url => IsForeign(url, home))];
    }

    /// <summary>Fails the test, listing them, when any request went to another origin than <paramref name="baseUrl"/>'s.</summary>
    public void AssertOnlyFrom(string baseUrl)
    {
        if (ForeignTo(baseUrl) is [_, ..] foreign)
        {
            Assert.Fail($"The page made {foreign.Count} request(s) to a host other than {baseUrl} (every asset must be served by the host itself):" +
                Environment.NewLine + string.Join(Environment.NewLine, foreign.Select(url => "  " + url)));
        }
    }

    private static bool IsForeign(string url, Uri home)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return true;
        }

        if (uri.Scheme is "data" or "blob" or "about")
        {
            return false;
        }

        // A WebSocket to the host itself is the same origin.
        var scheme = uri.Scheme switch { "ws" => Uri.UriSchemeHttp, "wss" => Uri.UriSchemeHttps, var other => other };
        return !(string.Equals(scheme, home.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host, home.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == home.Port);
    }
}
