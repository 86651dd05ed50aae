using System.Text.Json;
using GovShare.Lake.Freshness;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    /// <inheritdoc />
    public IReadOnlyDictionary<string, DateTimeOffset> CatalogueRegisteredAt()
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT entry_id, min(valid_from) FROM catalogue_revisions GROUP BY entry_id", []);
        using var reader = command.ExecuteReader();
        var registered = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (reader.Read())
        {
            registered[reader.GetString(0)] = Utc(reader, 1);
        }

        return registered;
    }

    /// <inheritdoc />
    public void RecordJobRun(JobRun run)
    {
        using var connection = Connect();
        Execute(connection, "INSERT OR REPLACE INTO job_runs VALUES ($id, $j, $s, $f, $o, $e, $m)",
            ("id", run.RunId), ("j", run.Job), ("s", run.StartedAt.UtcDateTime), ("f", run.FinishedAt?.UtcDateTime), ("o", run.Outcome), ("e", run.Error), ("m", run.Summary));
    }

    /// <inheritdoc />
    public IReadOnlyList<JobRun> ListJobRuns(string? job = null, int limit = 100)
    {
        using var connection = Connect();
        using var command = Command(connection,
            $"SELECT run_id, job, started_at, finished_at, outcome, error, summary FROM job_runs {(job is null ? "" : "WHERE job = $j")} ORDER BY started_at DESC, run_id LIMIT {Math.Max(0, limit)}",
            job is null ? [] : [("j", job)]);
        using var reader = command.ExecuteReader();
        var runs = new List<JobRun>();
        while (reader.Read())
        {
            runs.Add(new JobRun(reader.GetString(0), reader.GetString(1), Utc(reader, 2), reader.IsDBNull(3) ? null : Utc(reader, 3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return runs;
    }

    /// <inheritdoc />
    public void SaveFreshness(IReadOnlyList<FreshnessRecord> records)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        foreach (var record in records)
        {
            Execute(connection, "INSERT OR REPLACE INTO freshness_states VALUES ($id, $doc, $s, $c, $k)",
                ("id", record.Status.EntryId), ("doc", JsonSerializer.Serialize(record.Status, Json)),
                ("s", JsonNamingPolicy.SnakeCaseLower.ConvertName(record.Status.State.ToString())), ("c", record.ChangedAt.UtcDateTime), ("k", record.CheckedAt.UtcDateTime));
        }

        transaction.Commit();
    }

    /// <inheritdoc />
    public IReadOnlyList<FreshnessRecord> ListFreshness()
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT document, changed_at, checked_at FROM freshness_states ORDER BY entry_id", []);
        using var reader = command.ExecuteReader();
        var records = new List<FreshnessRecord>();
        while (reader.Read())
        {
            var status = JsonSerializer.Deserialize<FreshnessStatus>(reader.GetString(0), Json)
                ?? throw new LakeException(LakeErrorKind.Corrupt, "a stored freshness state holds no document.");
            records.Add(new FreshnessRecord(status, Utc(reader, 1), Utc(reader, 2)));
        }

        return records;
    }

    /// <inheritdoc />
    public void SaveNotification(Notification notification)
    {
        using var connection = Connect();
        Execute(connection, "INSERT OR REPLACE INTO notifications VALUES ($id, $t, $a, $doc)",
            ("id", notification.NotificationId), ("t", notification.CreatedAt.UtcDateTime), ("a", notification.Agency), ("doc", JsonSerializer.Serialize(notification, Json)));
    }

    /// <inheritdoc />
    public Notification? FindNotification(string id) =>
        Documents<Notification>("SELECT document FROM notifications WHERE notification_id = $id", ("id", id)).FirstOrDefault();

    /// <inheritdoc />
    public IReadOnlyList<Notification> ListNotifications(string? agency = null, int limit = 100) => agency is null
        ? Documents<Notification>($"SELECT document FROM notifications ORDER BY created_at DESC, notification_id LIMIT {Math.Max(0, limit)}")
        : Documents<Notification>($"SELECT document FROM notifications WHERE agency = $a ORDER BY created_at DESC, notification_id LIMIT {Math.Max(0, limit)}", ("a", agency));

    /// <inheritdoc />
    public void SetWebhook(string agency, Uri? url, DateTimeOffset now)
    {
        using var connection = Connect();
        if (url is null)
        {
            Execute(connection, "DELETE FROM agency_webhooks WHERE agency = $a", ("a", agency));
            return;
        }

        Execute(connection, "INSERT OR REPLACE INTO agency_webhooks VALUES ($a, $u, $t)", ("a", agency), ("u", url.ToString()), ("t", now.UtcDateTime));
    }

    /// <inheritdoc />
    public Uri? FindWebhook(string agency)
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT url FROM agency_webhooks WHERE agency = $a", [("a", agency)]);
        return command.ExecuteScalar() is string url ? new Uri(url) : null;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, IReadOnlyList<DateTimeOffset>> DeliveryTimes(DateTimeOffset since)
    {
        using var connection = Connect();
        using var command = Command(connection,
            "SELECT dataset_id, finished_at FROM batches WHERE status IN ('committed', 'already_committed') " +
            "QUALIFY finished_at >= $s OR row_number() OVER (PARTITION BY dataset_id ORDER BY finished_at DESC) = 1 ORDER BY dataset_id, finished_at",
            [("s", since.UtcDateTime)]);
        using var reader = command.ExecuteReader();
        var times = new Dictionary<string, List<DateTimeOffset>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!times.TryGetValue(id, out var list))
            {
                times[id] = list = [];
            }

            list.Add(Utc(reader, 1));
        }

        return times.ToDictionary(p => p.Key, p => (IReadOnlyList<DateTimeOffset>)p.Value, StringComparer.Ordinal);
    }
}
