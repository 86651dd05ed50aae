using System.Text;

namespace GovShare.Lake.Access;

/// <summary>How a personal field is masked where a grant says so: ID numbers keep their first four and last four
/// characters (<c>4101**********123X</c>), phone numbers their first three and last four, addresses their first six,
/// names their first character, anything else its first character. The same rule exists twice, as C# for lookups and
/// as a DuckDB expression for SQL, exports and themes; tests hold the two to the same output.</summary>
public static class FieldMask
{
    /// <summary>The kinds of masking.</summary>
    public enum Kind
    {
        /// <summary>Identity numbers, credit codes: first 4 and last 4 kept.</summary>
        Identifier,

        /// <summary>Phone numbers: first 3 and last 4 kept.</summary>
        Phone,

        /// <summary>Addresses: first 6 characters kept, then <c>****</c>.</summary>
        Address,

        /// <summary>Names and anything else: first character kept, the rest starred.</summary>
        Other,
    }

    /// <summary>The masking kind of an attribute, by its name.</summary>
    public static Kind KindOf(string attribute) =>
        attribute.EndsWith("id_number", StringComparison.Ordinal) || attribute is "uscc" or "org_code" or "licence_reg_no" || attribute.EndsWith("_key", StringComparison.Ordinal)
            ? Kind.Identifier
            : attribute.Contains("phone", StringComparison.Ordinal) || attribute.Contains("mobile", StringComparison.Ordinal)
                ? Kind.Phone
                : attribute.Contains("address", StringComparison.Ordinal)
                    ? Kind.Address
                    : Kind.Other;

    /// <summary>The masked form of a value.</summary>
    public static string Mask(string attribute, string value)
    {
        var runes = value.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var n = runes.Length;
        string Keep(int first, int last) =>
            string.Concat(runes.Take(first)) + new string('*', n - first - last) + string.Concat(runes.Skip(n - last));
        return KindOf(attribute) switch
        {
            Kind.Identifier => n <= 8 ? Keep(Math.Min(1, n), 0) : Keep(4, 4),
            Kind.Phone => n <= 7 ? new string('*', n) : Keep(3, 4),
            Kind.Address => n <= 6 ? new string('*', n) : string.Concat(runes.Take(6)) + "****",
            _ => Keep(Math.Min(1, n), 0),
        };
    }

    /// <summary>The DuckDB expression that masks <paramref name="expression"/> (any type; the result is VARCHAR).</summary>
    public static string Sql(string attribute, string expression)
    {
        var v = $"CAST({expression} AS VARCHAR)";
        var masked = KindOf(attribute) switch
        {
            Kind.Identifier => $"CASE WHEN length({v}) <= 8 THEN left({v}, 1) || repeat('*', length({v}) - least(1, length({v}))) " +
                $"ELSE left({v}, 4) || repeat('*', length({v}) - 8) || right({v}, 4) END",
            Kind.Phone => $"CASE WHEN length({v}) <= 7 THEN repeat('*', length({v})) ELSE left({v}, 3) || repeat('*', length({v}) - 7) || right({v}, 4) END",
            Kind.Address => $"CASE WHEN length({v}) <= 6 THEN repeat('*', length({v})) ELSE left({v}, 6) || '****' END",
            _ => $"left({v}, 1) || repeat('*', length({v}) - least(1, length({v})))",
        };
        return new StringBuilder("CASE WHEN ").Append(expression).Append(" IS NULL THEN NULL ELSE ").Append(masked).Append(" END").ToString();
    }
}
