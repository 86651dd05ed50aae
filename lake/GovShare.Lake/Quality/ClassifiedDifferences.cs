using GovShare.Lake.Delta;

namespace GovShare.Lake.Quality;

/// <summary>The lake's Delta table of differences between two providers' values of the same key and attribute, as the
/// consistency check classified them (<see cref="LakeLayout.DifferencesTable"/>). Its shape lives in the lake core
/// because two components use it: the check writes it, the query API serves it as <c>quality.differences</c>.</summary>
public static class ClassifiedDifferences
{
    /// <summary>The table's schema: base table, key, attribute, each provider's entry and value, the class, its score, the
    /// model that classified it and when the check ran.</summary>
    public static DeltaSchema Schema { get; } = new(
    [
        new DeltaField("base_table", "string", Nullable: false),
        new DeltaField("key", "string", Nullable: false),
        new DeltaField("attribute", "string", Nullable: false),
        new DeltaField("dataset_a", "string", Nullable: false),
        new DeltaField("value_a", "string", Nullable: true),
        new DeltaField("dataset_b", "string", Nullable: false),
        new DeltaField("value_b", "string", Nullable: true),
        new DeltaField("class", "string", Nullable: false),
        new DeltaField("score", "double", Nullable: false),
        new DeltaField("model_version", "string", Nullable: false),
        new DeltaField("checked_at", "timestamp", Nullable: false),
    ]);
}
