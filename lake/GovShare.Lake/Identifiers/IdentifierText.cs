namespace GovShare.Lake.Identifiers;

/// <summary>Turns a key as typed or delivered into the characters the check algorithms see.</summary>
internal static class IdentifierText
{
    /// <summary>Folds full-width forms (common when keys are typed with a Chinese input method) to
    /// ASCII, upper-cases letters, and drops white space; dashes between characters are dropped too when
    /// <paramref name="dropDashes"/> (a leading or trailing dash stays, and is reported). Never throws.</summary>
    public static string Clean(string value, bool dropDashes)
    {
        Span<char> buffer = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
        var length = 0;
        foreach (var original in value)
        {
            var c = original;
            if (c is >= '\uFF01' and <= '\uFF5E')
            {
                c = (char)(c - 0xFEE0);
            }
            else if (c is '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212')
            {
                c = '-';
            }

            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            buffer[length++] = char.ToUpperInvariant(c);
        }

        if (dropDashes)
        {
            var kept = 0;
            for (var i = 0; i < length; i++)
            {
                if (buffer[i] != '-' || i == 0 || i == length - 1)
                {
                    buffer[kept++] = buffer[i];
                }
            }

            length = kept;
        }

        return length == value.Length && buffer[..length].SequenceEqual(value) ? value : new string(buffer[..length]);
    }

    /// <summary>A character for a message: printable ASCII as is, anything else as U+XXXX.</summary>
    public static string Describe(char c) =>
        c is > ' ' and < '\u007F' ? $"'{c}'" : $"U+{(int)c:X4}";
}
