using System.Globalization;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Notifications;

/// <summary>Tells an agency something: the notification is stored (the API shows it) and, when the agency has a webhook,
/// marked for delivery by <see cref="WebhookDelivery"/> (never by the caller: a slow webhook must not hold a job up).</summary>
public sealed class Notifier(IPlatformStore store, TimeProvider clock)
{
    private IReadOnlyDictionary<string, Uri>? _webhooks;

    /// <summary>Stores a notification to <paramref name="agency"/>, made at <paramref name="at"/> (default now).</summary>
    public Notification Notify(string agency, string kind, string subject, string message, DateTimeOffset? at = null)
    {
        var notification = Create(agency, kind, subject, message, at);
        store.SaveNotification(notification);
        return notification;
    }

    /// <summary>A notification to <paramref name="agency"/>, not stored yet (for a caller that stores many at once with
    /// <see cref="IPlatformStore.AddNotifications"/>); the agencies' webhooks are read once per notifier.</summary>
    public Notification Create(string agency, string kind, string subject, string message, DateTimeOffset? at = null)
    {
        var now = at ?? clock.GetUtcNow();
        _webhooks ??= store.ListWebhooks();
        return new Notification(
            $"n-{ChinaTime.ToChina(now).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..10]}",
            now, agency, kind, subject, message, _webhooks.ContainsKey(agency) ? "pending" : "none");
    }
}
