using System.Net.Http.Json;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Notifications;

/// <summary>How webhooks are sent and retried. Bound from <c>Webhooks:</c>.</summary>
public sealed record WebhookOptions
{
    /// <summary>Attempts before a notification's webhook is given up (default 6; 1 to 20).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The wait after the first failure, doubled after each further one (default 30 s: 30 s, 1 min, 2 min, ...).</summary>
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one POST may take (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether webhooks may reach this machine (loopback) or link-local addresses (cloud metadata services).
    /// Off by default: an agency sets its own URL, and must not reach the platform's own services through it. Private
    /// intranet addresses are allowed: agencies' systems sit on the government network.</summary>
    public bool AllowLoopback { get; init; }

    /// <summary>Problems with the values.</summary>
    public IReadOnlyList<string> Validate() =>
        MaxAttempts is < 1 or > 20 || FirstRetry <= TimeSpan.Zero || FirstRetry > TimeSpan.FromDays(1) || Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5)
            ? ["Webhooks: MaxAttempts must be 1 to 20, FirstRetry more than 0 and at most a day, Timeout more than 0 and at most 5 minutes."]
            : [];

    /// <summary>An HTTP client that refuses loopback and link-local addresses after name resolution (unless
    /// <see cref="AllowLoopback"/>) and follows no redirects, so that a check of the URL alone cannot be stepped around.</summary>
    public HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var addresses = await System.Net.Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
                var allowed = addresses.Where(a => AllowLoopback || !(System.Net.IPAddress.IsLoopback(a) || IsLinkLocal(a) || a.Equals(System.Net.IPAddress.Any))).ToList();
                if (allowed.Count == 0)
                {
                    throw new HttpRequestException($"the webhook host {context.DnsEndPoint.Host} resolves only to loopback or link-local addresses, which webhooks may not reach.");
                }

                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed[0], context.DnsEndPoint.Port, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler);
    }

    private static bool IsLinkLocal(System.Net.IPAddress address) =>
        address.IsIPv6LinkLocal || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, ..]);
}

/// <summary>Posts pending notifications as JSON to their agency's webhook, retrying failures with exponential backoff.
/// Progress is kept in the store, so a restart loses no notification and a second run sends nothing twice.</summary>
public sealed class WebhookDelivery(IPlatformStore store, HttpClient http, WebhookOptions options, TimeProvider clock)
{
    /// <summary>Attempts every pending notification whose next attempt is due, oldest first; after a failure the rest of
    /// that agency's are left for the next run (one dead endpoint costs one timeout per run, not one per notification).
    /// Returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        var delivered = 0;
        var failing = new HashSet<string>(StringComparer.Ordinal);
        var webhooks = store.ListWebhooks();
        foreach (var notification in store.PendingNotifications())
        {
            var now = clock.GetUtcNow();
            if (failing.Contains(notification.Agency) || (notification.Attempts > 0 && now < NextAttempt(notification)))
            {
                continue;
            }

            if (!webhooks.TryGetValue(notification.Agency, out var url))
            {
                store.SaveNotification(notification with { WebhookStatus = "none" });
                continue;
            }

            string? error = null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Timeout);
                using var response = await http.PostAsJsonAsync(url, new
                {
                    id = notification.NotificationId,
                    createdAt = notification.CreatedAt,
                    agency = notification.Agency,
                    kind = notification.Kind,
                    subject = notification.Subject,
                    message = notification.Message,
                }, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    error = $"the webhook answered HTTP {(int)response.StatusCode}";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not the socket's words: the agency reads this, and "connection refused" versus a timeout would map
                // the network behind its URL.
                error = ex is TaskCanceledException ? "the webhook did not answer in time" : "the webhook could not be reached";
            }

            var attempts = notification.Attempts + 1;
            var after = clock.GetUtcNow();
            store.SaveNotification(error is null
                ? notification with { WebhookStatus = "delivered", Attempts = attempts, DeliveredAt = after, LastError = null, LastAttemptAt = after }
                : notification with { WebhookStatus = attempts >= options.MaxAttempts ? "failed" : "pending", Attempts = attempts, LastError = error, LastAttemptAt = after });
            if (error is null)
            {
                delivered++;
            }
            else
            {
                failing.Add(notification.Agency);
            }
        }

        return delivered;
    }

    /// <summary>When a failed notification is tried again.</summary>
    public DateTimeOffset NextAttempt(Notification notification) =>
        (notification.LastAttemptAt ?? notification.CreatedAt) + options.FirstRetry * Math.Pow(2, Math.Max(0, notification.Attempts - 1));
}
