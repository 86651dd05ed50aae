using System.Globalization;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Bench;

/// <summary>A rough profile of what the lake asks DuckDB to do, from DuckDB's own query log: each query's
/// start time, so a query's share is the time until the next one starts (or the operation ends). The lake's
/// C# work between queries (log replay, JSON, fsync) falls into the preceding step or "before the first query".</summary>
internal static class QueryLog
{
    public static void Enable(DuckDBConnection connection) => LakeDuckDb.Execute(connection, "CALL enable_logging('QueryLog')");

    /// <summary>Wall-clock microseconds since the Unix epoch, on the clock DuckDB stamps its log with.</summary>
    public static long Now() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;

    public static List<LoggedQuery> Read(DuckDBConnection connection)
    {
        var result = new List<LoggedQuery>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT epoch_us(\"timestamp\"), message FROM duckdb_logs WHERE type = 'QueryLog' ORDER BY \"timestamp\", context_id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(new LoggedQuery(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1)));
        }

        return result;
    }

    /// <summary>Splits the window <c>[start, end]</c> (microseconds) into labelled steps, in order of first
    /// appearance, adding up queries with the same label.</summary>
    public static List<ProfileStep> Split(IEnumerable<LoggedQuery> log, long start, long end, Func<string, string> label)
    {
        var queries = log.Where(q => q.Start >= start && q.Start <= end).ToList();
        var steps = new List<ProfileStep>();
        void Add(string name, long microseconds)
        {
            var index = steps.FindIndex(s => s.Name == name);
            if (index < 0)
            {
                steps.Add(new ProfileStep(name, microseconds / 1e6, 1));
            }
            else
            {
                steps[index] = steps[index] with { Seconds = steps[index].Seconds + (microseconds / 1e6), Count = steps[index].Count + 1 };
            }
        }

        Add("before the first query", (queries.Count > 0 ? queries[0].Start : end) - start);
        for (var i = 0; i < queries.Count; i++)
        {
            Add(label(queries[i].Sql), (i + 1 < queries.Count ? queries[i + 1].Start : end) - queries[i].Start);
        }

        return steps;
    }

    public static string Describe(IEnumerable<ProfileStep> steps) =>
        string.Join("; ", steps.Where(s => s.Seconds >= 0.0005).Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{s.Name}{(s.Count > 1 ? " (×" + s.Count.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty)} {Seconds(s.Seconds)}")));

    public static string Seconds(double seconds) => seconds >= 100
        ? seconds.ToString("N0", CultureInfo.InvariantCulture) + " s"
        : seconds >= 1 ? seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : (seconds * 1000).ToString("0", CultureInfo.InvariantCulture) + " ms";
}

internal sealed record LoggedQuery(long Start, string Sql);

internal sealed record ProfileStep(string Name, double Seconds, int Count);
