using GovShare.Lake.Divisions;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>An address split into the administrative division its leading names give and the rest, so that
/// <c>河南省郑州市金水区花园路12号</c>, <c>郑州市金水区花园路12号</c>, <c>郑州金水区花园路12号</c> and
/// <c>金水区花园路１２号</c> compare equal.</summary>
/// <param name="DivisionCode">The most specific division in use today that the leading names give (a county's, a
/// city's or a province's code), or null when the address does not start with one.</param>
/// <param name="Rest">What follows the division names, in <see cref="TextNormaliser"/>'s form; null when nothing does.</param>
public sealed record AddressParts(string? DivisionCode, string? Rest)
{
    /// <summary>Reads the division names off the start of <paramref name="address"/> (after
    /// <see cref="TextNormaliser"/>: traditional characters, full-width digits and punctuation do not matter).</summary>
    /// <remarks>A leading 中国 or 中华人民共和国 is passed over. Names are those of divisions in use today, each
    /// below the one before it (province, city, county; a level may be skipped). A name counts with its suffix
    /// (<c>郑州市</c>, <c>管城回族区</c>, also <c>管城区</c>) or without it (<c>郑州</c>, <c>管城</c>), but without it only
    /// where another division's name or the end of the address follows, so that the road <c>金水路</c> is not read
    /// as 金水区. A name several divisions bear (<c>鼓楼区</c>) counts when the names before it or
    /// <paramref name="contextCode"/> leave one; a name of a province and of one of its cities (<c>吉林</c>) is read
    /// as the province, and the next name may still go down to the city. Where a name stays ambiguous the reading
    /// stops, and the name is part of the rest.</remarks>
    /// <param name="address">The address as delivered.</param>
    /// <param name="divisions">The division codes (usually <see cref="DivisionRegistry.Embedded"/>).</param>
    /// <param name="contextCode">The province, city or county the address is known to lie in or near (the
    /// provider's own division), used only to decide between divisions of the same name.</param>
    public static AddressParts Split(string? address, DivisionRegistry divisions, string? contextCode = null)
    {
        ArgumentNullException.ThrowIfNull(divisions);
        var text = TextNormaliser.Normalise(address);
        if (text is null)
        {
            return new AddressParts(null, null);
        }

        var names = DivisionNames.Of(divisions);
        var context = contextCode is null ? null : names.InUse(contextCode);
        DivisionRecord? current = null;
        var position = CountryPrefix(text);
        while (MatchAt(names, text, position, current, context) is var (division, length))
        {
            current = division;
            position += length;
        }

        return new AddressParts(current?.Code, position == text.Length ? null : text[position..]);
    }

    /// <summary>True when two addresses agree: the same rest, and divisions that do not contradict each other
    /// (one within the other, or either unknown).</summary>
    public static bool Same(AddressParts a, AddressParts b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return string.Equals(a.Rest, b.Rest, StringComparison.Ordinal) && Compatible(a.DivisionCode, b.DivisionCode);
    }

    /// <summary>True when two addresses, as delivered, agree (<see cref="Split"/> both, then <see cref="Same(AddressParts, AddressParts)"/>).</summary>
    public static bool Same(string? a, string? b, DivisionRegistry divisions, string? contextCode = null) =>
        Same(Split(a, divisions, contextCode), Split(b, divisions, contextCode));

    /// <summary>True when two division codes do not contradict each other: either is null, or one lies within the
    /// other (<c>410000</c>, <c>410100</c> and <c>410105</c> are compatible; <c>410105</c> and <c>410103</c> are not).</summary>
    public static bool Compatible(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return true;
        }

        var first = Significant(a);
        var second = Significant(b);
        return first.Length <= second.Length ? second.StartsWith(first, StringComparison.Ordinal) : first.StartsWith(second, StringComparison.Ordinal);
    }

    /// <summary>The length of a leading 中华人民共和国 or 中国 (some registers write the country first), or 0.</summary>
    private static int CountryPrefix(string text) =>
        text.StartsWith("中华人民共和国", StringComparison.Ordinal) ? "中华人民共和国".Length
        : text.StartsWith("中国", StringComparison.Ordinal) ? "中国".Length
        : 0;

    /// <summary>The digits of a code that say something: 2 for a province, 4 for a prefecture, 6 for a county.</summary>
    private static ReadOnlySpan<char> Significant(string code) =>
        code.Length != 6 ? code
        : code.EndsWith("0000", StringComparison.Ordinal) ? code.AsSpan(0, 2)
        : code.EndsWith("00", StringComparison.Ordinal) ? code.AsSpan(0, 4)
        : code;

    private static (DivisionRecord Division, int Length)? MatchAt(
        DivisionNames names, string text, int start, DivisionRecord? parent, DivisionRecord? context)
    {
        for (var length = Math.Min(names.LongestName, text.Length - start); length >= 2; length--)
        {
            List<DivisionRecord>? candidates = null;
            foreach (var named in names.Find(text.AsSpan(start, length)))
            {
                var division = named.Division;
                if ((parent is not null && !IsWithin(division, parent))
                    || (candidates?.Exists(c => c.Code == division.Code) ?? false)
                    || (!named.IsFullName && start + length < text.Length && MatchAt(names, text, start + length, division, context) is null))
                {
                    continue;
                }

                (candidates ??= []).Add(division);
            }

            if (candidates is not null)
            {
                return Choose(candidates, context) is { } chosen ? (chosen, length) : null;
            }
        }

        return null;
    }

    private static DivisionRecord? Choose(List<DivisionRecord> candidates, DivisionRecord? context)
    {
        if (candidates.Count > 1 && context is not null)
        {
            var related = candidates.FindAll(c => c.Code == context.Code || IsWithin(c, context) || IsWithin(context, c));
            if (related.Count > 0)
            {
                candidates = related;
            }
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        // A province and a city within it under one name: the province, and the next name may still be the city.
        var top = candidates.MinBy(c => c.Level)!;
        return candidates.TrueForAll(c => c == top || IsWithin(c, top)) ? top : null;
    }

    private static bool IsWithin(DivisionRecord division, DivisionRecord ancestor) =>
        division.Level > ancestor.Level
        && division.Code.AsSpan(0, ancestor.Level == DivisionLevel.Province ? 2 : 4)
            .SequenceEqual(ancestor.Code.AsSpan(0, ancestor.Level == DivisionLevel.Province ? 2 : 4));
}
