using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovShare.Lake.Audit;

/// <summary>What happened, before it is numbered and chained.</summary>
/// <param name="Agency">The agency (or <c>-</c> when the caller could not be authenticated).</param>
/// <param name="EndUser">The end user the agency named.</param>
/// <param name="Purpose">The purpose given.</param>
/// <param name="Action">What was done: <c>query</c>, <c>lookup.person</c>, <c>export.theme</c>, <c>delivery</c>, <c>authenticate</c>, ...</param>
/// <param name="Resources">The resources touched (<c>population.persons</c>, <c>themes.credit</c>, <c>src.psb.household</c>).</param>
/// <param name="QueryHash">SHA-256 of a statement, for SQL.</param>
/// <param name="Subjects">Keyed hashes of the persons' and entities' keys looked up (<see cref="AuditLog.SubjectHash"/>), never the keys.</param>
/// <param name="Rows">Rows returned or accepted.</param>
/// <param name="Outcome"><c>allowed</c>, <c>denied</c> or <c>failed</c>.</param>
/// <param name="Status">The HTTP status or exit code.</param>
public sealed record AuditEvent(
    string Agency, string? EndUser, string? Purpose, string Action, IReadOnlyList<string> Resources, string? QueryHash,
    IReadOnlyList<string> Subjects, long? Rows, string Outcome, int Status);

/// <summary>One line of the audit log: the event, its number, time, and the hash chain (each entry carries the hash of
/// the one before, so an edited, deleted or reordered entry breaks every hash after it).</summary>
public sealed record AuditEntry
{
    /// <summary>1, 2, ... without gaps across files.</summary>
    [JsonPropertyOrder(0)] public required long Seq { get; init; }

    /// <summary>When it was appended (UTC).</summary>
    [JsonPropertyOrder(1)] public required DateTimeOffset At { get; init; }

    /// <summary>The event.</summary>
    [JsonPropertyOrder(2)] public required AuditEvent Event { get; init; }

    /// <summary>The previous entry's hash (64 zeros for the first).</summary>
    [JsonPropertyOrder(3)] public required string PrevHash { get; init; }

    /// <summary>SHA-256 over this entry without its own hash.</summary>
    [JsonPropertyOrder(4)] public string Hash { get; init; } = "";

    /// <summary>How entries are written: compact, camelCase, Chinese unescaped, in a fixed property order.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>The hash this entry should carry: SHA-256 of its JSON with an empty hash.</summary>
    public string ComputeHash() =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(this with { Hash = "" }, Json)));
}
