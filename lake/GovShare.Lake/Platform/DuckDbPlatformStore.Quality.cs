using System.Text;
using System.Text.Json;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    private const string OpenStatuses = "('reported', 'in_verification')";

    /// <inheritdoc />
    public bool SaveMismatchReport(MismatchReport report, MismatchStatus? expected = null)
    {
        using var connection = Connect();
        (string, object?)[] values =
        [
            ("id", report.Id), ("e", report.EntryId), ("p", report.Provider), ("r", report.Reporter), ("s", StatusName(report.Status)),
            ("i", report.Identity), ("esc", report.Escalated), ("due", report.Due?.UtcDateTime), ("at", report.ReportedAt.UtcDateTime),
            ("rev", report.Revision), ("doc", JsonSerializer.Serialize(report, Json)), ("t", DateTime.UtcNow),
        ];
        if (expected is not { } before)
        {
            // One statement: the duplicate check and the write cannot be split by another writer. A report that is
            // itself closed (an import, a test's seed) never collides.
            using var insert = Command(connection, $"""
                INSERT OR REPLACE INTO mismatch_reports
                SELECT $id, $e, $p, $r, $s, $i, $esc, $due, $at, $rev, $doc, $t
                WHERE $s NOT IN {OpenStatuses}
                   OR NOT EXISTS (SELECT 1 FROM mismatch_reports WHERE identity = $i AND report_id <> $id AND status IN {OpenStatuses})
                """, values);
            return insert.ExecuteNonQuery() == 1;
        }

        using var command = Command(connection, """
            UPDATE mismatch_reports SET entry_id = $e, provider = $p, status = $s, identity = $i, escalated = $esc, due = $due, revision = $rev,
                document = $doc, updated_at = $t
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
        if (filter.OpenOnly)
        {
            where.Append(" AND status IN ").Append(OpenStatuses);
        }

        return Documents<MismatchReport>($"SELECT document FROM mismatch_reports {where} ORDER BY reported_at, report_id", [.. parameters]);
    }

    /// <inheritdoc />
    public IReadOnlyList<MismatchReport> FindMismatchReportsByIdentity(string identity) =>
        Documents<MismatchReport>("SELECT document FROM mismatch_reports WHERE identity = $i ORDER BY reported_at, report_id", ("i", identity));

    private static string StatusName(MismatchStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
