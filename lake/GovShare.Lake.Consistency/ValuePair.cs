using GovShare.Lake.BaseDatabases;

namespace GovShare.Lake.Consistency;

/// <summary>What kind of value an attribute holds, which decides how two providers' values are compared.</summary>
public enum AttributeKind
{
    /// <summary>A person's or an organisation's name: pinyin keys and character similarity matter.</summary>
    Name,

    /// <summary>An address: the division prefix and the rest are compared apart.</summary>
    Address,

    /// <summary>A calendar date.</summary>
    Date,

    /// <summary>An amount or a measure.</summary>
    Number,

    /// <summary>A code or number written by clerks (identity numbers, phone numbers, division codes): digit typos matter.</summary>
    Code,

    /// <summary>One of a fixed set of values (sex, status).</summary>
    Enumeration,

    /// <summary>Free text.</summary>
    Text,
}

/// <summary>How the base attributes are compared.</summary>
public static class AttributeKinds
{
    /// <summary>The kind of a base attribute, from its type and name.</summary>
    public static AttributeKind Of(BaseAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return attribute switch
        {
            { Type: "date" } => AttributeKind.Date,
            { Type: "double" or "integer" or "long" } => AttributeKind.Number,
            _ when attribute.Type.StartsWith("decimal", StringComparison.Ordinal) => AttributeKind.Number,
            { Values: not null } => AttributeKind.Enumeration,
            { Name: "name" or "former_names" or "legal_rep_name" or "holder_name" } => AttributeKind.Name,
            _ when attribute.Name.EndsWith("address", StringComparison.Ordinal) => AttributeKind.Address,
            _ when attribute.Name is "phone" or "nationality" or "capital_currency"
                || attribute.Name.EndsWith("_code", StringComparison.Ordinal) || attribute.Name.EndsWith("_number", StringComparison.Ordinal)
                || attribute.Name.EndsWith("division", StringComparison.Ordinal) || attribute.Name.EndsWith("_no", StringComparison.Ordinal)
                || attribute.Name is "uscc" or "code" => AttributeKind.Code,
            _ => AttributeKind.Text,
        };
    }
}

/// <summary>Two providers' values of one attribute of one key, as their tables hold them (cast to text; dates as
/// <c>yyyy-MM-dd</c>).</summary>
/// <param name="BaseTable">The base table (<c>population.persons</c>).</param>
/// <param name="Key">The record's key. Personal data: never logged.</param>
/// <param name="Attribute">The base attribute.</param>
/// <param name="Kind">How it is compared.</param>
/// <param name="DatasetA">The first provider's entry (the lower id).</param>
/// <param name="ValueA">Its value; null when it has none.</param>
/// <param name="DatasetB">The second provider's entry.</param>
/// <param name="ValueB">Its value; null when it has none.</param>
/// <param name="FrequencyA">How many records of the first provider hold <paramref name="ValueA"/> (0 when null).</param>
/// <param name="FrequencyB">How many records of the second provider hold <paramref name="ValueB"/>.</param>
/// <param name="RowsA">How many current records the first provider's table holds (to turn frequencies into shares).</param>
/// <param name="RowsB">How many the second provider's holds.</param>
public sealed record ValuePair(
    string BaseTable, string Key, string Attribute, AttributeKind Kind,
    string DatasetA, string? ValueA, string DatasetB, string? ValueB,
    long FrequencyA = 0, long FrequencyB = 0, long RowsA = 0, long RowsB = 0);
