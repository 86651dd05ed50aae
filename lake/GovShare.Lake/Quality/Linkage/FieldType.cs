using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Quality.Linkage;

/// <summary>How a field's values are compared.</summary>
public enum FieldType
{
    /// <summary>A personal or organisation name, in Han characters or Latin letters: close when it sounds the same
    /// (pinyin) or is spelt almost the same (Jaro-Winkler ≥ 0.92).</summary>
    Name,

    /// <summary>A date: close when two digits are swapped, day and month are swapped, or one digit differs.</summary>
    Date,

    /// <summary>A code or number (phone, identifier, licence plate): close when one character differs or two adjacent
    /// ones are swapped (codes of four characters or more).</summary>
    Code,

    /// <summary>Free text such as an address: close when most of its words are shared (Jaccard ≥ 0.6).</summary>
    Text,
}

/// <summary>A field taking part in a linkage: the name shown in explanations, and how it is compared.</summary>
/// <param name="Name">The field's name in explanations and the model (the left file's column name in the CLI).</param>
/// <param name="Type">How its values are compared.</param>
public sealed record LinkageField(string Name, FieldType Type);

/// <summary>Recognises a field's type from a sample of its values.</summary>
public static class FieldTypes
{
    /// <summary>The share of a sample's non-blank values that must have a type's shape for the field to get it.</summary>
    public const double Agreement = 0.8;

    /// <summary>The type most values have, tried in this order: <see cref="FieldType.Date"/> (they parse as dates),
    /// <see cref="FieldType.Code"/> (digits and upper-case letters), <see cref="FieldType.Name"/> (short runs of Han
    /// characters or Latin letters), else <see cref="FieldType.Text"/>. Blank values are not counted; a field with no
    /// values is Text.</summary>
    public static FieldType Infer(IEnumerable<string?> sample)
    {
        int values = 0, dates = 0, codes = 0, names = 0;
        foreach (var raw in sample)
        {
            var value = TextNormaliser.Normalise(raw);
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            values++;
            if (DateForms.TryParse(raw, out _))
            {
                dates++;
            }

            // The normaliser lower-cases; a code's letters are upper case as written.
            if (IsCode(value.ToUpperInvariant()))
            {
                codes++;
            }

            if (IsName(value))
            {
                names++;
            }
        }

        if (values == 0)
        {
            return FieldType.Text;
        }

        bool Most(int count) => count >= Agreement * values - 1e-9;
        return Most(dates) ? FieldType.Date : Most(codes) ? FieldType.Code : Most(names) ? FieldType.Name : FieldType.Text;
    }

    /// <summary>Parses a type's name as users write it: name, date, code, text (any case).</summary>
    public static bool TryParse(string? text, out FieldType type)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "name":
                type = FieldType.Name;
                return true;
            case "date":
                type = FieldType.Date;
                return true;
            case "code":
                type = FieldType.Code;
                return true;
            case "text":
                type = FieldType.Text;
                return true;
            default:
                type = FieldType.Text;
                return false;
        }
    }

    /// <summary>The type's name as <see cref="TryParse"/> reads it.</summary>
    public static string ToName(this FieldType type) => type switch
    {
        FieldType.Name => "name",
        FieldType.Date => "date",
        FieldType.Code => "code",
        _ => "text",
    };

    private static bool IsCode(string value)
    {
        var hasDigit = false;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                hasDigit = true;
            }
            else if (!char.IsAsciiLetterUpper(c) && c != '-')
            {
                return false;
            }
        }

        // A code of letters only ("ABC") is as likely a short Latin name; a single letter (M/F) is a code.
        return hasDigit || value.Length == 1;
    }

    private static bool IsName(string value)
    {
        int han = 0, latin = 0, words = 1;
        foreach (var c in value)
        {
            if (IsHan(c))
            {
                han++;
            }
            else if (char.IsAsciiLetter(c))
            {
                latin++;
            }
            else if (c == ' ')
            {
                words++;
            }
            else if (c is not ('·' or '•' or '.' or '-' or '\''))
            {
                return false;
            }
        }

        return (han > 0 && latin == 0 && han <= 6) || (han == 0 && latin > 0 && value.Length <= 40 && words <= 4);
    }

    /// <summary>A Han character, or half of a surrogate pair (the rare characters of some names are beyond the BMP).</summary>
    internal static bool IsHan(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF') || char.IsSurrogate(c);
}
