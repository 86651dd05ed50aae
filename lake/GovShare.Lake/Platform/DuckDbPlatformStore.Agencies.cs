using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    /// <inheritdoc />
    public void SaveAgency(Agency agency)
    {
        using var connection = Connect();
        Execute(connection,
            "INSERT INTO agencies VALUES ($c, $zh, $en, $k, $t) ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind",
            ("c", agency.Code), ("zh", agency.Name.Zh), ("en", agency.Name.En), ("k", KindName(agency.Kind)), ("t", agency.CreatedAt.UtcDateTime));
    }

    /// <inheritdoc />
    public Agency? FindAgency(string code)
    {
        using var connection = Connect();
        return ReadAgencies(connection, "WHERE code = $c", ("c", code)).FirstOrDefault();
    }

    /// <inheritdoc />
    public IReadOnlyList<Agency> ListAgencies()
    {
        using var connection = Connect();
        return ReadAgencies(connection, "ORDER BY code");
    }

    /// <inheritdoc />
    public void ReplaceApiKeys(ApiKeyRecord key, DateTimeOffset now)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "UPDATE api_keys SET revoked_at = $t WHERE agency_code = $a AND revoked_at IS NULL", ("t", now.UtcDateTime), ("a", key.AgencyCode));
        Execute(connection, "INSERT INTO api_keys VALUES ($id, $a, $h, $t, NULL)",
            ("id", key.KeyId), ("a", key.AgencyCode), ("h", key.KeyHash), ("t", key.CreatedAt.UtcDateTime));
        transaction.Commit();
    }

    /// <inheritdoc />
    public ApiKeyRecord? FindApiKey(string keyId)
    {
        using var connection = Connect();
        return ReadKeys(connection, "WHERE key_id = $id", ("id", keyId)).FirstOrDefault();
    }

    /// <inheritdoc />
    public IReadOnlyList<ApiKeyRecord> ListApiKeys(string agencyCode)
    {
        using var connection = Connect();
        return ReadKeys(connection, "WHERE agency_code = $a ORDER BY created_at", ("a", agencyCode));
    }

    /// <inheritdoc />
    public LakeVersionRecord? RecordLakeVersion(IReadOnlyDictionary<string, long> tableVersions, DateTimeOffset now)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        var current = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var command = Command(connection, "SELECT table_name, max(table_version) FROM lake_version_tables GROUP BY table_name", []))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                current[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var changed = tableVersions
            .Where(t => !current.TryGetValue(t.Key, out var known) || t.Value > known)
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        if (changed.Count == 0)
        {
            return null;
        }

        var last = Convert.ToInt64(Scalar(connection, "SELECT coalesce(max(version), 0) FROM lake_versions"), System.Globalization.CultureInfo.InvariantCulture);
        var lastAt = Scalar(connection, "SELECT max(committed_at) FROM lake_versions") is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.MinValue;

        // Versions are ordered in time too, so that "as of an instant" picks one version unambiguously.
        var at = now > lastAt ? now : lastAt.AddTicks(10);
        var record = new LakeVersionRecord(last + 1, at, changed);
        Execute(connection, "INSERT INTO lake_versions VALUES ($v, $t)", ("v", record.Version), ("t", at.UtcDateTime));
        foreach (var (table, version) in changed)
        {
            Execute(connection, "INSERT INTO lake_version_tables VALUES ($v, $n, $tv)", ("v", record.Version), ("n", table), ("tv", version));
        }

        transaction.Commit();
        return record;
    }

    /// <inheritdoc />
    public IReadOnlyList<LakeVersionRecord> ListLakeVersions(long afterVersion = 0)
    {
        using var connection = Connect();
        using var command = Command(connection,
            "SELECT v.version, v.committed_at, t.table_name, t.table_version FROM lake_versions v JOIN lake_version_tables t USING (version) " +
            "WHERE v.version > $after ORDER BY v.version, t.table_name", [("after", afterVersion)]);
        using var reader = command.ExecuteReader();
        var versions = new List<LakeVersionRecord>();
        while (reader.Read())
        {
            var version = reader.GetInt64(0);
            if (versions.Count == 0 || versions[^1].Version != version)
            {
                versions.Add(new LakeVersionRecord(version, Utc(reader, 1), new Dictionary<string, long>(StringComparer.Ordinal)));
            }

            ((Dictionary<string, long>)versions[^1].Tables)[reader.GetString(2)] = reader.GetInt64(3);
        }

        return versions;
    }

    /// <inheritdoc />
    public void SaveTheme(ThemeDefinition theme, DateTimeOffset now)
    {
        using var connection = Connect();
        Execute(connection, "INSERT OR REPLACE INTO themes VALUES ($id, $def, $t)",
            ("id", theme.Id), ("def", JsonSerializer.Serialize(theme, Json)), ("t", now.UtcDateTime));
    }

    /// <inheritdoc />
    public IReadOnlyList<ThemeDefinition> ListThemes()
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT definition FROM themes ORDER BY theme_id", []);
        using var reader = command.ExecuteReader();
        var themes = new List<ThemeDefinition>();
        while (reader.Read())
        {
            themes.Add(JsonSerializer.Deserialize<ThemeDefinition>(reader.GetString(0), Json)
                ?? throw new LakeException(LakeErrorKind.Corrupt, "a stored theme holds no definition."));
        }

        return themes;
    }

    private static string KindName(AgencyKind kind) => kind.ToString().ToLowerInvariant();

    private static List<Agency> ReadAgencies(DuckDBConnection connection, string clause, params (string, object?)[] parameters)
    {
        using var command = Command(connection, $"SELECT code, name_zh, name_en, kind, created_at FROM agencies {clause}", parameters);
        using var reader = command.ExecuteReader();
        var agencies = new List<Agency>();
        while (reader.Read())
        {
            agencies.Add(new Agency(reader.GetString(0), new LocalizedName(reader.GetString(1), reader.GetString(2)),
                Enum.Parse<AgencyKind>(reader.GetString(3), ignoreCase: true), Utc(reader, 4)));
        }

        return agencies;
    }

    private static List<ApiKeyRecord> ReadKeys(DuckDBConnection connection, string clause, params (string, object?)[] parameters)
    {
        using var command = Command(connection, $"SELECT key_id, agency_code, key_hash, created_at, revoked_at FROM api_keys {clause}", parameters);
        using var reader = command.ExecuteReader();
        var keys = new List<ApiKeyRecord>();
        while (reader.Read())
        {
            keys.Add(new ApiKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), Utc(reader, 3),
                reader.IsDBNull(4) ? null : Utc(reader, 4)));
        }

        return keys;
    }
}
