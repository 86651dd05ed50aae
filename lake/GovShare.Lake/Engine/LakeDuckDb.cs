using DuckDB.NET.Data;

namespace GovShare.Lake.Engine;

/// <summary>DuckDB as the lake's Parquet engine: opening connections and quoting SQL safely.</summary>
public static class LakeDuckDb
{
    /// <summary>An in-memory DuckDB connection with the lake's session settings (UTC time zone, so
    /// timestamps print the same on every server).</summary>
    public static DuckDBConnection OpenInMemory()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        return connection;
    }

    /// <summary>A connection to the process's shared in-memory DuckDB, for the lake's own short operations
    /// (reading and writing checkpoints, rewrites, printing rows). Opening a fresh DuckDB costs about
    /// 20 ms, a connection to the shared one about 1 ms. Only temporary objects may be created on it:
    /// views and tables would be visible to every other user of the process.</summary>
    public static DuckDBConnection OpenShared()
    {
        _ = SharedAnchor.Value;
        var connection = new DuckDBConnection(SharedDataSource);
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        return connection;
    }

    private const string SharedDataSource = "DataSource=:memory:?cache=shared";

    // Keeps the shared database alive between operations, so that it is created once per process.
    private static readonly Lazy<DuckDBConnection> SharedAnchor = new(() =>
    {
        var anchor = new DuckDBConnection(SharedDataSource);
        anchor.Open();
        return anchor;
    });

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted SQL identifier.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Runs a statement that returns no rows.</summary>
    public static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a query and returns its first column of its first row.</summary>
    public static object? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Runs a query and yields each row's first column as text.</summary>
    public static IEnumerable<string?> Strings(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return reader.IsDBNull(0) ? null : reader.GetString(0);
        }
    }
}
