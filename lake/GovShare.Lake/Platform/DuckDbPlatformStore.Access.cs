using System.Globalization;
using System.Text.Json;
using GovShare.Lake.Access;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    /// <inheritdoc />
    public bool SaveAccessRequest(AccessRequest request, AccessRequestStatus? expected = null)
    {
        using var connection = Connect();
        (string, object?)[] values =
        [
            ("id", request.Id), ("rq", request.Requester), ("d", request.Decider), ("res", request.Resource),
            ("s", StatusName(request.Status)), ("doc", JsonSerializer.Serialize(request, Json)), ("t", DateTime.UtcNow),
        ];
        if (expected is not { } before)
        {
            Execute(connection, "INSERT OR REPLACE INTO access_requests VALUES ($id, $rq, $d, $res, $s, $doc, $t)", values);
            return true;
        }

        // One statement: the status read and the write cannot be split by another writer.
        using var command = Command(connection,
            "UPDATE access_requests SET decider = $d, resource = $res, status = $s, document = $doc, updated_at = $t WHERE request_id = $id AND status = $was AND requester = $rq",
            [.. values, ("was", StatusName(before))]);
        return command.ExecuteNonQuery() == 1;
    }

    private static string StatusName(AccessRequestStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    /// <inheritdoc />
    public AccessRequest? FindAccessRequest(string id) => Documents<AccessRequest>("SELECT document FROM access_requests WHERE request_id = $id", ("id", id)).FirstOrDefault();

    /// <inheritdoc />
    public IReadOnlyList<AccessRequest> ListAccessRequests() => Documents<AccessRequest>("SELECT document FROM access_requests ORDER BY request_id");

    /// <inheritdoc />
    public void SaveAgreement(AgreementAcceptance acceptance)
    {
        using var connection = Connect();
        Execute(connection, "INSERT INTO agreement_acceptances VALUES ($a, $r, $v, $t, $u) ON CONFLICT DO NOTHING",
            ("a", acceptance.Agency), ("r", acceptance.Resource), ("v", acceptance.Version), ("t", acceptance.AcceptedAt.UtcDateTime), ("u", acceptance.EndUser));
    }

    /// <inheritdoc />
    public IReadOnlyList<AgreementAcceptance> ListAgreements()
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT agency, resource, version, accepted_at, end_user FROM agreement_acceptances ORDER BY accepted_at", []);
        using var reader = command.ExecuteReader();
        var list = new List<AgreementAcceptance>();
        while (reader.Read())
        {
            list.Add(new AgreementAcceptance(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc)), reader.GetString(4)));
        }

        return list;
    }

    /// <inheritdoc />
    public void SaveSharingChange(SharingChange change)
    {
        using var connection = Connect();
        Execute(connection, "INSERT OR REPLACE INTO sharing_changes VALUES ($id, $e, $s, $doc, $t)",
            ("id", change.Id), ("e", change.EntryId), ("s", JsonNamingPolicy.SnakeCaseLower.ConvertName(change.Status.ToString())),
            ("doc", JsonSerializer.Serialize(change, Json)), ("t", DateTime.UtcNow));
    }

    /// <inheritdoc />
    public IReadOnlyList<SharingChange> ListSharingChanges() => Documents<SharingChange>("SELECT document FROM sharing_changes ORDER BY change_id");

    /// <inheritdoc />
    public string AccessStamp()
    {
        using var connection = Connect();
        using var command = Command(connection,
            "SELECT (SELECT count(*) || '/' || coalesce(max(updated_at)::VARCHAR, '') FROM access_requests) || ';' || " +
            "(SELECT count(*) FROM agreement_acceptances) || ';' || " +
            "(SELECT count(*) || '/' || coalesce(max(updated_at)::VARCHAR, '') FROM sharing_changes)", []);
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    private List<T> Documents<T>(string sql, params (string, object?)[] parameters)
    {
        using var connection = Connect();
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), Json)
                ?? throw new LakeException(LakeErrorKind.Corrupt, $"a stored {typeof(T).Name} holds no document."));
        }

        return list;
    }
}
