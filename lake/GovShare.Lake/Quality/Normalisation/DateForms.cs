namespace GovShare.Lake.Quality.Normalisation;

/// <summary>Reads the date forms agencies write: <c>yyyy-MM-dd</c>, <c>yyyy/M/d</c>, <c>yyyy.M.d</c>,
/// <c>yyyyMMdd</c>, <c>yyyy年M月d日</c> (month and day with one or two digits, full-width digits too), and ISO
/// date-times, of which the date is taken as written (no time-zone conversion).</summary>
/// <remarks>A number such as <c>45000</c> is an Excel serial date only when the caller says the column holds
/// them: otherwise any count or amount would read as a date.</remarks>
public static class DateForms
{
    private const int LongestText = 64;
    private const int LastExcelSerial = 2958465; // 9999-12-31
    private const int ExcelLeapBugSerial = 60;   // 1900-02-29, which Excel counts and the calendar does not have

    /// <summary>Reads a date in one of the forms above; false for anything else, including dates that do not
    /// exist (<c>2023-02-30</c>) and Excel serial numbers.</summary>
    public static bool TryParse(string? text, out DateOnly date) => TryParse(text, acceptExcelSerial: false, out date);

    /// <summary>Reads a date in one of the forms above, or, when <paramref name="acceptExcelSerial"/> is true, an
    /// Excel serial date of the 1900 date system (<c>44927</c> is 2023-01-01; a fraction, the time, is ignored).</summary>
    public static bool TryParse(string? text, bool acceptExcelSerial, out DateOnly date)
    {
        date = default;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed.Length > LongestText)
        {
            return false;
        }

        Span<char> folded = stackalloc char[trimmed.Length];
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            folded[i] = c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c == '\u3000' ? ' ' : c;
        }

        var digits = CountDigits(folded);
        if (digits == folded.Length && digits == 8)
        {
            return TryCreate(Number(folded[..4]), Number(folded[4..6]), Number(folded[6..]), out date);
        }

        if (IsSerial(folded, digits))
        {
            return acceptExcelSerial && digits <= 7 && TryExcelSerial(Number(folded[..digits]), out date);
        }

        return digits == 4 && TrySeparated(folded, out date);
    }

    /// <summary>yyyy, a separator, month, the same separator (or 月 after 年), day (and 日 after 年), then
    /// nothing or a time.</summary>
    private static bool TrySeparated(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        var year = Number(text[..4]);
        var position = 4;
        while (position < text.Length && text[position] == ' ')
        {
            position++;
        }

        var separator = position < text.Length ? text[position] : '\0';
        var chinese = separator == '年';
        if (separator is not ('-' or '/' or '.' or '年') || (position > 4 && !chinese))
        {
            return false;
        }

        position++;
        if (!TryTake(text, ref position, chinese, out var month)
            || position >= text.Length || text[position] != (chinese ? '月' : separator))
        {
            return false;
        }

        position++;
        if (!TryTake(text, ref position, chinese, out var day))
        {
            return false;
        }

        if (chinese && position < text.Length && text[position] is '日' or '号')
        {
            position++;
        }

        return (position == text.Length || IsTime(text[position..])) && TryCreate(year, month, day, out date);
    }

    /// <summary>One or two digits (spaces around them allowed in the 年月日 form).</summary>
    private static bool TryTake(ReadOnlySpan<char> text, ref int position, bool spaces, out int value)
    {
        while (spaces && position < text.Length && text[position] == ' ')
        {
            position++;
        }

        var length = CountDigits(text[position..]);
        value = length is 1 or 2 ? Number(text.Slice(position, length)) : 0;
        position += length;
        while (spaces && position < text.Length && text[position] == ' ')
        {
            position++;
        }

        return length is 1 or 2;
    }

    /// <summary><c>T</c> or spaces, H:mm, optional :ss and fraction, optional Z or ±hh[:mm].</summary>
    private static bool IsTime(ReadOnlySpan<char> text)
    {
        if (text[0] is not ('T' or 't' or ' '))
        {
            return false;
        }

        text = text[1..].Trim();
        var hours = CountDigits(text);
        if (hours is not (1 or 2) || Number(text[..hours]) > 23 || !IsPair(text[hours..], ':', 59, out var rest))
        {
            return false;
        }

        if (IsPair(rest, ':', 60, out var afterSeconds))
        {
            rest = afterSeconds;
            if (rest.Length > 1 && rest[0] is '.' or ',' && CountDigits(rest[1..]) is > 0 and var fraction)
            {
                rest = rest[(1 + fraction)..];
            }
        }

        if (rest.IsEmpty || rest is "Z" or "z")
        {
            return true;
        }

        // ±hh, ±hhmm or ±hh:mm
        if (rest[0] is not ('+' or '-'))
        {
            return false;
        }

        var zone = rest[1..];
        var zoneDigits = CountDigits(zone);
        var minutesOk = zoneDigits switch
        {
            2 when zone.Length == 2 => true,
            4 when zone.Length == 4 => Number(zone[2..]) <= 59,
            2 => IsPair(zone[2..], ':', 59, out var end) && end.IsEmpty,
            _ => false,
        };
        return minutesOk && Number(zone[..2]) <= 18;
    }

    /// <summary>A separator then two digits no greater than <paramref name="max"/>.</summary>
    private static bool IsPair(ReadOnlySpan<char> text, char separator, int max, out ReadOnlySpan<char> rest)
    {
        rest = text;
        if (text.Length < 3 || text[0] != separator || CountDigits(text[1..]) != 2 || Number(text.Slice(1, 2)) > max)
        {
            return false;
        }

        rest = text[3..];
        return true;
    }

    private static bool IsSerial(ReadOnlySpan<char> text, int digits) =>
        digits > 0 && (digits == text.Length
            || (text[digits] == '.' && digits + 1 < text.Length && CountDigits(text[(digits + 1)..]) == text.Length - digits - 1));

    private static bool TryExcelSerial(int serial, out DateOnly date)
    {
        date = default;
        if (serial is < 1 or > LastExcelSerial or ExcelLeapBugSerial)
        {
            return false;
        }

        // Excel's day 1 is 1900-01-01 and it counts a 29 February 1900: from day 61 on, day 0 is 1899-12-30.
        date = (serial < ExcelLeapBugSerial ? new DateOnly(1899, 12, 31) : new DateOnly(1899, 12, 30)).AddDays(serial);
        return true;
    }

    private static bool TryCreate(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static int CountDigits(ReadOnlySpan<char> text)
    {
        var count = 0;
        while (count < text.Length && char.IsAsciiDigit(text[count]))
        {
            count++;
        }

        return count;
    }

    /// <summary>The value of a short run of ASCII digits (at most 9, so it cannot overflow).</summary>
    private static int Number(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var c in digits[..Math.Min(digits.Length, 9)])
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }
}
