using System.Net.Http.Json;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Notifications;

/// <summary>How webhooks are retried.</summary>
public sealed record WebhookOptions
{
    /// <summary>Attempts before a notification's webhook is given up (default 6).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The wait after the first failure, doubled after each further one (default 30 s: 30 s, 1 min, 2 min, ...).</summary>
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one POST may take (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Posts pending notifications as JSON to their agency's webhook, retrying failures with exponential backoff.
/// Progress is kept in the store, so a restart loses no notification and a second run sends nothing twice.</summary>
public sealed class WebhookDelivery(IPlatformStore store, HttpClient http, WebhookOptions options, TimeProvider clock)
{
    /// <summary>Attempts every pending notification whose next attempt is due; returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        var delivered = 0;
        foreach (var notification in store.ListNotifications(null, 10_000).Where(n => n.WebhookStatus == "pending").Reverse())
        {
            var now = clock.GetUtcNow();
            if (notification.Attempts > 0 && now < NextAttempt(notification))
            {
                continue;
            }

            if (store.FindWebhook(notification.Agency) is not { } url)
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
                    error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                error = ex.Message;
            }

            var attempts = notification.Attempts + 1;
            var after = clock.GetUtcNow();
            store.SaveNotification(error is null
                ? notification with { WebhookStatus = "delivered", Attempts = attempts, DeliveredAt = after, LastError = null, LastAttemptAt = after }
                : notification with { WebhookStatus = attempts >= options.MaxAttempts ? "failed" : "pending", Attempts = attempts, LastError = error, LastAttemptAt = after });
            delivered += error is null ? 1 : 0;
        }

        return delivered;
    }

    /// <summary>When a failed notification is tried again.</summary>
    public DateTimeOffset NextAttempt(Notification notification) =>
        (notification.LastAttemptAt ?? notification.CreatedAt) + options.FirstRetry * Math.Pow(2, Math.Max(0, notification.Attempts - 1));
}
