using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Jobs.Freshness;
using GovShare.Lake.Jobs.Notifications;
using GovShare.Lake.Platform;
using GovShare.Lake.Scorecards;

namespace GovShare.Lake.Bench;

/// <summary>The freshness check over a large catalogue (issue 7: 10 000 entries in under a second) against DuckDB
/// computing the simplest state (last delivery + 3 days vs now) over the same store tables and writing it.</summary>
internal static class FreshnessBenchmark
{
    public const string Title = "Freshness check (`freshness` job)";

    public static string Notes(int entries, int deliveries) =>
        string.Create(CultureInfo.InvariantCulture, $"Data: {entries:N0} catalogue entries (a quarter each real-time, within 3 days — half of those with production times, `producedAt` —, quarterly and custom cron), ") +
        string.Create(CultureInfo.InvariantCulture, $"{deliveries} deliveries each over the last 10 days, in a fresh platform store. Ours: `FreshnessCheck.Run` as the job runs it — ") +
        "reads the catalogue, registration times, deliveries and previous states, evaluates each entry with the working-day calendar, writes every state and " +
        "the notifications of the changes (median of 3 runs after a first run that records the initial states and notifications). The DuckDB baseline " +
        "computes only `last delivery + 3 days < now` per entry in one SQL statement over the same tables and writes the result as a table: no calendar, " +
        "no classes, no notifications, so the ratio is conservative. Goal (issue 7): under a second for 10 000 entries. " +
        "The scorecards row builds the whole year's scorecards over the same store (deliveries, each entry's deadline history and freshness; no audit " +
        "trail in this store) against DuckDB only counting each dataset's deliveries of the year. " +
        "Rerun: `dotnet run -c Release --project bench/GovShare.Lake.Bench -- freshness --markdown docs/benchmarks.md`.";

    public static IReadOnlyList<BenchResult> Run(string work, int entries, int deliveries, TextWriter progress)
    {
        var store = DuckDbPlatformStore.Open(work);
        var now = new DateTimeOffset(2026, 11, 20, 10, 0, 0, ChinaTime.Offset);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cataloguing {entries:N0} entries and {entries * deliveries:N0} deliveries…"));
        Seed(store.Path, entries, deliveries, now);

        var calendar = WorkingCalendar.Load(work);
        var clock = new FixedClock(now);
        var check = new FreshnessCheck(store, () => calendar, new FreshnessOptions(), new Notifier(store, clock));
        var first = check.Run(now);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first run: {first.Statuses.Count:N0} entries, {first.Notifications.Count:N0} notifications"));

        progress.WriteLine("freshness check…");
        var ours = BenchStats.Median(3, () =>
        {
            var watch = Stopwatch.StartNew();
            check.Run(now);
            return watch.Elapsed.TotalSeconds;
        });

        progress.WriteLine("DuckDB baseline…");
        var duck = BenchStats.Median(3, () => Baseline(store.Path, now));

        // The year's scorecards over the same catalogue and deliveries (no audit trail here: deliveries, deadlines and
        // freshness are what grows with the catalogue), against DuckDB only counting each dataset's deliveries.
        progress.WriteLine("scorecards…");
        var year = ScorecardPeriod.Parse("2026", out _)!;
        var cards = BenchStats.Median(3, () =>
        {
            var watch = Stopwatch.StartNew();
            new ScorecardBuilder(store, work, calendar, new FreshnessOptions()).Build(year, [], now);
            return watch.Elapsed.TotalSeconds;
        });
        var tallies = BenchStats.Median(3, () =>
        {
            var watch = Stopwatch.StartNew();
            store.DeliveryTallies(year.From, year.To);
            return watch.Elapsed.TotalSeconds;
        });
        return
        [
            new BenchResult(string.Create(CultureInfo.InvariantCulture, $"freshness check of {entries:N0} entries"), ours * 1000, "ms", duck * 1000,
                "< 1 000 ms", ours < 1, string.Create(CultureInfo.InvariantCulture, $"load {BenchStats.LoadAverage()}")),
            new BenchResult(string.Create(CultureInfo.InvariantCulture, $"scorecards of a year, {entries:N0} entries"), cards * 1000, "ms", tallies * 1000,
                "—", null, "baseline: DuckDB counting the year's deliveries per dataset"),
        ];
    }

    // The catalogue and deliveries written straight into the store's tables: 10 000 entries through the validating
    // save would measure the set-up, not the check.
    private static void Seed(string storePath, int entries, int deliveries, DateTimeOffset now)
    {
        var sample = CatalogueYaml.LoadFolder(SampleCatalogue()).First(e => e.Id == "amr.entities");
        var templates = new[]
        {
            sample with { Id = "__ID__", UpdateDeadline = UpdateDeadline.RealTime },
            sample with { Id = "__ID__", UpdateDeadline = UpdateDeadline.Within3Days },
            sample with { Id = "__ID__", UpdateDeadline = UpdateDeadline.Quarterly },
            sample with { Id = "__ID__", UpdateDeadline = UpdateDeadline.Custom, Schedule = new UpdateSchedule("0 2 * * 1", 24) },
            sample with { Id = "__ID__", UpdateDeadline = UpdateDeadline.Within3Days, ProducedAt = "成立日期" },
        }.Select(t => JsonSerializer.Serialize(t, DuckDbPlatformStore.Json)).ToArray();
        using var connection = new DuckDBConnection($"DataSource={storePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO catalogue_revisions (entry_id, revision, valid_from, content_hash, changes, source_file, definition,
                agency, name_zh, name_en, update_deadline, schedule_cron, schedule_grace_hours, produced_at)
            SELECT 'amr.e' || i, 1, $registered, md5(i::VARCHAR), 'created', NULL,
                   replace(CASE WHEN i % 8 = 5 THEN $t4 WHEN i % 4 = 0 THEN $t0 WHEN i % 4 = 1 THEN $t1 WHEN i % 4 = 2 THEN $t2 ELSE $t3 END,
                       '"__ID__"', '"amr.e' || i || '"'),
                   'amr', '市场主体登记信息', 'Market entity register',
                   CASE i % 4 WHEN 0 THEN 'real_time' WHEN 1 THEN 'within_3_days' WHEN 2 THEN 'quarterly' ELSE 'custom' END,
                   CASE WHEN i % 4 = 3 THEN '0 2 * * 1' END, CASE WHEN i % 4 = 3 THEN 24 END, CASE WHEN i % 8 = 5 THEN '成立日期' END
            FROM range({entries}) r(i);
            -- Half the 3-day entries carry production times: each delivery's newest up to two days before it, one in ten with late rows.
            INSERT INTO batches (batch_id, dataset_id, catalogue_revision, file_name, status, rows_read, accepted, quarantined, warnings, version,
                started_at, finished_at, report, produced_newest, late_rows, oldest_late)
            SELECT 'b' || i || '-' || j, 'amr.e' || i, 1, 'delivery.csv', 'committed', 1, 1, 0, 0, 1, t, t, '-',
                   CASE WHEN i % 8 = 5 THEN t - to_seconds(hash(i, j, 1) % 172800) END,
                   CASE WHEN i % 8 = 5 AND hash(i, j, 2) % 10 = 0 THEN 1 ELSE 0 END,
                   CASE WHEN i % 8 = 5 AND hash(i, j, 2) % 10 = 0 THEN t - INTERVAL 5 DAY END
            FROM (SELECT i, j, $now::TIMESTAMP - to_seconds(hash(i, j) % 864000) AS t FROM range({entries}) a(i), range({deliveries}) b(j));
            INSERT INTO deliveries SELECT batch_id, dataset_id, status, finished_at, rows_read, accepted, quarantined FROM batches;
            """;
        command.Parameters.Add(new DuckDBParameter("registered", now.AddDays(-30).UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("now", now.UtcDateTime));
        for (var i = 0; i < templates.Length; i++)
        {
            command.Parameters.Add(new DuckDBParameter("t" + i.ToString(CultureInfo.InvariantCulture), templates[i]));
        }

        command.ExecuteNonQuery();
    }

    private static double Baseline(string storePath, DateTimeOffset now)
    {
        var watch = Stopwatch.StartNew();
        using var connection = new DuckDBConnection($"DataSource={storePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE OR REPLACE TABLE freshness_baseline AS
            SELECT c.entry_id, CASE WHEN coalesce(b.last, c.registered) + INTERVAL 3 DAY < $now THEN 'overdue' ELSE 'fresh' END AS state
            FROM (SELECT entry_id, min(valid_from) AS registered FROM catalogue_revisions GROUP BY entry_id) c
            LEFT JOIN (SELECT dataset_id, max(finished_at) AS last FROM deliveries WHERE status IN ('committed', 'unchanged') GROUP BY dataset_id) b
              ON b.dataset_id = c.entry_id
            """;
        command.Parameters.Add(new DuckDBParameter("now", now.UtcDateTime));
        command.ExecuteNonQuery();
        return watch.Elapsed.TotalSeconds;
    }

    private static string SampleCatalogue()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "sample-data", "catalogue");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("sample-data/catalogue not found above " + AppContext.BaseDirectory);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
