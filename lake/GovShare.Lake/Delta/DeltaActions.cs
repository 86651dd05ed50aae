using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GovShare.Lake.Delta;

/// <summary>The <c>protocol</c> action: the oldest reader and writer versions that understand the table.</summary>
public sealed record ProtocolAction(
    int MinReaderVersion,
    int MinWriterVersion,
    IReadOnlyList<string>? ReaderFeatures = null,
    IReadOnlyList<string>? WriterFeatures = null);

/// <summary>The storage format of the data files (always Parquet in Delta).</summary>
public sealed record FormatSpec(string Provider, IReadOnlyDictionary<string, string>? Options = null);

/// <summary>The <c>metaData</c> action: identity, schema, partitioning and configuration of the table.</summary>
public sealed record MetadataAction(
    string Id,
    string? Name,
    string? Description,
    FormatSpec Format,
    string SchemaString,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string>? Configuration,
    long? CreatedTime);

/// <summary>The <c>add</c> action: a data file that belongs to the table from this version on.</summary>
/// <param name="Path">URI-encoded path, relative to the table folder (or an absolute URI).</param>
/// <param name="PartitionValues">Partition column → value as text; null (or empty) means a null value.</param>
/// <param name="Size">File size in bytes.</param>
/// <param name="ModificationTime">File modification time, milliseconds since the Unix epoch.</param>
/// <param name="DataChange">False when the file only reorganises rows already in the table (optimize).</param>
/// <param name="Stats">JSON statistics: numRecords, minValues, maxValues, nullCount.</param>
/// <param name="Tags">Free-form tags.</param>
/// <param name="DeletionVector">A deletion vector descriptor; GovShare Lake refuses tables that use them.</param>
public sealed record AddAction(
    string Path,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    long ModificationTime,
    bool DataChange,
    string? Stats = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    JsonObject? DeletionVector = null);

/// <summary>The <c>remove</c> action: a data file that no longer belongs to the table.</summary>
public sealed record RemoveAction(
    string Path,
    long? DeletionTimestamp,
    bool DataChange,
    bool? ExtendedFileMetadata = null,
    IReadOnlyDictionary<string, string?>? PartitionValues = null,
    long? Size = null);

/// <summary>The <c>txn</c> action: the latest version of an application's transactions (idempotent writes).</summary>
public sealed record TxnAction(string AppId, long Version, long? LastUpdated = null);

/// <summary>One line of a commit file: exactly one of the properties is set. Actions this reader does not
/// know (cdc, domainMetadata, …) leave every property null and are skipped.</summary>
internal sealed record DeltaAction
{
    [JsonPropertyName("protocol")]
    public ProtocolAction? Protocol { get; init; }

    [JsonPropertyName("metaData")]
    public MetadataAction? Metadata { get; init; }

    [JsonPropertyName("add")]
    public AddAction? Add { get; init; }

    [JsonPropertyName("remove")]
    public RemoveAction? Remove { get; init; }

    [JsonPropertyName("txn")]
    public TxnAction? Txn { get; init; }

    [JsonPropertyName("commitInfo")]
    public JsonObject? CommitInfo { get; init; }
}

/// <summary>Reads and writes commit lines exactly as the Delta protocol spells them.</summary>
internal static class DeltaJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static DeltaAction ParseLine(string line, string source, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize<DeltaAction>(line, Options)
                ?? throw new JsonException("the line is JSON null");
        }
        catch (JsonException ex)
        {
            throw new LakeException(LakeErrorKind.Corrupt, $"{source}, line {lineNumber}: not a Delta action ({ex.Message}).", ex);
        }
    }

    public static string ToLine(DeltaAction action) => JsonSerializer.Serialize(action, Options);
}
