using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GovShare.Lake.Jobs.Notifications;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>Webhooks against a local HTTP listener: failures retried with exponential backoff, success recorded, nothing
/// sent twice, and a notification given up after the last attempt.</summary>
public sealed class WebhookDeliveryTests : IDisposable
{
    private readonly JobsLake _lake = new();
    private readonly HttpListener _listener = new();
    private readonly List<JsonElement> _received = [];
    private readonly Uri _url;
    private int _failuresLeft;

    public WebhookDeliveryTests()
    {
        var port = FreePort();
        _url = new Uri($"http://127.0.0.1:{port}/hook/");
        _listener.Prefixes.Add(_url.ToString());
        _listener.Start();
        _ = Task.Run(Serve);
    }

    [Fact]
    public async Task Delivery_Should_RetryWithBackoff_UntilTheWebhookTakesIt_AndNeverSendTwice()
    {
        _lake.Store.SetWebhook("amr", _url, _lake.Clock.Now);
        var notification = new Notifier(_lake.Store, _lake.Clock).Notify("amr", "freshness_overdue", "amr.daily", "late");
        Assert.Equal("pending", notification.WebhookStatus);
        _failuresLeft = 2;
        using var http = new HttpClient();
        var options = new WebhookOptions { FirstRetry = TimeSpan.FromMinutes(1) };
        var delivery = new WebhookDelivery(_lake.Store, http, options, _lake.Clock);

        Assert.Equal(0, await delivery.DeliverDueAsync());
        Assert.Equal(0, await delivery.DeliverDueAsync()); // not yet: the first retry is a minute later
        _lake.Clock.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(0, await delivery.DeliverDueAsync());
        _lake.Clock.Now += TimeSpan.FromSeconds(119);
        Assert.Equal(0, await delivery.DeliverDueAsync()); // the second retry waits two minutes
        _lake.Clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(1, await delivery.DeliverDueAsync());
        Assert.Equal(0, await delivery.DeliverDueAsync());

        var stored = _lake.Store.FindNotification(notification.NotificationId)!;
        Assert.Equal(("delivered", 3), (stored.WebhookStatus, stored.Attempts));
        Assert.Equal(3, _received.Count);
        Assert.Equal("amr.daily", _received[^1].GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Delivery_Should_GiveUp_AfterTheLastAttempt()
    {
        _lake.Store.SetWebhook("amr", _url, _lake.Clock.Now);
        var notification = new Notifier(_lake.Store, _lake.Clock).Notify("amr", "delivery_failed", "x.csv", "refused");
        _failuresLeft = int.MaxValue;
        using var http = new HttpClient();
        var delivery = new WebhookDelivery(_lake.Store, http, new WebhookOptions { MaxAttempts = 3, FirstRetry = TimeSpan.FromSeconds(10) }, _lake.Clock);

        for (var i = 0; i < 5; i++)
        {
            await delivery.DeliverDueAsync();
            _lake.Clock.Now += TimeSpan.FromMinutes(10);
        }

        var stored = _lake.Store.FindNotification(notification.NotificationId)!;
        Assert.Equal(("failed", 3), (stored.WebhookStatus, stored.Attempts));
        Assert.Contains("500", stored.LastError, StringComparison.Ordinal);
        Assert.Equal(3, _received.Count);
    }

    [Fact]
    public async Task PlatformClient_Should_RefuseLoopback_UnlessAllowed_AndTryAFailingAgencyOncePerRun()
    {
        _lake.Store.SetWebhook("amr", _url, _lake.Clock.Now);
        var notifier = new Notifier(_lake.Store, _lake.Clock);
        var first = notifier.Notify("amr", "freshness_overdue", "amr.a", "late");
        var second = notifier.Notify("amr", "freshness_overdue", "amr.b", "late");
        var guarded = new WebhookOptions();
        using var refusing = guarded.CreateClient();

        Assert.Equal(0, await new WebhookDelivery(_lake.Store, refusing, guarded, _lake.Clock).DeliverDueAsync());

        // Made at the same instant, so either may go first: one was tried and refused, the other waits (the agency's
        // endpoint failed in this run).
        Assert.Empty(_received);
        var tried = new[] { first, second }.Select(n => _lake.Store.FindNotification(n.NotificationId)!).OrderByDescending(n => n.Attempts).ToList();
        Assert.Equal((1, "the webhook could not be reached"), (tried[0].Attempts, tried[0].LastError));
        Assert.Equal(0, tried[1].Attempts);
        var allowed = guarded with { AllowLoopback = true };
        using var client = allowed.CreateClient();
        _lake.Clock.Now += TimeSpan.FromHours(1);
        Assert.Equal(2, await new WebhookDelivery(_lake.Store, client, allowed, _lake.Clock).DeliverDueAsync());
    }

    [Fact]
    public void Notification_Should_NeedNoWebhook()
    {
        var notification = new Notifier(_lake.Store, _lake.Clock).Notify("tax", "freshness_overdue", "tax.taxpayers", "late");

        Assert.Equal("none", notification.WebhookStatus);
        Assert.Single(_lake.Store.ListNotifications("tax"));
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                lock (_received)
                {
                    _received.Add(JsonDocument.Parse(reader.ReadToEnd()).RootElement.Clone());
                }
            }

            context.Response.StatusCode = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 200;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Close();
        _lake.Dispose();
    }
}
