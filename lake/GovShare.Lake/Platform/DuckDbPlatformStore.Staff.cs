using System.Data.Common;
using DuckDB.NET.Data;

namespace GovShare.Lake.Platform;

public sealed partial class DuckDbPlatformStore
{
    private const string StaffColumns =
        "username, agency_code, display_name, roles, password_hash, failed_attempts, locked_until, disabled_at, must_change_password, created_at, last_sign_in";

    /// <inheritdoc />
    public void SaveStaffAccount(StaffAccount account)
    {
        using var connection = Connect();
        Execute(connection, $"INSERT OR REPLACE INTO staff_accounts ({StaffColumns}) VALUES ($u, $a, $d, $r, $h, $f, $l, $x, $m, $c, $s)",
            ("u", account.Username), ("a", account.Agency), ("d", account.DisplayName), ("r", string.Join(',', account.Roles.Select(StaffRoles.Name))),
            ("h", account.PasswordHash), ("f", account.FailedAttempts), ("l", account.LockedUntil?.UtcDateTime), ("x", account.DisabledAt?.UtcDateTime),
            ("m", account.MustChangePassword), ("c", account.CreatedAt.UtcDateTime), ("s", account.LastSignIn?.UtcDateTime));
    }

    /// <inheritdoc />
    public StaffAccount? FindStaffAccount(string username)
    {
        using var connection = Connect();
        return ReadStaff(connection, "WHERE username = $u", ("u", username)).FirstOrDefault();
    }

    /// <inheritdoc />
    public IReadOnlyList<StaffAccount> ListStaffAccounts()
    {
        using var connection = Connect();
        return ReadStaff(connection, "ORDER BY username");
    }

    /// <inheritdoc />
    public StaffAccount? RecordSignInFailure(string username, DateTimeOffset now, int threshold, DateTimeOffset lockUntil)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE staff_accounts SET
                locked_until = CASE WHEN failed_attempts + 1 >= $n THEN $until ELSE locked_until END,
                failed_attempts = CASE WHEN failed_attempts + 1 >= $n THEN 0 ELSE failed_attempts + 1 END
            WHERE username = $u
            """, ("n", threshold), ("until", lockUntil.UtcDateTime), ("u", username));
        return ReadStaff(connection, "WHERE username = $u", ("u", username)).FirstOrDefault();
    }

    /// <inheritdoc />
    public bool RecordSignInSuccess(string username, string verifiedHash, DateTimeOffset now)
    {
        using var connection = Connect();
        using var command = Command(connection, """
            UPDATE staff_accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in = $t
            WHERE username = $u AND password_hash = $h AND disabled_at IS NULL
            """, [("t", now.UtcDateTime), ("u", username), ("h", verifiedHash)]);
        return command.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public bool ReplaceStaffPassword(string username, string expectedHash, string newHash, bool mustChange)
    {
        using var connection = Connect();
        using var command = Command(connection,
            "UPDATE staff_accounts SET password_hash = $n, must_change_password = $m WHERE username = $u AND password_hash = $h",
            [("n", newHash), ("m", mustChange), ("u", username), ("h", expectedHash)]);
        return command.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public void UnlockStaffAccount(string username)
    {
        using var connection = Connect();
        Execute(connection, "UPDATE staff_accounts SET failed_attempts = 0, locked_until = NULL WHERE username = $u", ("u", username));
    }

    /// <inheritdoc />
    public void SaveStaffSession(StaffSession session)
    {
        using var connection = Connect();
        Execute(connection, "INSERT INTO staff_sessions VALUES ($h, $u, $c, $t, $e, $r)", ("h", session.Hash), ("u", session.Username), ("c", session.CsrfToken),
            ("t", session.CreatedAt.UtcDateTime), ("e", session.ExpiresAt.UtcDateTime), ("r", session.RevokedAt?.UtcDateTime));
    }

    /// <inheritdoc />
    public StaffSession? FindStaffSession(string hash)
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT session_hash, username, csrf_token, created_at, expires_at, revoked_at FROM staff_sessions WHERE session_hash = $h",
            [("h", hash)]);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new StaffSession(reader.GetString(0), reader.GetString(1), reader.GetString(2), Utc(reader, 3), Utc(reader, 4), reader.IsDBNull(5) ? null : Utc(reader, 5))
            : null;
    }

    /// <inheritdoc />
    public void RevokeStaffSessions(string? username, string? hash, DateTimeOffset now, string? exceptHash = null)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE staff_sessions SET revoked_at = $t
            WHERE revoked_at IS NULL AND (username = $u OR session_hash = $h) AND session_hash IS DISTINCT FROM $x
            """, ("t", now.UtcDateTime), ("u", username), ("h", hash), ("x", exceptHash));

        // Ended sessions past their lifetime are of no use to anyone: they go with the next revocation.
        Execute(connection, "DELETE FROM staff_sessions WHERE expires_at < $old", ("old", now.UtcDateTime.AddDays(-30)));
    }

    private static List<StaffAccount> ReadStaff(DuckDBConnection connection, string where, params (string, object?)[] parameters)
    {
        using var command = Command(connection, $"SELECT {StaffColumns} FROM staff_accounts {where}", parameters);
        using var reader = command.ExecuteReader();
        var accounts = new List<StaffAccount>();
        while (reader.Read())
        {
            accounts.Add(new StaffAccount(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(StaffRoles.Parse).OfType<StaffRole>().ToList(),
                reader.GetString(4), reader.GetInt32(5), Nullable(reader, 6), Nullable(reader, 7), reader.GetBoolean(8), Utc(reader, 9), Nullable(reader, 10)));
        }

        return accounts;
    }

    private static DateTimeOffset? Nullable(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Utc(reader, ordinal);
}
