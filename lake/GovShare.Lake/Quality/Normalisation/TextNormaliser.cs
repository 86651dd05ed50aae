using System.Buffers;
using System.Globalization;
using System.Text;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>The canonical form two providers' texts are compared in: Unicode NFKC (full-width letters and digits
/// become ASCII, the ideographic space a space), traditional characters simplified (OpenCC, phrases first), every
/// whitespace, control, format and punctuation character removed (ASCII and CJK alike: <c>，。、；：·（）【】《》“”‘’—-</c>;
/// ASCII symbols such as <c>~ | + $</c> too), and the rest lower-cased (invariant culture).</summary>
/// <remarks>It runs over millions of values, so the common case (ASCII, CJK ideographs, full-width ASCII, CJK
/// punctuation) takes one pass over a stack buffer; only a text holding a character NFKC could change outside
/// those ranges is normalised by the runtime first, and only a text holding a character the OpenCC tables could
/// change goes through the converter. Nothing is cached per value.</remarks>
public static class TextNormaliser
{
    private const int StackLimit = 256;

    /// <summary>The comparison form of <paramref name="value"/>; null when it is null or holds nothing but
    /// whitespace and punctuation.</summary>
    public static string? Normalise(string? value) => value is null ? null : Normalise(value.AsSpan());

    /// <summary>The comparison form of <paramref name="value"/>; null when it holds nothing but whitespace and
    /// punctuation.</summary>
    public static string? Normalise(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        char[]? rented = null;
        var buffer = value.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            var written = Fold(value, buffer, nfkcDone: false, out var outcome);
            if (outcome == FoldOutcome.NeedsNfkc)
            {
                return NormaliseCompatibility(value);
            }

            return Finish(buffer[..written], outcome == FoldOutcome.MayBeTraditional);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static string? NormaliseCompatibility(ReadOnlySpan<char> value)
    {
        string composed;
        try
        {
            composed = value.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Ill-formed UTF-16 (a lone surrogate): the runtime refuses it; compare it as it stands.
            composed = value.ToString();
        }

        var rented = ArrayPool<char>.Shared.Rent(composed.Length);
        try
        {
            var written = Fold(composed, rented, nfkcDone: true, out var outcome);
            return Finish(rented.AsSpan(0, written), outcome == FoldOutcome.MayBeTraditional);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static string? Finish(ReadOnlySpan<char> folded, bool mayBeTraditional)
    {
        if (folded.IsEmpty)
        {
            return null;
        }

        if (!mayBeTraditional)
        {
            return new string(folded);
        }

        var converter = TraditionalChinese.Instance;
        var capacity = folded.Length * converter.MaxGrowth;
        char[]? rented = null;
        var buffer = capacity <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(capacity));
        try
        {
            var written = converter.ToSimplified(folded, buffer);
            return new string(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private enum FoldOutcome
    {
        Plain,
        MayBeTraditional,
        NeedsNfkc,
    }

    /// <summary>Full-width ASCII to ASCII, removal of separators and punctuation, lower case; stops early when a
    /// character needs the runtime's NFKC (unless it ran already).</summary>
    private static int Fold(ReadOnlySpan<char> source, Span<char> destination, bool nfkcDone, out FoldOutcome outcome)
    {
        var converter = TraditionalChinese.Instance;
        var mayBeTraditional = false;
        var written = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c is >= '\uFF01' and <= '\uFF5E')
            {
                c = (char)(c - 0xFEE0);
            }

            if (c < 0x80)
            {
                if (char.IsAsciiLetterOrDigit(c))
                {
                    destination[written++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                }

                continue;
            }

            if (c is >= '\u4E00' and <= '\u9FFF')
            {
                mayBeTraditional |= converter.MayChange(c);
                destination[written++] = c;
                continue;
            }

            if (IsRemoved(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                continue;
            }

            if (!nfkcDone && !IsCompatibilityStable(source, i))
            {
                outcome = FoldOutcome.NeedsNfkc;
                return 0;
            }

            mayBeTraditional |= converter.MayChange(c);
            destination[written++] = char.ToLowerInvariant(c);
        }

        outcome = mayBeTraditional ? FoldOutcome.MayBeTraditional : FoldOutcome.Plain;
        return written;
    }

    /// <summary>Separators, controls, format characters and punctuation: removed. (NFKC maps such characters to
    /// other removed ones, so they are removed without asking it.)</summary>
    internal static bool IsRemoved(UnicodeCategory category) => category
        is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
        or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
        or UnicodeCategory.OtherPunctuation;

    /// <summary>True for the characters (beyond ASCII and the CJK Unified Ideographs block) that names and
    /// addresses use and that NFKC leaves alone: Latin letters with diacritics (pinyin's tone marks), CJK
    /// extension A, CJK symbols, Hangul syllables and the supplementary ideograph planes. Anything else goes
    /// through the runtime's NFKC, which is correct but slower.</summary>
    private static bool IsCompatibilityStable(ReadOnlySpan<char> text, int index)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c))
        {
            var codePoint = TraditionalChinese.CodePointAt(text, index, out var units);
            return units == 2 && codePoint is (>= 0x20000 and <= 0x2EBEF) or (>= 0x30000 and <= 0x323AF);
        }

        return c switch
        {
            >= '\u00C0' and <= '\u024F' => c is not ('\u0132' or '\u0133' or '\u013F' or '\u0140' or '\u0149' or '\u017F'
                or (>= '\u01C4' and <= '\u01CC') or (>= '\u01F1' and <= '\u01F3')),
            >= '\u3001' and <= '\u3035' => true,
            >= '\u3400' and <= '\u4DBF' => true,
            >= '\uAC00' and <= '\uD7A3' => true,
            _ => char.IsLowSurrogate(c),
        };
    }
}
