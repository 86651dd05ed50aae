using System.Globalization;
using GovShare.Lake.Audit;
using GovShare.Lake.Engine;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Scorecards;

/// <summary>Data requests of one kind, as the audit trail holds them, counted.</summary>
/// <param name="Agency">The requesting agency.</param>
/// <param name="Purpose">The purpose it gave.</param>
/// <param name="Action">The endpoint (<c>RunQuery</c>, <c>LookupPerson</c>, <c>ExportTheme</c>, ...).</param>
/// <param name="Resources">The resources touched, sorted.</param>
/// <param name="Outcome"><c>allowed</c>, <c>denied</c> or <c>failed</c>.</param>
/// <param name="Requests">How many.</param>
/// <param name="Rows">Rows served in all.</param>
public sealed record UsageGroup(string Agency, string Purpose, string Action, IReadOnlyList<string> Resources, string Outcome, long Requests, long Rows);

/// <summary>Reads the audit trail's data requests of a period, grouped: DuckDB reads only the day files of the period
/// (one per China-time day) and counts in SQL, so a year of lookups is not deserialised entry by entry.</summary>
public static class AuditUsage
{
    /// <summary>The data requests the scorecards count, by the endpoint that served them, and their kind.</summary>
    public static IReadOnlyDictionary<string, string> DataActions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["RunQuery"] = "query",
        ["LookupPerson"] = "lookup",
        ["LookupEntity"] = "lookup",
        ["LookupLicence"] = "lookup",
        ["GetPlaces"] = "lookup",
        ["ExportTheme"] = "export",
    };

    /// <summary>The kind of a data request: query, lookup or export.</summary>
    public static string KindOf(string action) => DataActions.GetValueOrDefault(action, "other");

    /// <summary>The data requests (<see cref="DataActions"/>, which name an end user and a purpose) made in
    /// [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static IReadOnlyList<UsageGroup> Read(string lakeRoot, DateTimeOffset from, DateTimeOffset to)
    {
        var folder = Path.Combine(lakeRoot, AuditLog.FolderName);
        var first = DateOnly.FromDateTime(ChinaTime.ToChina(from).DateTime);
        var last = DateOnly.FromDateTime(ChinaTime.ToChina(to - TimeSpan.FromTicks(1)).DateTime);
        var files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "audit-*.jsonl")
                .Where(f => DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(f)["audit-".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                    && day >= first && day <= last)
                .Where(f => new FileInfo(f).Length > 0)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
        if (files.Count == 0)
        {
            return [];
        }

        // Only the fields counted are declared (the struct ignores the rest); a line being written right now is skipped.
        var sql = $$"""
            SELECT event.agency, event.purpose, event.action, list_sort(coalesce(event.resources, [])), coalesce(event.outcome, 'failed'),
                   count(*), coalesce(sum(event."rows"), 0)::BIGINT
            FROM read_json([{{string.Join(", ", files.Select(LakeDuckDb.Literal))}}], format = 'newline_delimited', ignore_errors = true,
                 columns = {'at': 'TIMESTAMPTZ', 'event': 'STRUCT(agency VARCHAR, purpose VARCHAR, action VARCHAR, resources VARCHAR[], "rows" BIGINT, outcome VARCHAR)'})
            WHERE "at" >= $from AND "at" < $to AND event.purpose IS NOT NULL AND event.agency IS NOT NULL AND event.agency <> '-'
              AND event.action IN ({{string.Join(", ", DataActions.Keys.Select(LakeDuckDb.Literal))}})
            GROUP BY ALL
            ORDER BY ALL
            """;
        using var connection = LakeDuckDb.OpenShared();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("to", to.UtcDateTime));
        using var reader = command.ExecuteReader();
        var groups = new List<UsageGroup>();
        while (reader.Read())
        {
            var resources = reader.GetFieldValue<List<string>>(3);
            // A stated purpose is free text: an ID number written into it is masked before it reaches a published report.
            groups.Add(new UsageGroup(reader.GetString(0), CitizenIdNumber.MaskWithin(reader.GetString(1)), reader.GetString(2), resources, reader.GetString(4),
                reader.GetInt64(5), reader.GetInt64(6)));
        }

        return groups;
    }
}
