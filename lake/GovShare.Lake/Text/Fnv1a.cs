namespace GovShare.Lake.Text;

/// <summary>64-bit FNV-1a over a string's UTF-16 code units: fast, and good enough to spread identifiers in hash
/// sets and sorted hash indexes. Not for anything adversarial: callers confirm a match with the value itself.</summary>
public static class Fnv1a
{
    /// <summary>The hash of a string.</summary>
    public static ulong Hash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
