using System.Text.Json;
using GovShare.Lake.Freshness;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    /// <inheritdoc />
    /// <remarks>Taken under the store's own lock, so no operation of this process is half done in it; other processes
    /// wait as for any operation.</remarks>
    public void CopyTo(string path)
    {
        if (File.Exists(path))
        {
            throw new LakeException(LakeErrorKind.Conflict, $"{path} exists already: a store copy is written to a new file.");
        }

        using var connection = Connect();
        Execute(connection, $"ATTACH {GovShare.Lake.Engine.LakeDuckDb.Literal(path)} AS store_copy");
        try
        {
            using var name = Command(connection, "SELECT current_database()", []);
            Execute(connection, $"COPY FROM DATABASE {GovShare.Lake.Engine.LakeDuckDb.Identifier((string)name.ExecuteScalar()!)} TO store_copy");
        }
        finally
        {
            Execute(connection, "DETACH store_copy");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<FreshnessSubject> ListFreshnessSubjects()
    {
        using var connection = Connect();
        using var command = Command(connection, """
            SELECT entry_id, agency, name_zh, name_en, update_deadline, schedule_cron, coalesce(schedule_grace_hours, 0), min(valid_from) OVER (PARTITION BY entry_id),
                   produced_at
            FROM catalogue_revisions
            QUALIFY row_number() OVER (PARTITION BY entry_id ORDER BY revision DESC) = 1
            ORDER BY entry_id
            """, []);
        using var reader = command.ExecuteReader();
        var subjects = new List<FreshnessSubject>();
        while (reader.Read())
        {
            var deadline = reader.GetString(4) switch
            {
                "real_time" => Catalogue.UpdateDeadline.RealTime,
                "quarterly" => Catalogue.UpdateDeadline.Quarterly,
                "custom" => Catalogue.UpdateDeadline.Custom,
                _ => Catalogue.UpdateDeadline.Within3Days,
            };
            subjects.Add(new FreshnessSubject(reader.GetString(0), reader.GetString(1), new Catalogue.LocalizedName(reader.GetString(2), reader.GetString(3)), deadline,
                reader.IsDBNull(5) ? null : new Catalogue.UpdateSchedule(reader.GetString(5), reader.GetDouble(6)), Utc(reader, 7))
            {
                ProducedAt = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return subjects;
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
    public void ReplaceFreshness(IReadOnlyList<FreshnessRecord> records)
    {
        // An appender of plain columns: ten thousand entries are written in milliseconds, where as many INSERT
        // statements (or JSON documents) take seconds.
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "DELETE FROM freshness_states");
        using (var appender = connection.CreateAppender("freshness_states"))
        {
            foreach (var (status, changedAt, checkedAt) in records)
            {
                var row = appender.CreateRow()
                    .AppendValue(status.EntryId)
                    .AppendValue(status.Provider)
                    .AppendValue(status.DeadlineClass)
                    .AppendValue(JsonNamingPolicy.SnakeCaseLower.ConvertName(status.State.ToString()))
                    .AppendValue(status.Deadline == DateTimeOffset.MaxValue ? DateTime.MaxValue : status.Deadline.UtcDateTime);
                row = status.LastDelivery is { } last ? row.AppendValue(last.UtcDateTime) : row.AppendNullValue();
                row = status.LastMet is { } met ? row.AppendValue(met.UtcDateTime) : row.AppendNullValue();
                row.AppendValue(status.Reason).AppendValue(changedAt.UtcDateTime).AppendValue(checkedAt.UtcDateTime).EndRow();
            }
        }

        transaction.Commit();
    }

    /// <inheritdoc />
    public IReadOnlyList<FreshnessRecord> ListFreshness()
    {
        using var connection = Connect();
        using var command = Command(connection,
            "SELECT entry_id, provider, deadline_class, state, deadline, last_delivery, last_met, reason, changed_at, checked_at FROM freshness_states ORDER BY entry_id", []);
        using var reader = command.ExecuteReader();
        var records = new List<FreshnessRecord>();
        while (reader.Read())
        {
            var state = Enum.Parse<FreshnessState>(reader.GetString(3), ignoreCase: true);
            var deadline = reader.GetDateTime(4).Year == 9999 ? DateTimeOffset.MaxValue : Utc(reader, 4);
            records.Add(new FreshnessRecord(
                new FreshnessStatus(reader.GetString(0), reader.GetString(1), reader.GetString(2), state, deadline,
                    reader.IsDBNull(5) ? null : Utc(reader, 5), reader.IsDBNull(6) ? null : Utc(reader, 6), reader.GetString(7)),
                Utc(reader, 8), Utc(reader, 9)));
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
    public IReadOnlyList<Notification> PendingNotifications() =>
        Documents<Notification>("SELECT document FROM notifications WHERE json_extract_string(document, '$.webhookStatus') = 'pending' ORDER BY created_at, notification_id");

    /// <inheritdoc />
    public void AddNotifications(IReadOnlyList<Notification> notifications)
    {
        if (notifications.Count == 0)
        {
            return;
        }

        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        using (var appender = connection.CreateAppender("notifications"))
        {
            foreach (var notification in notifications)
            {
                appender.CreateRow()
                    .AppendValue(notification.NotificationId)
                    .AppendValue(notification.CreatedAt.UtcDateTime)
                    .AppendValue(notification.Agency)
                    .AppendValue(JsonSerializer.Serialize(notification, Json))
                    .EndRow();
            }
        }

        transaction.Commit();
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
    public IReadOnlyDictionary<string, Uri> ListWebhooks()
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT agency, url FROM agency_webhooks", []);
        using var reader = command.ExecuteReader();
        var hooks = new Dictionary<string, Uri>(StringComparer.Ordinal);
        while (reader.Read())
        {
            hooks[reader.GetString(0)] = new Uri(reader.GetString(1));
        }

        return hooks;
    }

    /// <inheritdoc />
    public IReadOnlyList<DeliveryTally> DeliveryTallies(DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = Connect();
        using var command = Command(connection,
            "SELECT dataset_id, count(*) FILTER (status = 'committed'), count(*) FILTER (status = 'unchanged'), count(*) FILTER (status = 'refused'), " +
            "count(*) FILTER (status = 'failed'), sum(rows_read)::BIGINT, coalesce(sum(accepted) FILTER (status = 'committed'), 0)::BIGINT, sum(quarantined)::BIGINT " +
            "FROM deliveries WHERE finished_at >= $f AND finished_at < $t GROUP BY dataset_id ORDER BY dataset_id",
            [("f", from.UtcDateTime), ("t", to.UtcDateTime)]);
        using var reader = command.ExecuteReader();
        var tallies = new List<DeliveryTally>();
        while (reader.Read())
        {
            tallies.Add(new DeliveryTally(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return tallies;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, IReadOnlyList<FreshnessDelivery>> FreshnessDeliveries(DateTimeOffset since)
    {
        using var connection = Connect();
        using var command = Command(connection,
            // Every delivery from the log (the same file again included: it carried nothing new), with what its batch carried.
            "SELECT d.dataset_id, d.finished_at, CASE WHEN d.status = 'committed' THEN b.produced_newest END AS produced_newest, " +
            "CASE WHEN d.status = 'committed' THEN coalesce(b.late_rows, 0) ELSE 0 END, CASE WHEN d.status = 'committed' THEN b.oldest_late END " +
            "FROM deliveries d LEFT JOIN batches b ON b.batch_id = d.batch_id AND b.finished_at = d.finished_at WHERE d.status IN ('committed', 'unchanged') " +
            "QUALIFY d.finished_at >= $s OR row_number() OVER (PARTITION BY d.dataset_id ORDER BY d.finished_at DESC) = 1 " +
            // The newest production time decides a production-time entry's deadline, however long ago it came.
            "OR (produced_newest IS NOT NULL AND row_number() OVER (PARTITION BY d.dataset_id ORDER BY produced_newest DESC NULLS LAST, d.finished_at DESC) = 1) " +
            "ORDER BY d.dataset_id, d.finished_at",
            [("s", since.UtcDateTime)]);
        using var reader = command.ExecuteReader();
        var deliveries = new Dictionary<string, List<FreshnessDelivery>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!deliveries.TryGetValue(id, out var list))
            {
                deliveries[id] = list = [];
            }

            list.Add(new FreshnessDelivery(Utc(reader, 1), reader.IsDBNull(2) ? null : Utc(reader, 2), reader.GetInt64(3), reader.IsDBNull(4) ? null : Utc(reader, 4)));
        }

        return deliveries.ToDictionary(p => p.Key, p => (IReadOnlyList<FreshnessDelivery>)p.Value, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public DateTimeOffset? NewestProduction(string datasetId)
    {
        using var connection = Connect();
        using var command = Command(connection,
            "SELECT max(produced_newest) FROM batches WHERE dataset_id = $d AND status = 'committed'", [("d", datasetId)]);
        return command.ExecuteScalar() is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }
}
