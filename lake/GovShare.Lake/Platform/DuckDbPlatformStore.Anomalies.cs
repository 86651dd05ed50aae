using System.Text;
using System.Text.Json;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    private const string AnomalyColumns = "id, entry_id, agency, batch_id, metric, value, median, mad, score, direction, delivered_at, detected_at, reason_zh, reason_en, notified";

    /// <inheritdoc />
    public IReadOnlyList<FeedDelivery> FeedDeliveries(DateTimeOffset now, string? datasetId = null)
    {
        var window = (long)FeedDelivery.MinimumWindow.TotalSeconds;
        using var connection = Connect();
        using var command = Command(connection, $"""
            WITH committed AS (
                -- A batch committed twice (a re-run after a crash) counts once, as its last commit.
                SELECT d.batch_id, d.dataset_id, d.finished_at, d.rows_read, d.accepted, d.quarantined,
                       coalesce(json_extract_string(r.definition, '$.delivery.mode'), 'full') AS mode
                FROM deliveries d
                LEFT JOIN batches b ON b.batch_id = d.batch_id
                LEFT JOIN catalogue_revisions r ON r.entry_id = d.dataset_id AND r.revision = b.catalogue_revision
                WHERE d.status = 'committed'{(datasetId is null ? "" : " AND d.dataset_id = $d")}
                QUALIFY row_number() OVER (PARTITION BY d.batch_id ORDER BY d.finished_at DESC) = 1),
            windows AS (
                SELECT c.*, lead(c.finished_at) OVER (PARTITION BY c.dataset_id ORDER BY c.finished_at, c.batch_id) AS next_at,
                       j.figures_at IS NOT NULL AS figures_judged, j.window_at IS NOT NULL AS window_judged
                FROM committed c LEFT JOIN feed_judgements j ON j.batch_id = c.batch_id),
            ends AS (
                SELECT *, greatest(coalesce(next_at, $now), finished_at + to_seconds({window})) AS window_end FROM windows)
            SELECT e.batch_id, e.dataset_id, e.mode, e.finished_at, e.rows_read, e.accepted, e.quarantined, e.next_at, e.figures_judged, e.window_judged,
                   (SELECT count(*) FROM mismatch_reports m WHERE m.entry_id = e.dataset_id AND m.status NOT IN ('withdrawn', 'dismissed')
                        AND m.reported_at >= e.finished_at AND m.reported_at < e.window_end) AS reports
            FROM ends e
            {(datasetId is null ? "WHERE e.dataset_id IN (SELECT dataset_id FROM ends WHERE NOT figures_judged OR (NOT window_judged AND next_at IS NOT NULL AND window_end <= $now))" : "")}
            ORDER BY e.dataset_id, e.finished_at, e.batch_id
            """, datasetId is null ? [("now", now.UtcDateTime)] : [("now", now.UtcDateTime), ("d", datasetId)]);
        using var reader = command.ExecuteReader();
        var deliveries = new List<FeedDelivery>();
        while (reader.Read())
        {
            deliveries.Add(new FeedDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2) == "incremental" ? DeliveryMode.Incremental : DeliveryMode.Full,
                Utc(reader, 3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6))
            {
                NextAt = reader.IsDBNull(7) ? null : Utc(reader, 7),
                FiguresJudged = reader.GetBoolean(8),
                WindowJudged = reader.GetBoolean(9),
                Reports = reader.GetInt64(10),
            });
        }

        return deliveries;
    }

    /// <inheritdoc />
    public IReadOnlyList<FeedAnomaly> RecordFeedJudgements(IReadOnlyList<FeedJudgement> judgements, IReadOnlyList<FeedAnomaly> anomalies)
    {
        var now = DateTime.UtcNow;
        var recorded = new List<FeedAnomaly>();
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        foreach (var anomaly in anomalies)
        {
            using var insert = Command(connection, $"""
                INSERT INTO feed_anomalies ({AnomalyColumns})
                SELECT $id, $e, $a, $b, $m, $v, $med, $mad, $score, $dir, $del, $det, $zh, $en, false
                WHERE NOT EXISTS (SELECT 1 FROM feed_anomalies WHERE id = $id OR (batch_id = $b AND metric = $m))
                """,
                [("id", anomaly.Id), ("e", anomaly.EntryId), ("a", anomaly.Agency), ("b", anomaly.BatchId), ("m", anomaly.Metric), ("v", anomaly.Value),
                    ("med", anomaly.Median), ("mad", anomaly.Mad), ("score", anomaly.Score), ("dir", anomaly.Direction), ("del", anomaly.DeliveredAt.UtcDateTime),
                    ("det", anomaly.DetectedAt.UtcDateTime), ("zh", anomaly.ReasonZh), ("en", anomaly.ReasonEn)]);
            if (insert.ExecuteNonQuery() > 0)
            {
                recorded.Add(anomaly with { Notified = false });
            }
        }

        foreach (var judged in judgements.Where(j => j.Figures || j.Window))
        {
            Execute(connection, """
                INSERT INTO feed_judgements VALUES ($b, $d, $f, $w)
                ON CONFLICT (batch_id) DO UPDATE SET figures_at = coalesce(feed_judgements.figures_at, excluded.figures_at),
                    window_at = coalesce(feed_judgements.window_at, excluded.window_at)
                """,
                ("b", judged.BatchId), ("d", judged.DatasetId), ("f", judged.Figures ? now : null), ("w", judged.Window ? now : null));
        }

        transaction.Commit();
        return recorded;
    }

    /// <inheritdoc />
    public IReadOnlyList<FeedAnomaly> ListFeedAnomalies(FeedAnomalyFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new StringBuilder("WHERE true");
        var parameters = new List<(string, object?)>();
        void Criterion(string sql, string name, object? value)
        {
            if (value is not null)
            {
                where.Append(" AND ").Append(sql);
                parameters.Add((name, value));
            }
        }

        Criterion("agency = $a", "a", filter.Agency);
        Criterion("entry_id = $e", "e", filter.EntryId);
        Criterion("detected_at >= $s", "s", filter.Since?.UtcDateTime);
        Criterion("notified = $n", "n", filter.Notified);
        using var connection = Connect();
        using var command = Command(connection,
            $"SELECT {AnomalyColumns} FROM feed_anomalies {where} ORDER BY detected_at DESC, delivered_at DESC, id LIMIT {Math.Max(0, filter.Limit)}", [.. parameters]);
        using var reader = command.ExecuteReader();
        var anomalies = new List<FeedAnomaly>();
        while (reader.Read())
        {
            anomalies.Add(new FeedAnomaly(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetString(9), Utc(reader, 10), Utc(reader, 11),
                reader.GetString(12), reader.GetString(13), reader.GetBoolean(14)));
        }

        return anomalies;
    }

    /// <inheritdoc />
    public bool MarkFeedAnomalyNotified(string id, IReadOnlyList<Notification> notifications)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        using var mark = Command(connection, "UPDATE feed_anomalies SET notified = true WHERE id = $id AND NOT notified", [("id", id)]);
        if (mark.ExecuteNonQuery() == 0)
        {
            return false;
        }

        foreach (var notification in notifications)
        {
            Execute(connection, "INSERT INTO notifications VALUES ($id, $t, $a, $doc)",
                ("id", notification.NotificationId), ("t", notification.CreatedAt.UtcDateTime), ("a", notification.Agency), ("doc", JsonSerializer.Serialize(notification, Json)));
        }

        transaction.Commit();
        return true;
    }
}
