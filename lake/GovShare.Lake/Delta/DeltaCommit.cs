using System.Text.Json.Nodes;

namespace GovShare.Lake.Delta;

/// <summary>One entry of a table's history: what a commit did.</summary>
/// <param name="Version">The version the commit created.</param>
/// <param name="Timestamp">When it was committed.</param>
/// <param name="Operation">The operation (WRITE, MERGE, DELETE, OPTIMIZE, …), when recorded.</param>
/// <param name="OperationParameters">The operation's parameters as recorded.</param>
/// <param name="BatchId">The ingestion batch that the commit applied, when there was one.</param>
/// <param name="Metrics">Counts recorded with the commit (rows and files added, removed, updated).</param>
/// <param name="FilesAdded">Data files added.</param>
/// <param name="FilesRemoved">Data files removed.</param>
public sealed record DeltaCommit(
    long Version,
    DateTimeOffset Timestamp,
    string? Operation,
    IReadOnlyDictionary<string, string> OperationParameters,
    string? BatchId,
    IReadOnlyDictionary<string, long> Metrics,
    int FilesAdded,
    int FilesRemoved)
{
    internal static DeltaCommit From(long version, DateTimeOffset fileTime, IEnumerable<DeltaAction> actions)
    {
        JsonObject? info = null;
        int added = 0, removed = 0;
        foreach (var action in actions)
        {
            info ??= action.CommitInfo;
            added += action.Add is null ? 0 : 1;
            removed += action.Remove is null ? 0 : 1;
        }

        return new DeltaCommit(
            version,
            CommitTimestamp(info, fileTime),
            (string?)info?["operation"],
            TextMap(info?["operationParameters"]),
            (string?)info?[CommitInfoKeys.BatchId],
            NumberMap(info?["operationMetrics"]),
            added,
            removed);
    }

    /// <summary>The commit's own timestamp when it recorded one, else the commit file's modification time
    /// (the protocol's definition; a copied table keeps the recorded times).</summary>
    internal static DateTimeOffset CommitTimestamp(JsonObject? info, DateTimeOffset fileTime)
    {
        try
        {
            return info?["timestamp"] is JsonValue value
                ? DateTimeOffset.FromUnixTimeMilliseconds(value.GetValue<long>())
                : fileTime;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            return fileTime;
        }
    }

    private static Dictionary<string, string> TextMap(JsonNode? node) =>
        node is JsonObject obj
            ? obj.ToDictionary(pair => pair.Key, pair => pair.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : pair.Value?.ToJsonString() ?? string.Empty)
            : [];

    private static Dictionary<string, long> NumberMap(JsonNode? node)
    {
        var result = new Dictionary<string, long>();
        if (node is not JsonObject obj)
        {
            return result;
        }

        foreach (var (key, value) in obj)
        {
            // Spark records metrics as strings, GovShare Lake as numbers: accept both.
            if (value is JsonValue v && (v.TryGetValue<long>(out var number) || (v.TryGetValue<string>(out var text) && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out number))))
            {
                result[key] = number;
            }
        }

        return result;
    }
}

/// <summary>Keys GovShare Lake adds to <c>commitInfo</c>.</summary>
internal static class CommitInfoKeys
{
    public const string BatchId = "govshareBatchId";
}
