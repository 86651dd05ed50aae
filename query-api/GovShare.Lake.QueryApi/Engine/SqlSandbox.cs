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
        new HashSet<string>(["population", "legal_entity", "geo", "licence", "src", "themes", "quality"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Table functions that compute rows without reading anything.</summary>
    private static readonly HashSet<string> AllowedTableFunctions = new(["range", "generate_series", "unnest"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Table references that cannot reach outside the lake's views.</summary>
    private static readonly HashSet<string> AllowedReferenceTypes =
        new(["BASE_TABLE", "TABLE_FUNCTION", "SUBQUERY", "JOIN", "EMPTY", "EXPRESSION_LIST", "PIVOT"], StringComparer.Ordinal);

    /// <summary>The most text a statement may have.</summary>
    public const int MaxLength = 100_000;

    /// <summary>Null when the statement may run; otherwise why not. The views it names are added to
    /// <paramref name="tables"/> (<c>population.persons</c>, <c>src.psb.household</c>) for the audit trail.</summary>
    public static SqlProblem? Check(DuckDBConnection connection, string sql, ICollection<string>? tables = null)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            return new SqlProblem("the SQL is empty: send one SELECT statement.", null);
        }

        if (sql.Length > MaxLength)
        {
            return new SqlProblem($"the SQL is {sql.Length:N0} characters long; at most {MaxLength:N0} are accepted.", null);
        }

        // DuckDB's C interface ends a statement at a NUL; other control characters have no place in SQL either.
        var control = sql.AsSpan().IndexOfAnyExcept(AllowedText);
        if (control >= 0 && char.IsControl(sql[control]))
        {
            return new SqlProblem($"the SQL holds the control character U+{(int)sql[control]:X4}; only tabs and line breaks are allowed.", SqlPosition.At(sql, control));
        }

        string json;
        try
        {
            using var command = connection.CreateCommand();

            // The function takes a constant only; the literal is quoted, so the text cannot end it early.
            command.CommandText = "SELECT json_serialize_sql(" + LakeDuckDb.Literal(sql) + ")";
            json = (string)command.ExecuteScalar()!;
        }
        catch (DuckDBException ex)
        {
            return new SqlProblem("the SQL cannot be read: " + ex.Message, null);
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

        return Walk(statements[0], sql, new HashSet<string>(StringComparer.OrdinalIgnoreCase), tables);
    }

    /// <summary>Characters that are not control characters, plus tab and line breaks.</summary>
    private static readonly System.Buffers.SearchValues<char> AllowedText = System.Buffers.SearchValues.Create(
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(c => !char.IsControl(c) || c is '\t' or '\r' or '\n').ToArray());

    /// <summary>Scalar functions that reveal the server (settings, environment, system catalogs).</summary>
    private static readonly HashSet<string> RefusedFunctions =
        new(["current_setting", "getenv", "sql_auto_complete", "current_database", "current_catalog", "current_schema", "current_schemas"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Walks the statement's tree; <paramref name="ctes"/> are the CTE names in scope (those of the enclosing
    /// query nodes), so that a CTE named like a file in one subquery does not make that name readable in another.</summary>
    private static SqlProblem? Walk(JsonElement element, string sql, IReadOnlySet<string> ctes, ICollection<string>? tables)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (Walk(item, sql, ctes, tables) is { } problem)
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

        // A query node's CTEs are in scope in the node itself (its CTE bodies included, for recursive ones).
        if (element.TryGetProperty("cte_map", out var cteMap) && cteMap.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Array
            && map.GetArrayLength() > 0)
        {
            var inner = new HashSet<string>(ctes, StringComparer.OrdinalIgnoreCase);
            foreach (var cte in map.EnumerateArray())
            {
                if (cte.TryGetProperty("key", out var key) && key.GetString() is { } name)
                {
                    inner.Add(name);
                }
            }

            ctes = inner;
        }

        // Table references are the objects with a "sample" property next to their "type"
        // (query nodes such as SELECT_NODE carry a "sample" too, and are walked into, not judged).
        if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && element.TryGetProperty("sample", out _)
            && !type.GetString()!.EndsWith("_NODE", StringComparison.Ordinal)
            && CheckReference(element, type.GetString()!, sql, ctes, tables) is { } refused)
        {
            return refused;
        }

        if (element.TryGetProperty("class", out var kind) && kind.ValueEquals("FUNCTION") && element.TryGetProperty("function_name", out var function)
            && function.GetString() is { } functionName
            && (RefusedFunctions.Contains(functionName) || functionName.StartsWith("duckdb_", StringComparison.OrdinalIgnoreCase)
                || functionName.StartsWith("pragma_", StringComparison.OrdinalIgnoreCase)))
        {
            return new SqlProblem($"the function {functionName}() is not available in the sandbox.", PositionOf(element, sql));
        }

        foreach (var property in element.EnumerateObject())
        {
            if (Walk(property.Value, sql, ctes, tables) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static SqlPosition? PositionOf(JsonElement element, string sql) =>
        element.TryGetProperty("query_location", out var location) && location.TryGetUInt64(out var offset) && offset < (ulong)sql.Length
            ? SqlPosition.At(sql, (int)offset)
            : null;

    private static SqlProblem? CheckReference(JsonElement reference, string type, string sql, IReadOnlySet<string> ctes, ICollection<string>? tables)
    {
        var at = PositionOf(reference, sql);
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
                    "query the lake's views (population, legal_entity, geo, licence, src, themes, quality).", at);
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
            // DuckDB reads a name like a path as a file (a replacement scan), even one a CTE elsewhere is called.
            return ctes.Contains(table) && table.IndexOfAny(['/', '\\', '.', '*', '?', '~', ':']) < 0
                ? null
                : new SqlProblem($"'{table}' is not a view of the lake: name views with their schema (population.persons, legal_entity.entities, " +
                    "geo.divisions, geo.places, licence.licences, src.\"<dataset id>\", themes.<theme id>, quality.mismatch_reports, quality.differences); files cannot be read from SQL.", at);
        }

        if (Schemas.Contains(schema))
        {
            var name = schema.ToLowerInvariant() + "." + table;
            if (tables is not null && !tables.Contains(name))
            {
                tables.Add(name);
            }

            return null;
        }

        return new SqlProblem($"the schema '{schema}' is not part of the lake; use population, legal_entity, geo, licence, src, themes or quality.", at);
    }
}
