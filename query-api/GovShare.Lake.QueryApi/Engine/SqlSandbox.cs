using System.Text.Json;
using DuckDB.NET.Data;
using GovShare.Lake.Engine;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>Where in the SQL text a problem is: a 0-based character offset and its 1-based line and column.</summary>
/// <param name="Offset">Characters from the start of the statement.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SqlPosition(int Offset, int Line, int Column)
{
    /// <summary>The position of an offset in a text.</summary>
    public static SqlPosition At(string sql, int offset)
    {
        offset = Math.Clamp(offset, 0, sql.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new SqlPosition(offset, line, offset - lineStart + 1);
    }
}

/// <summary>Why a statement was refused or failed, and where.</summary>
/// <param name="Message">What is wrong, in words an analyst can act on.</param>
/// <param name="Position">Where, when known.</param>
public sealed record SqlProblem(string Message, SqlPosition? Position);

/// <summary>The analyst's SQL sandbox. The DuckDB instance itself already refuses files outside the lake, settings
/// changes and extension loading (<c>enable_external_access=false</c>, <c>lock_configuration=true</c>); this check
/// refuses everything else that could step around the catalogue: statements other than one SELECT, file readers
/// on lake paths (<c>read_parquet</c>, <c>'file.csv'</c>), table functions, and names outside the lake's schemas.
/// DuckDB's own parser reads the statement (<c>json_serialize_sql</c>), so the check sees exactly what would run.</summary>
public static class SqlSandbox
{
    /// <summary>The schemas an analyst's SQL may name.</summary>
    public static IReadOnlySet<string> Schemas { get; } =
        new HashSet<string>(["population", "legal_entity", "geo", "licence", "src", "themes"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Table functions that compute rows without reading anything.</summary>
    private static readonly HashSet<string> AllowedTableFunctions = new(["range", "generate_series", "unnest"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Table references that cannot reach outside the lake's views.</summary>
    private static readonly HashSet<string> AllowedReferenceTypes =
        new(["BASE_TABLE", "TABLE_FUNCTION", "SUBQUERY", "JOIN", "EMPTY", "EXPRESSION_LIST", "PIVOT"], StringComparer.Ordinal);

    /// <summary>The most text a statement may have.</summary>
    public const int MaxLength = 100_000;

    /// <summary>Null when the statement may run; otherwise why not.</summary>
    public static SqlProblem? Check(DuckDBConnection connection, string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            return new SqlProblem("the SQL is empty: send one SELECT statement.", null);
        }

        if (sql.Length > MaxLength)
        {
            return new SqlProblem($"the SQL is {sql.Length:N0} characters long; at most {MaxLength:N0} are accepted.", null);
        }

        string json;
        using (var command = connection.CreateCommand())
        {
            // The function takes a constant only; the literal is quoted, so the text cannot end it early.
            command.CommandText = "SELECT json_serialize_sql(" + LakeDuckDb.Literal(sql) + ")";
            json = (string)command.ExecuteScalar()!;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.GetProperty("error").GetBoolean())
        {
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() ?? "" : "the SQL cannot be read";
            if (message.Contains("Only SELECT statements", StringComparison.Ordinal))
            {
                return new SqlProblem("only a read-only query is allowed: one SELECT (or WITH ... SELECT) statement; " +
                    "COPY, ATTACH, INSTALL, LOAD, SET, RESET, PRAGMA, EXPORT, CALL, CREATE, INSERT, UPDATE and DELETE are refused.", null);
            }

            var position = root.TryGetProperty("position", out var p) && int.TryParse(p.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var offset)
                ? SqlPosition.At(sql, offset)
                : null;
            return new SqlProblem(message, position);
        }

        var statements = root.GetProperty("statements");
        if (statements.GetArrayLength() != 1)
        {
            return new SqlProblem($"send exactly one statement; this text holds {statements.GetArrayLength()}.", null);
        }

        var cteNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CollectCteNames(statements[0], cteNames);
        return Walk(statements[0], sql, cteNames);
    }

    private static void CollectCteNames(JsonElement element, HashSet<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals("cte_map") && property.Value.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var cte in map.EnumerateArray())
                        {
                            if (cte.TryGetProperty("key", out var key) && key.GetString() is { } name)
                            {
                                names.Add(name);
                            }
                        }
                    }

                    CollectCteNames(property.Value, names);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectCteNames(item, names);
                }

                break;
            default:
                break;
        }
    }

    private static SqlProblem? Walk(JsonElement element, string sql, HashSet<string> cteNames)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (Walk(item, sql, cteNames) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Table references are the objects with a "sample" property next to their "type".
        // (query nodes such as SELECT_NODE carry a "sample" too, and are walked into, not judged).
        if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && element.TryGetProperty("sample", out _)
            && !type.GetString()!.EndsWith("_NODE", StringComparison.Ordinal)
            && CheckReference(element, type.GetString()!, sql, cteNames) is { } refused)
        {
            return refused;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (Walk(property.Value, sql, cteNames) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static SqlProblem? CheckReference(JsonElement reference, string type, string sql, HashSet<string> cteNames)
    {
        var at = reference.TryGetProperty("query_location", out var location) && location.TryGetUInt64(out var offset) && offset < (ulong)sql.Length
            ? SqlPosition.At(sql, (int)offset)
            : null;
        if (!AllowedReferenceTypes.Contains(type))
        {
            return new SqlProblem($"this kind of table reference ({type}) is not allowed; query the lake's views.", at);
        }

        if (reference.TryGetProperty("at_clause", out var atClause) && atClause.ValueKind != JsonValueKind.Null)
        {
            return new SqlProblem("AT (time travel) clauses are not supported in SQL; pin the whole query with asOf instead.", at);
        }

        if (type == "TABLE_FUNCTION")
        {
            var name = reference.TryGetProperty("function", out var function) && function.TryGetProperty("function_name", out var fn) ? fn.GetString() : null;
            return name is not null && AllowedTableFunctions.Contains(name)
                ? null
                : new SqlProblem($"the table function {name ?? "(unnamed)"}() is not allowed: files and system tables are not readable from SQL; " +
                    "query the lake's views (population, legal_entity, geo, licence, src, themes).", at);
        }

        if (type != "BASE_TABLE")
        {
            return null;
        }

        var catalog = reference.GetProperty("catalog_name").GetString() ?? "";
        var schema = reference.GetProperty("schema_name").GetString() ?? "";
        var table = reference.GetProperty("table_name").GetString() ?? "";
        if (catalog.Length > 0)
        {
            return new SqlProblem($"'{catalog}.{schema}.{table}' names a database; name views as schema.view (population.persons).", at);
        }

        if (schema.Length == 0)
        {
            return cteNames.Contains(table)
                ? null
                : new SqlProblem($"'{table}' is not a view of the lake: name views with their schema (population.persons, legal_entity.entities, " +
                    "geo.divisions, geo.places, licence.licences, src.\"<dataset id>\", themes.<theme id>); files cannot be read from SQL.", at);
        }

        return Schemas.Contains(schema)
            ? null
            : new SqlProblem($"the schema '{schema}' is not part of the lake; use population, legal_entity, geo, licence, src or themes.", at);
    }
}
