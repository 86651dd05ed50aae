using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GovShare.Lake.Delta;

/// <summary>One column of a Delta table schema.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The Delta type: a primitive name (<c>string</c>, <c>long</c>, <c>decimal(10,2)</c>, …)
/// or a nested type as its JSON text.</param>
/// <param name="Nullable">Whether the column may hold nulls.</param>
/// <param name="Metadata">Column metadata (for example a comment).</param>
public sealed record DeltaField(string Name, string Type, bool Nullable = true, IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>The DuckDB type that reads this column.</summary>
    public string DuckDbType => DeltaTypes.ToDuckDb(Type);
}

/// <summary>A Delta table schema (<c>schemaString</c>): a struct of fields.</summary>
public sealed class DeltaSchema
{
    /// <summary>Creates a schema from its fields; names must be unique (ignoring case, as Spark does).</summary>
    /// <exception cref="LakeException">Duplicate or empty column names, or an unsupported type.</exception>
    public DeltaSchema(IEnumerable<DeltaField> fields)
    {
        Fields = fields.ToArray();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in Fields)
        {
            if (string.IsNullOrWhiteSpace(field.Name))
            {
                throw new LakeException(LakeErrorKind.InvalidInput, "a column name is empty.");
            }

            if (!seen.Add(field.Name))
            {
                throw new LakeException(LakeErrorKind.InvalidInput, $"the column '{field.Name}' appears twice.");
            }

            _ = DeltaTypes.ToDuckDb(field.Type);
        }
    }

    /// <summary>The columns, in order.</summary>
    public IReadOnlyList<DeltaField> Fields { get; }

    /// <summary>The column with this name (case-insensitive), or null.</summary>
    public DeltaField? Find(string name) =>
        Fields.FirstOrDefault(field => string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a <c>schemaString</c>.</summary>
    /// <exception cref="LakeException">Not a Delta struct type.</exception>
    public static DeltaSchema Parse(string schemaString)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(schemaString);
        }
        catch (JsonException ex)
        {
            throw new LakeException(LakeErrorKind.Corrupt, $"the table schema is not JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject { } obj || (string?)obj["type"] != "struct" || obj["fields"] is not JsonArray fields)
        {
            throw new LakeException(LakeErrorKind.Corrupt, "the table schema is not a Delta struct type.");
        }

        return new DeltaSchema(fields.Select(ParseField));
    }

    /// <summary>The <c>schemaString</c> for this schema.</summary>
    public string ToJson()
    {
        var fields = new JsonArray();
        foreach (var field in Fields)
        {
            var metadata = new JsonObject();
            foreach (var (key, value) in field.Metadata ?? new Dictionary<string, string>())
            {
                metadata[key] = value;
            }

            fields.Add(new JsonObject
            {
                ["name"] = field.Name,
                ["type"] = DeltaTypes.IsPrimitive(field.Type) ? JsonValue.Create(field.Type) : JsonNode.Parse(field.Type),
                ["nullable"] = field.Nullable,
                ["metadata"] = metadata,
            });
        }

        return new JsonObject { ["type"] = "struct", ["fields"] = fields }.ToJsonString();
    }

    private static DeltaField ParseField(JsonNode? node)
    {
        if (node is not JsonObject field || (string?)field["name"] is not { } name || field["type"] is not { } type)
        {
            throw new LakeException(LakeErrorKind.Corrupt, "a field of the table schema has no name or type.");
        }

        var metadata = field["metadata"] is JsonObject meta
            ? meta.ToDictionary(pair => pair.Key, pair => pair.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : pair.Value?.ToJsonString() ?? string.Empty)
            : null;
        var typeText = type is JsonValue value ? value.GetValue<string>() : type.ToJsonString();
        return new DeltaField(name, typeText, (bool?)field["nullable"] ?? true, metadata);
    }
}

/// <summary>Delta type names and their DuckDB equivalents.</summary>
public static partial class DeltaTypes
{
    [GeneratedRegex(@"^decimal\(\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$")]
    private static partial Regex DecimalType();

    /// <summary>True for a primitive type name (as opposed to a nested type's JSON).</summary>
    public static bool IsPrimitive(string type) => !type.TrimStart().StartsWith('{');

    /// <summary>The DuckDB type that holds values of a Delta type.</summary>
    /// <exception cref="LakeException">A type this platform does not read.</exception>
    public static string ToDuckDb(string type)
    {
        if (!IsPrimitive(type))
        {
            return NestedToDuckDb(JsonNode.Parse(type)!);
        }

        var name = type.Trim();
        if (name.StartsWith("decimal", StringComparison.Ordinal))
        {
            // The type text goes into SQL: accept exactly decimal(p,s), nothing else.
            var match = DecimalType().Match(name);
            if (!match.Success
                || !int.TryParse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out var precision)
                || !int.TryParse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture, out var scale)
                || precision is < 1 or > 38 || scale < 0 || scale > precision)
            {
                throw new LakeException(LakeErrorKind.Unsupported, $"the Delta type '{type}' is not a decimal(p,s) with 1 ≤ p ≤ 38 and 0 ≤ s ≤ p.");
            }

            return string.Create(CultureInfo.InvariantCulture, $"DECIMAL({precision},{scale})");
        }

        return name switch
        {
            "string" => "VARCHAR",
            "long" => "BIGINT",
            "integer" => "INTEGER",
            "short" => "SMALLINT",
            "byte" => "TINYINT",
            "float" => "FLOAT",
            "double" => "DOUBLE",
            "boolean" => "BOOLEAN",
            "binary" => "BLOB",
            "date" => "DATE",
            "timestamp" => "TIMESTAMPTZ",
            "timestamp_ntz" => "TIMESTAMP",
            _ => throw new LakeException(LakeErrorKind.Unsupported, $"the Delta type '{type}' is not supported."),
        };
    }

    private static string NestedToDuckDb(JsonNode node)
    {
        if (node is JsonValue value)
        {
            return ToDuckDb(value.GetValue<string>());
        }

        var kind = (string?)node["type"];
        return kind switch
        {
            "struct" => "STRUCT(" + string.Join(", ", node["fields"]!.AsArray().Select(f =>
                $"\"{((string)f!["name"]!).Replace("\"", "\"\"", StringComparison.Ordinal)}\" {NestedToDuckDb(f["type"]!)}")) + ")",
            "array" => NestedToDuckDb(node["elementType"]!) + "[]",
            "map" => $"MAP({NestedToDuckDb(node["keyType"]!)}, {NestedToDuckDb(node["valueType"]!)})",
            _ => throw new LakeException(LakeErrorKind.Unsupported, $"the nested Delta type '{kind}' is not supported."),
        };
    }
}
