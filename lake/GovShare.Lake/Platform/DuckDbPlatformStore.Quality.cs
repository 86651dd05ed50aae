using System.Globalization;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    private const string OpenStatuses = "('reported', 'in_verification')";

    // One difference is raised once while awaiting review, reported or in verification.
    private const string ActiveStatuses = "('awaiting_review', 'reported', 'in_verification')";

    // By name: the table gained columns after it was created (migration 11).
    private const string MismatchColumns = "report_id, entry_id, provider, reporter, status, identity, escalated, due, reported_at, revision, document, updated_at, " +
        "base_table, subject, attribute, source, finding_class, score, verdict_at";

    /// <inheritdoc />
    public bool SaveMismatchReport(MismatchReport report, MismatchStatus? expected = null)
    {
        using var connection = Connect();
        (string, object?)[] values =
        [
            ("id", report.Id), ("e", report.EntryId), ("p", report.Provider), ("r", report.Reporter), ("s", StatusName(report.Status)),
            ("i", report.Identity), ("esc", report.Escalated), ("due", report.Due?.UtcDateTime), ("at", report.ReportedAt.UtcDateTime),
            ("rev", report.Revision), ("doc", JsonSerializer.Serialize(report, Json)), ("t", DateTime.UtcNow),
            ("bt", report.BaseTable), ("sub", MismatchReport.SubjectOf(report.BaseTable, report.Key)), ("a", report.Attribute), ("src", report.Source),
            ("cls", report.Finding?.Class), ("score", report.Finding?.Score), ("vat", report.LastVerdict?.At.UtcDateTime),
        ];
        if (expected is not { } before)
        {
            // One statement: the duplicate check and the write cannot be split by another writer. A report that is
            // itself closed (an import, a test's seed) never collides.
            using var insert = Command(connection, $"""
                INSERT OR REPLACE INTO mismatch_reports ({MismatchColumns})
                SELECT $id, $e, $p, $r, $s, $i, $esc, $due, $at, $rev, $doc, $t, $bt, $sub, $a, $src, $cls, $score, $vat
                WHERE $s NOT IN {ActiveStatuses}
                   OR NOT EXISTS (SELECT 1 FROM mismatch_reports WHERE identity = $i AND report_id <> $id AND status IN {ActiveStatuses})
                """, values);
            return insert.ExecuteNonQuery() == 1;
        }

        using var command = Command(connection, """
            UPDATE mismatch_reports SET entry_id = $e, provider = $p, status = $s, identity = $i, escalated = $esc, due = $due, revision = $rev,
                document = $doc, updated_at = $t, base_table = $bt, subject = $sub, attribute = $a, source = $src, finding_class = $cls, score = $score,
                verdict_at = $vat
            WHERE report_id = $id AND status = $was AND revision = $rev - 1 AND reporter = $r
            """, [.. values, ("was", StatusName(before))]);
        return command.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public MismatchReport? FindMismatchReport(string id) =>
        Documents<MismatchReport>("SELECT document FROM mismatch_reports WHERE report_id = $id", ("id", id)).FirstOrDefault();

    /// <inheritdoc />
    public IReadOnlyList<MismatchReport> ListMismatchReports() => ListMismatchReports(new MismatchFilter());

    /// <inheritdoc />
    public IReadOnlyList<MismatchReport> ListMismatchReports(MismatchFilter filter)
    {
        var (where, parameters) = Where(filter);
        return Documents<MismatchReport>($"SELECT document FROM mismatch_reports {where} ORDER BY reported_at, report_id", [.. parameters]);
    }

    /// <inheritdoc />
    public MismatchPage ListMismatchReports(MismatchFilter filter, MismatchOrder order, int limit, int offset)
    {
        var (where, parameters) = Where(filter);
        var orderBy = order switch
        {
            MismatchOrder.Reported => "reported_at, report_id",
            MismatchOrder.ReportedDescending => "reported_at DESC, report_id DESC",
            MismatchOrder.Score => "score DESC NULLS LAST, reported_at, report_id",

            // With a provider (soonest due first), then awaiting review (oldest first), then closed (newest first).
            _ => $"CASE WHEN status IN {OpenStatuses} THEN 0 WHEN status = 'awaiting_review' THEN 1 ELSE 2 END, " +
                $"CASE WHEN status IN {OpenStatuses} THEN due END NULLS LAST, " +
                $"CASE WHEN status IN {ActiveStatuses} THEN epoch_us(reported_at) ELSE -epoch_us(reported_at) END, report_id",
        };
        using var connection = Connect();
        using var command = Command(connection,
            $"SELECT document, count(*) OVER () FROM mismatch_reports {where} ORDER BY {orderBy} " +
            $"LIMIT {Math.Max(0, limit).ToString(CultureInfo.InvariantCulture)} OFFSET {Math.Max(0, offset).ToString(CultureInfo.InvariantCulture)}",
            [.. parameters]);
        using var reader = command.ExecuteReader();
        var reports = new List<MismatchReport>();
        long total = -1;
        while (reader.Read())
        {
            reports.Add(JsonSerializer.Deserialize<MismatchReport>(reader.GetString(0), Json)
                ?? throw new LakeException(LakeErrorKind.Corrupt, "a mismatch report row holds no report."));
            total = reader.GetInt64(1);
        }

        // A page past the end has no row to carry the count: counted on its own.
        if (total < 0)
        {
            using var count = Command(connection, $"SELECT count(*) FROM mismatch_reports {where}", [.. parameters]);
            total = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        return new MismatchPage(reports, (int)Math.Min(total, int.MaxValue));
    }

    /// <inheritdoc />
    public IReadOnlyList<MismatchReport> FindMismatchReportsByIdentity(string identity) =>
        Documents<MismatchReport>("SELECT document FROM mismatch_reports WHERE identity = $i ORDER BY reported_at, report_id", ("i", identity));

    /// <inheritdoc />
    public string MismatchStamp()
    {
        // Every save adds a row or raises a revision; a replaced report (an import) moves updated_at.
        using var connection = Connect();
        using var command = Command(connection, "SELECT concat_ws('/', count(*), coalesce(sum(revision), 0)::BIGINT, max(updated_at)) FROM mismatch_reports", []);
        return (string)command.ExecuteScalar()!;
    }

    private static (string Where, List<(string, object?)> Parameters) Where(MismatchFilter filter)
    {
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

        Criterion("status = $s", "s", filter.Status is { } status ? StatusName(status) : null);
        Criterion("provider = $p", "p", filter.Provider);
        Criterion("entry_id = $e", "e", filter.EntryId);
        Criterion("escalated = $esc", "esc", filter.Escalated);
        Criterion("starts_with(base_table, $db)", "db", filter.BaseDatabase is { } database ? database + "." : null);
        Criterion("finding_class = $cls", "cls", filter.Class);
        Criterion("score >= $score", "score", filter.MinScore);
        Criterion("verdict_at >= $vsince", "vsince", filter.VerdictSince?.UtcDateTime);
        Criterion("base_table = $bt", "bt", filter.Key is null ? filter.BaseTable : null);

        // The key is not a column: its record's hash is (and is indexed).
        Criterion("subject = $sub", "sub", filter is { BaseTable: { } table, Key: { } key } ? MismatchReport.SubjectOf(table, key) : null);

        if (filter.Statuses is { Count: > 0 } statuses)
        {
            where.Append(" AND status IN (").AppendJoin(", ", statuses.Select(s => "'" + StatusName(s) + "'")).Append(')');
        }

        if (filter.SourceKind is { } kind)
        {
            Criterion(kind == MismatchWorkflow.ConsumerSource ? "source = $src" : "starts_with(source, $src)", "src",
                kind == MismatchWorkflow.ConsumerSource ? kind : MismatchWorkflow.CheckSourcePrefix);
        }

        if (filter.OpenOnly)
        {
            where.Append(" AND status IN ").Append(OpenStatuses);
        }

        if (filter.WithVerdict)
        {
            where.Append(" AND verdict_at IS NOT NULL");
        }

        if (filter.VisibleTo is { } agency)
        {
            // MismatchWorkflow.MayRead for a listing: the provider once the report reached it, the reporters, and the
            // agencies that took part (the history's actors).
            Criterion("""
                ((provider = $me AND status NOT IN ('awaiting_review', 'dismissed')) OR reporter = $me
                 OR list_contains(CAST(json_extract_string(document, '$.alsoReportedBy[*]') AS VARCHAR[]), $me)
                 OR list_contains(CAST(json_extract_string(document, '$.history[*].actor') AS VARCHAR[]), $me))
                """, "me", agency);
        }

        return (where.ToString(), parameters);
    }

    private static string StatusName(MismatchStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
