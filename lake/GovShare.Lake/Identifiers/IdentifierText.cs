namespace GovShare.Lake.Identifiers;

/// <summary>Turns a key as typed or delivered into the characters the check algorithms see.</summary>
internal static class IdentifierText
{
    /// <summary>Folds full-width forms (common when keys are typed with a Chinese input method) to
    /// ASCII, upper-cases letters, and drops white space; dashes are dropped too when
    /// <paramref name="dropDashes"/>. Never throws.</summary>
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

            if (char.IsWhiteSpace(c) || (dropDashes && c == '-'))
            {
                continue;
            }

            buffer[length++] = char.ToUpperInvariant(c);
        }

        return length == value.Length && buffer[..length].SequenceEqual(value) ? value : new string(buffer[..length]);
    }

    /// <summary>A character for a message: printable ASCII as is, anything else as U+XXXX.</summary>
    public static string Describe(char c) =>
        c is > ' ' and < '\u007F' ? $"'{c}'" : $"U+{(int)c:X4}";
}
