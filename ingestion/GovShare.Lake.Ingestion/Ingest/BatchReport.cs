using System.Globalization;
using System.Text;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>What happened to a delivery.</summary>
public enum BatchStatus
{
    /// <summary>Accepted rows and quarantined rows are committed.</summary>
    Committed,

    /// <summary>The same file was committed before; nothing changed.</summary>
    AlreadyCommitted,

    /// <summary>Too many rows were quarantined; nothing was committed.</summary>
    Refused,

    /// <summary>The file could not be read at all (encoding, header, format); nothing was committed.</summary>
    Failed,
}

/// <summary>How many rows share a quarantine reason or warning, with the first examples.</summary>
/// <param name="Code">The reason or warning code.</param>
/// <param name="Field">The source column most often concerned.</param>
/// <param name="Count">Rows.</param>
/// <param name="Examples">Up to five "row N: message" lines (identifiers masked).</param>
public sealed record ReasonCount(string Code, string? Field, long Count, IReadOnlyList<string> Examples);

/// <summary>The report of one delivery: always <c>Read = Accepted + Quarantined</c>.</summary>
public sealed record BatchReport
{
    /// <summary>Dataset id and the file's content hash.</summary>
    public required string BatchId { get; init; }

    /// <summary>The catalogue entry.</summary>
    public required string DatasetId { get; init; }

    /// <summary>The entry's revision used.</summary>
    public int CatalogueRevision { get; init; }

    /// <summary>The delivered file's name.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 of the file.</summary>
    public required string ContentHash { get; init; }

    /// <summary>How the file was read (format, encoding, delimiter, header).</summary>
    public string? ReadAs { get; init; }

    /// <summary>The outcome.</summary>
    public BatchStatus Status { get; init; }

    /// <summary>Why the delivery was refused or failed, in a sentence.</summary>
    public string? Message { get; init; }

    /// <summary>The issuer's seal key the licence rows' seals were verified with ("amr key 0123456789abcdef"); null when seals
    /// were not verified (not a licence entry, no <c>seal</c> mapped, or no key registered for the agency).</summary>
    public string? SealKey { get; init; }

    /// <summary>Data rows read.</summary>
    public long Read { get; init; }

    /// <summary>Rows accepted (including deletion-marker rows).</summary>
    public long Accepted { get; init; }

    /// <summary>Rows quarantined.</summary>
    public long Quarantined { get; init; }

    /// <summary>Quarantined share of the rows read.</summary>
    public double QuarantineRate => Read == 0 ? 0 : (double)Quarantined / Read;

    /// <summary>The entry's refusal threshold.</summary>
    public double Threshold { get; init; }

    /// <summary>Quarantine reasons, most frequent first.</summary>
    public IReadOnlyList<ReasonCount> QuarantineReasons { get; init; } = [];

    /// <summary>Cross-field warnings, most frequent first (rows accepted).</summary>
    public IReadOnlyList<ReasonCount> Warnings { get; init; } = [];

    /// <summary>Keys new to the provider table.</summary>
    public long Inserted { get; init; }

    /// <summary>Keys whose record was replaced.</summary>
    public long Updated { get; init; }

    /// <summary>Keys ended because a full snapshot omitted them.</summary>
    public long Ended { get; init; }

    /// <summary>Keys deleted by the deletion marker.</summary>
    public long Deleted { get; init; }

    /// <summary>The provider table's version holding the batch.</summary>
    public long? Version { get; init; }

    /// <summary>The quarantine table's version holding the batch's rejected rows.</summary>
    public long? QuarantineVersion { get; init; }

    /// <summary>When ingestion began.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>The newest production time among the committed rows, for an entry with a production-time column
    /// (<c>producedAt</c>); null otherwise or when no row carried a readable one.</summary>
    public DateTimeOffset? ProducedNewest { get; init; }

    /// <summary>Committed rows delivered late (GZ 17): produced after the newest production time of the dataset's earlier
    /// deliveries and more than 3 days (moved off days off) before this delivery. A dataset's first delivery with
    /// production times (a historical load) has none.</summary>
    public long LateRows { get; init; }

    /// <summary>The oldest production time among the late rows, or null.</summary>
    public DateTimeOffset? OldestLate { get; init; }

    /// <summary>Seconds spent per stage (read and check, duplicate keys, commit).</summary>
    public IReadOnlyDictionary<string, double> Stages { get; init; } = new Dictionary<string, double>();

    /// <summary>Total warnings.</summary>
    public long WarningCount => Warnings.Sum(w => w.Count);

    /// <summary>True when the delivery changed nothing because it was refused or failed.</summary>
    public bool IsRejected => Status is BatchStatus.Refused or BatchStatus.Failed;

    /// <summary>The report as people read it (CLI, report files beside archived deliveries).</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"batch      {BatchId}\n");
        text.Append(c, $"dataset    {DatasetId} (catalogue revision {CatalogueRevision})\n");
        text.Append(c, $"file       {File}\n");
        if (ReadAs is not null)
        {
            text.Append(c, $"read as    {ReadAs}\n");
        }

        text.Append(c, $"status     {StatusName(Status)}{(Message is null ? "" : ": " + Message)}\n");
        if (SealKey is not null)
        {
            text.Append(c, $"seals      verified against the registered {SealKey}\n");
        }

        text.Append(c, $"rows       read {Read:N0} = accepted {Accepted:N0} + quarantined {Quarantined:N0} ({QuarantineRate:P2}; refused above {Threshold:P0})\n");
        if (Status is BatchStatus.Committed)
        {
            text.Append(c, $"changes    inserted {Inserted:N0}, updated {Updated:N0}, ended {Ended:N0}, deleted {Deleted:N0}\n");
            text.Append(c, $"committed  provider table version {Version}{(QuarantineVersion is { } q ? $", quarantine version {q}" : "")}\n");
        }
        else if (Status is BatchStatus.AlreadyCommitted)
        {
            text.Append(c, $"committed  earlier, provider table version {Version}: the same file twice is one delivery\n");
        }

        if (ProducedNewest is { } newest)
        {
            text.Append(c, $"produced   newest {ChinaTime.ToChina(newest):yyyy-MM-dd HH:mm} (China time)");
            if (LateRows == 0)
            {
                text.Append("; none delivered late\n");
            }
            else
            {
                text.Append(c, $"; {LateRows:N0} delivered more than 3 days after being produced (the oldest produced {ChinaTime.ToChina(OldestLate ?? newest):yyyy-MM-dd HH:mm})\n");
            }
        }

        AppendReasons(text, "quarantine", QuarantineReasons);
        AppendReasons(text, "warnings", Warnings);
        text.Append(c, $"time       {(FinishedAt - StartedAt).TotalSeconds:F1} s{(Stages.Count == 0 ? "" : " (" + string.Join(", ", Stages.Select(s => $"{s.Key} {s.Value:F1} s")) + ")")}\n");
        return text.ToString();
    }

    /// <summary>The status as reports and the store spell it.</summary>
    public static string StatusName(BatchStatus status) => status switch
    {
        BatchStatus.Committed => "committed",
        BatchStatus.AlreadyCommitted => "already_committed",
        BatchStatus.Refused => "refused",
        _ => "failed",
    };

    private static void AppendReasons(StringBuilder text, string title, IReadOnlyList<ReasonCount> reasons)
    {
        if (reasons.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{title,-10} ");
        var first = true;
        foreach (var reason in reasons.Take(10))
        {
            text.Append(first ? "" : "           ").Append(CultureInfo.InvariantCulture, $"{reason.Code,-28} {reason.Count,10:N0}{(reason.Field is null ? "" : "  (" + reason.Field + ")")}\n");
            foreach (var example in reason.Examples.Take(3))
            {
                text.Append("             e.g. ").Append(example).Append('\n');
            }

            first = false;
        }
    }
}
