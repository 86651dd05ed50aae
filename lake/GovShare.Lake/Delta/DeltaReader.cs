using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

/// <summary>Reading a snapshot's rows through DuckDB.</summary>
public static class DeltaReader
{
    /// <summary>Creates (or replaces) a view that shows exactly the snapshot's live files.</summary>
    public static void CreateView(DuckDBConnection connection, string viewName, DeltaSnapshot snapshot) =>
        LakeDuckDb.Execute(connection, $"CREATE OR REPLACE VIEW {viewName} AS {snapshot.ToDuckDbQuery()}");

    /// <summary>The snapshot's rows with every value in its plain text form (null stays null), in schema
    /// column order; ordered by <paramref name="orderBy"/> (SQL) when given.</summary>
    public static IEnumerable<string?[]> ReadAsText(DeltaSnapshot snapshot, string? orderBy = null, long? limit = null)
    {
        using var connection = LakeDuckDb.OpenShared();
        var sql = new StringBuilder("SELECT ")
            .Append(string.Join(", ", snapshot.Schema.Fields.Select(f => $"CAST({LakeDuckDb.Identifier(f.Name)} AS VARCHAR)")))
            .Append(" FROM (").Append(snapshot.ToDuckDbQuery()).Append(") t");
        if (orderBy is not null)
        {
            sql.Append(" ORDER BY ").Append(orderBy);
        }

        if (limit is { } n)
        {
            sql.Append(" LIMIT ").Append(n);
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
            }

            yield return row;
        }
    }
}
