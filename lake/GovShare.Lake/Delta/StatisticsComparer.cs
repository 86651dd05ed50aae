using System.Globalization;
using System.Text.Json.Nodes;

namespace GovShare.Lake.Delta;

/// <summary>Compares a statistics value (JSON) with a value in DuckDB's text form, by column type, so that
/// files can be skipped by their min/max. Types without a safe comparison skip nothing.</summary>
internal static class StatisticsComparer
{
    public static Func<JsonNode, string, int>? For(DeltaField field) => field.Type switch
    {
        "long" or "integer" or "short" or "byte" => (stat, text) =>
            stat.GetValue<long>().CompareTo(long.Parse(text, CultureInfo.InvariantCulture)),
        "string" => (stat, text) => string.CompareOrdinal(stat.GetValue<string>(), text),
        "date" => (stat, text) =>
            DateOnly.ParseExact(stat.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture)
                .CompareTo(DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture)),
        _ => null,
    };
}
