using System.Text.Json.Serialization;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Catalogue;

/// <summary>A name in both languages of the platform.</summary>
/// <param name="Zh">Simplified Chinese (the default language of the UI).</param>
/// <param name="En">English.</param>
public sealed record LocalizedName(string Zh, string En);

/// <summary>The agency that provides a dataset.</summary>
/// <param name="Code">Short code, letters, digits and '_' (<c>psb</c>, <c>amr</c>).</param>
/// <param name="Name">The agency's name.</param>
public sealed record AgencyRef(string Code, LocalizedName Name);

/// <summary>The file format of a delivery.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SourceFormat>))]
public enum SourceFormat
{
    /// <summary>Delimited text (comma, semicolon, tab or '|'), with or without a header row.</summary>
    [JsonStringEnumMemberName("csv")] Csv,

    /// <summary>One JSON object per line.</summary>
    [JsonStringEnumMemberName("jsonl")] JsonLines,

    /// <summary>Apache Parquet.</summary>
    [JsonStringEnumMemberName("parquet")] Parquet,

    /// <summary>Excel Office Open XML workbook, first or named sheet.</summary>
    [JsonStringEnumMemberName("xlsx")] Xlsx,
}

/// <summary>How a delivery relates to what the lake already holds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryMode>))]
public enum DeliveryMode
{
    /// <summary>The file is everything the provider holds: keys absent from it are ended.</summary>
    [JsonStringEnumMemberName("full")] Full,

    /// <summary>The file holds changes: rows are upserted, rows with the deletion marker end their key.</summary>
    [JsonStringEnumMemberName("incremental")] Incremental,
}

/// <summary>The sharing class of a catalogue entry (DOMAIN.md, "Sharing classes and access").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SharingClass>))]
public enum SharingClass
{
    /// <summary>Any authenticated agency (ZZ 14, XY 13).</summary>
    [JsonStringEnumMemberName("unconditional")] Unconditional,

    /// <summary>Only with an approved access request (PX 16, XY 14).</summary>
    [JsonStringEnumMemberName("conditional")] Conditional,

    /// <summary>Never, except through a named grant citing a legal basis (ZZ 14, XY 15).</summary>
    [JsonStringEnumMemberName("not_shared")] NotShared,
}

/// <summary>The update deadline that applies to a dataset (GZ 17).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UpdateDeadline>))]
public enum UpdateDeadline
{
    /// <summary>Electronic certificates and documents: real time.</summary>
    [JsonStringEnumMemberName("real_time")] RealTime,

    /// <summary>Business information: within 3 days of being produced.</summary>
    [JsonStringEnumMemberName("within_3_days")] Within3Days,

    /// <summary>By exception: once a quarter, within the first 10 days of its first month.</summary>
    [JsonStringEnumMemberName("quarterly")] Quarterly,

    /// <summary>Anything else: a cron schedule (China time) and a grace period (<see cref="CatalogueEntry.Schedule"/>).</summary>
    [JsonStringEnumMemberName("custom")] Custom,
}

/// <summary>A custom delivery schedule: a delivery is due by each occurrence of the cron expression (China time) after
/// the last one, plus the grace.</summary>
/// <param name="Cron">Five-field cron expression (minute hour day month weekday), e.g. <c>0 2 * * 1</c>.</param>
/// <param name="GraceHours">Hours after an occurrence before the delivery counts as late.</param>
public sealed record UpdateSchedule(string Cron, double GraceHours = 0);

/// <summary>How a delivery file is read.</summary>
public sealed record SourceSpec
{
    /// <summary>The file format.</summary>
    public SourceFormat Format { get; init; } = SourceFormat.Csv;

    /// <summary>Text encoding of CSV and JSON Lines: <c>auto</c> (UTF-8, with or without BOM, or GBK/GB18030,
    /// detected from the content), <c>utf-8</c>, <c>gbk</c> or <c>gb18030</c>.</summary>
    public string Encoding { get; init; } = "auto";

    /// <summary>CSV delimiter: <c>auto</c> (detected among ',', ';', tab and '|') or the character itself.</summary>
    public string Delimiter { get; init; } = "auto";

    /// <summary>CSV quote character (default '"'); quotes inside quoted fields are doubled.</summary>
    public char Quote { get; init; } = '"';

    /// <summary>Whether the first CSV row (or first sheet row) is a header: <c>auto</c> (a header when it names
    /// the mapped source columns), <c>true</c> or <c>false</c>.</summary>
    public string Header { get; init; } = "auto";

    /// <summary>Column names, in order, of a CSV or sheet without a header row.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>The Excel sheet to read (default: the first).</summary>
    public string? Sheet { get; init; }
}

/// <summary>The delivery mode and, for incremental deliveries, the deletion marker.</summary>
public sealed record DeliverySpec
{
    /// <summary>Full snapshot or incremental.</summary>
    public DeliveryMode Mode { get; init; } = DeliveryMode.Full;

    /// <summary>Source column whose value marks a deletion (incremental only).</summary>
    public string? DeletionColumn { get; init; }

    /// <summary>The values of <see cref="DeletionColumn"/> that mean "delete this key" (e.g. <c>D</c>, <c>删除</c>).</summary>
    public IReadOnlyList<string> DeletionValues { get; init; } = [];
}

/// <summary>The sharing class, its legal basis and the conditions a consumer must meet.</summary>
public sealed record SharingSpec
{
    /// <summary>The sharing class.</summary>
    public SharingClass Class { get; init; } = SharingClass.Unconditional;

    /// <summary>The law or regulation that the class rests on (required for conditional and not shared).</summary>
    public string? LegalBasis { get; init; }

    /// <summary>The conditions of a conditional entry, in words.</summary>
    public string? Conditions { get; init; }

    /// <summary>The provider's preset conditions: a request that meets them is approved at once and the provider
    /// notified (XY 14). Null: every request waits for the provider.</summary>
    public AccessPreset? AutoApprove { get; init; }

    /// <summary>Attributes served masked to consumers of a conditional or not-shared entry unless the decision says
    /// otherwise (<c>id_number</c>, <c>phone</c>, <c>address</c>).</summary>
    public IReadOnlyList<string> Mask { get; init; } = [];
}

/// <summary>Conditions under which a request is approved without waiting: every list given must contain the request's
/// value; an empty list does not restrict.</summary>
public sealed record AccessPreset
{
    /// <summary>Requesting agencies' codes.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary>Requesting agencies' kinds (<c>consumer</c>, <c>provider</c>).</summary>
    public IReadOnlyList<string> AgencyKinds { get; init; } = [];

    /// <summary>Purpose categories (<c>social_assistance</c>).</summary>
    public IReadOnlyList<string> PurposeCategories { get; init; } = [];

    /// <summary>True when the request meets every condition given (and at least one is given).</summary>
    public bool IsMetBy(string agency, string agencyKind, string? purposeCategory) =>
        (Agencies.Count + AgencyKinds.Count + PurposeCategories.Count) > 0
        && (Agencies.Count == 0 || Agencies.Contains(agency, StringComparer.Ordinal))
        && (AgencyKinds.Count == 0 || AgencyKinds.Contains(agencyKind, StringComparer.OrdinalIgnoreCase))
        && (PurposeCategories.Count == 0 || (purposeCategory is not null && PurposeCategories.Contains(purposeCategory, StringComparer.Ordinal)));
}

/// <summary>One source column mapped to one attribute of the target base table.</summary>
public sealed record FieldMapping
{
    /// <summary>The column name in the delivered file.</summary>
    public required string Source { get; init; }

    /// <summary>The attribute of the base table it fills.</summary>
    public required string Target { get; init; }

    /// <summary>The Delta type (always the target attribute's type; stated in YAML for readers).</summary>
    public required string Type { get; init; }

    /// <summary>Whether an empty value sends the row to quarantine.</summary>
    public bool Required { get; init; }

    /// <summary>Text transforms applied in order before parsing: <c>trim</c> (always first), <c>upper</c>,
    /// <c>lower</c>, <c>halfwidth</c> (full-width ASCII to half-width), <c>remove_spaces</c>.</summary>
    public IReadOnlyList<string> Transforms { get; init; } = [];

    /// <summary>Provider codes mapped to the attribute's values (<c>男 → male</c>); a value neither mapped nor
    /// allowed by the attribute's enumeration sends the row to quarantine.</summary>
    public IReadOnlyDictionary<string, string> Map { get; init; } = new Dictionary<string, string>();

    /// <summary>Accepted date formats (.NET patterns such as <c>yyyyMMdd</c>); empty: the common forms
    /// (<c>yyyy-MM-dd</c>, <c>yyyy/M/d</c>, <c>yyyyMMdd</c>, <c>yyyy年M月d日</c>, <c>yyyy.M.d</c>).</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary>The identifier kind the value must be, checked with the foundation's validators (the key's
    /// kind for the key; <c>any</c> accepts any valid kind).</summary>
    public string? Identifier { get; init; }
}

/// <summary>A catalogue entry: one shared resource, its provider, where it lands and how it is read.</summary>
public sealed record CatalogueEntry
{
    /// <summary>Dataset id: the provider table <c>src.&lt;id&gt;</c> and the batch ids derive from it.</summary>
    public required string Id { get; init; }

    /// <summary>The resource's name.</summary>
    public required LocalizedName Name { get; init; }

    /// <summary>What the resource holds, in words.</summary>
    public string? Description { get; init; }

    /// <summary>The providing agency.</summary>
    public required AgencyRef Agency { get; init; }

    /// <summary>The base table it feeds, <c>population.persons</c> and so on.</summary>
    public required string Target { get; init; }

    /// <summary>The source column holding the key.</summary>
    public required string KeyColumn { get; init; }

    /// <summary>The key's identifier kind, or null for tables keyed by a provider's own id (places, licences).</summary>
    public IdentifierKind? KeyKind { get; init; }

    /// <summary>How files are read.</summary>
    public SourceSpec Source { get; init; } = new();

    /// <summary>Full or incremental.</summary>
    public DeliverySpec Delivery { get; init; } = new();

    /// <summary>Source column → target attribute mappings; the key column's mapping is among them.</summary>
    public required IReadOnlyList<FieldMapping> Fields { get; init; }

    /// <summary>Sharing class and legal basis.</summary>
    public SharingSpec Sharing { get; init; } = new();

    /// <summary>The update deadline class.</summary>
    public UpdateDeadline UpdateDeadline { get; init; } = UpdateDeadline.Within3Days;

    /// <summary>The schedule of a <see cref="UpdateDeadline.Custom"/> deadline.</summary>
    public UpdateSchedule? Schedule { get; init; }

    /// <summary>The source column holding each record's production time (a marriage's registration time), for a
    /// <see cref="UpdateDeadline.Within3Days"/> entry: each delivery then records the newest production time it carried
    /// and the records it delivered more than 3 days after their production, and the deadline runs from the newest
    /// production time delivered (GZ 17: "within 3 days of being produced"). Null: the deadline runs from the last
    /// delivery. The column may be mapped to a date or timestamp attribute or left unmapped.</summary>
    public string? ProducedAt { get; init; }

    /// <summary>Provision methods (PX 14): <c>online_query</c>, <c>bulk_download</c>, <c>system_integration</c>,
    /// <c>front_end_exchange</c>.</summary>
    public IReadOnlyList<string> Provision { get; init; } = ["online_query"];

    /// <summary>Thematic catalogues the resource belongs to (PX 10).</summary>
    public IReadOnlyList<string> Themes { get; init; } = [];

    /// <summary>Attributes this provider is the authoritative source for (GZ 13, PX 15).</summary>
    public IReadOnlyList<string> Authoritative { get; init; } = [];

    /// <summary>The share of rows that may be quarantined before a delivery is refused (default 5 %).</summary>
    public double QuarantineThreshold { get; init; } = 0.05;

    /// <summary>The share of the current records a full snapshot may end before it is refused (default 50 %):
    /// a truncated export must not end the half it lost.</summary>
    public double MaxEndedShare { get; init; } = 0.5;

    /// <summary>The base table this entry feeds.</summary>
    [JsonIgnore]
    public BaseTable Table => BaseDatabaseCatalog.Find(Target)
        ?? throw new LakeException(LakeErrorKind.InvalidInput, $"catalogue entry {Id}: '{Target}' is not a base table.");

    /// <summary>The mapping of the key column.</summary>
    [JsonIgnore]
    public FieldMapping KeyField => Fields.First(f => string.Equals(f.Source, KeyColumn, StringComparison.Ordinal));
}
