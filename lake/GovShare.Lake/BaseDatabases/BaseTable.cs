using GovShare.Lake.Delta;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.BaseDatabases;

/// <summary>One attribute of a base-database table, with its meaning in both languages.</summary>
/// <param name="Name">The lower-case snake_case column name analysts type.</param>
/// <param name="Type">The Delta type.</param>
/// <param name="Chinese">What the column holds, in Chinese (UI and documentation).</param>
/// <param name="English">What the column holds, in English.</param>
/// <param name="Values">The allowed values of an enumeration, or null.</param>
public sealed record BaseAttribute(string Name, string Type, string Chinese, string English, IReadOnlyList<string>? Values = null);

/// <summary>A table of a base database (its consolidated view is <c>database.name</c>): key, attributes,
/// and the schema of each provider's own table, which adds the provenance columns.</summary>
/// <param name="Database">population, legal_entity, geo or licence.</param>
/// <param name="Name">The table name within the database.</param>
/// <param name="Key">The key column.</param>
/// <param name="KeyKind">The identifier kind of the key, when it is one (checked on ingestion).</param>
/// <param name="Attributes">Every column, key first.</param>
/// <param name="Chinese">The table's name in Chinese.</param>
/// <param name="English">The table's description in English.</param>
public sealed record BaseTable(
    string Database, string Name, string Key, IdentifierKind? KeyKind, IReadOnlyList<BaseAttribute> Attributes, string Chinese, string English)
{
    /// <summary>The name analysts use: <c>database.table</c>.</summary>
    public string QualifiedName => $"{Database}.{Name}";

    /// <summary>The columns every provider table carries besides the attributes: who delivered the row,
    /// in which batch, when, and from which row of which file.</summary>
    public static IReadOnlyList<BaseAttribute> ProvenanceColumns { get; } =
    [
        new("providing_agency", "string", "提供部门", "Code of the agency that delivered the row"),
        new("batch_id", "string", "批次号", "Ingestion batch (dataset id and content hash of the delivered file)"),
        new("ingested_at", "timestamp", "入库时间", "When the batch was committed"),
        new("source_row", "long", "源文件行号", "Row number in the delivered file (1 = first data row)"),
        new("record_status", "string", "记录状态", "current; ended (absent from a later full snapshot); deleted (by the provider's deletion marker)", ["current", "ended", "deleted"]),
        new("ended_at", "timestamp", "终止时间", "When the record was ended or deleted"),
        new("ended_batch", "string", "终止批次", "The batch that ended or deleted the record"),
    ];

    /// <summary>The value of <c>record_status</c> for a record the provider still holds.</summary>
    public const string CurrentRecord = "current";

    /// <summary>The attribute with this name, or null.</summary>
    public BaseAttribute? Find(string name) =>
        Attributes.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The schema of the consolidated view (attributes only).</summary>
    public DeltaSchema ViewSchema() =>
        new(Attributes.Select(a => new DeltaField(a.Name, a.Type, Nullable: a.Name != Key, Comment(a))));

    /// <summary>The schema of a provider's table: the attributes it delivers (the key always) plus provenance.</summary>
    public DeltaSchema ProviderSchema(IEnumerable<string>? providedAttributes = null)
    {
        var provided = providedAttributes is null ? null : new HashSet<string>(providedAttributes, StringComparer.OrdinalIgnoreCase);
        var attributes = Attributes.Where(a => a.Name == Key || provided is null || provided.Contains(a.Name));
        return new DeltaSchema(attributes.Concat(ProvenanceColumns)
            .Select(a => new DeltaField(a.Name, a.Type, Nullable: a.Name != Key, Comment(a))));
    }

    private static Dictionary<string, string> Comment(BaseAttribute attribute) => new()
    {
        ["comment"] = $"{attribute.Chinese} / {attribute.English}",
    };
}
