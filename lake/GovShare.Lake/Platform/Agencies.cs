using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Platform;

/// <summary>What an agency does on the platform (DOMAIN.md: providing and consuming departments, the
/// platform's operating unit).</summary>
public enum AgencyKind
{
    /// <summary>Delivers datasets it collects (it may also consume).</summary>
    Provider,

    /// <summary>Reads shared data for its duties.</summary>
    Consumer,

    /// <summary>Runs the platform: agencies, keys, approvals.</summary>
    Operator,
}

/// <summary>An agency known to the platform.</summary>
/// <param name="Code">Its code, as catalogue entries name it (<c>psb</c>, <c>hrss</c>).</param>
/// <param name="Name">Its names in Chinese and English.</param>
/// <param name="Kind">Provider, consumer or operator.</param>
/// <param name="CreatedAt">When it was registered.</param>
public sealed record Agency(string Code, LocalizedName Name, AgencyKind Kind, DateTimeOffset CreatedAt);

/// <summary>An API key as stored: never the key itself, only its id and a hash.</summary>
/// <param name="KeyId">The public part of the key, used to find the record.</param>
/// <param name="AgencyCode">The agency the key authenticates.</param>
/// <param name="KeyHash">SHA-256 of the whole key, hex.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="RevokedAt">When it was revoked (by rotation), or null while valid.</param>
public sealed record ApiKeyRecord(string KeyId, string AgencyCode, string KeyHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>One lake version: the provider and reference tables whose Delta version changed with it. The lake
/// at version V is, for each table, the latest table version recorded at or before V.</summary>
/// <param name="Version">1, 2, ...</param>
/// <param name="CommittedAt">When the version was recorded.</param>
/// <param name="Tables">Changed tables (path relative to the lake folder, e.g. <c>src/psb.household</c>) and their new Delta version.</param>
public sealed record LakeVersionRecord(long Version, DateTimeOffset CommittedAt, IReadOnlyDictionary<string, long> Tables);
