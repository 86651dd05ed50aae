using System.Text.Json;
using System.Text.Json.Nodes;

namespace GovShare.Lake.Delta;

/// <summary>The per-file statistics of an <c>add</c> action: row count, and per column the minimum,
/// maximum and number of nulls. Used to skip files that cannot hold the rows an operation needs.</summary>
public sealed record FileStatistics(
    long? NumRecords,
    IReadOnlyDictionary<string, JsonNode?> MinValues,
    IReadOnlyDictionary<string, JsonNode?> MaxValues,
    IReadOnlyDictionary<string, long> NullCount)
{
    /// <summary>Parses the <c>stats</c> JSON of an add action; null when absent or unreadable (statistics
    /// are optional, so bad statistics make a file unskippable, never unreadable).</summary>
    public static FileStatistics? Parse(string? stats)
    {
        if (string.IsNullOrWhiteSpace(stats))
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(stats) is not JsonObject root)
            {
                return null;
            }

            return new FileStatistics(
                root["numRecords"]?.GetValue<long>(),
                Flat(root["minValues"]),
                Flat(root["maxValues"]),
                Flat(root["nullCount"]).Where(pair => pair.Value is JsonValue).ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<long>()));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The statistics JSON for an add action.</summary>
    public string ToJson()
    {
        var root = new JsonObject { ["numRecords"] = NumRecords };
        root["minValues"] = ToObject(MinValues);
        root["maxValues"] = ToObject(MaxValues);
        var nulls = new JsonObject();
        foreach (var (key, value) in NullCount)
        {
            nulls[key] = value;
        }

        root["nullCount"] = nulls;
        return root.ToJsonString();
    }

    private static JsonObject ToObject(IReadOnlyDictionary<string, JsonNode?> values)
    {
        var result = new JsonObject();
        foreach (var (key, value) in values)
        {
            result[key] = value?.DeepClone();
        }

        return result;
    }

    private static Dictionary<string, JsonNode?> Flat(JsonNode? node) =>
        node is JsonObject obj
            ? obj.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
}
