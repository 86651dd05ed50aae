using System.Collections.Frozen;
using System.Globalization;

namespace GovShare.Lake.Divisions;

/// <summary>China's administrative division codes (GB/T 2260) with their history: which name a code
/// held in which years, its level, its parent and the codes that replaced it.</summary>
/// <remarks>The embedded table is <c>Reference/division-codes.csv</c> (yescallop/areacodes, CC0 1.0).
/// The source gives years, not dates, so every date question is answered for the date's year.</remarks>
public sealed class DivisionRegistry
{
    private const string ResourceName = "GovShare.Lake.Reference.division-codes.csv";
    private const string DirectlyAdministered = "直辖";
    private static readonly Lazy<DivisionRegistry> EmbeddedRegistry = new(LoadEmbedded);

    private readonly FrozenDictionary<string, DivisionRecord[]> _byCode;

    private DivisionRegistry(FrozenDictionary<string, DivisionRecord[]> byCode, int recordCount)
    {
        _byCode = byCode;
        RecordCount = recordCount;
        FirstYear = byCode.Values.SelectMany(rows => rows).Min(row => row.Introduced);
    }

    /// <summary>The table shipped with the platform, loaded once on first use.</summary>
    public static DivisionRegistry Embedded => EmbeddedRegistry.Value;

    /// <summary>How many code periods the table holds.</summary>
    public int RecordCount { get; }

    /// <summary>How many distinct codes the table holds.</summary>
    public int CodeCount => _byCode.Count;

    /// <summary>The earliest year the table knows of; codes are recorded from then on.</summary>
    public int FirstYear { get; }

    /// <summary>Every period of every code, ordered by code and then by year introduced.</summary>
    public IEnumerable<DivisionRecord> All =>
        _byCode.OrderBy(pair => pair.Key, StringComparer.Ordinal).SelectMany(pair => pair.Value);

    /// <summary>Reads a table in the shipped layout (code, province, prefecture, name, level, status,
    /// year introduced, year ended, replacement codes), with or without a byte-order mark.</summary>
    /// <exception cref="LakeException">A row is malformed; the message names the source and line.</exception>
    public static DivisionRegistry Load(TextReader reader, string sourceName)
    {
        var rows = new Dictionary<string, List<DivisionRecord>>(StringComparer.Ordinal);
        var count = 0;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var record = ParseRow(line, sourceName, lineNumber);
            if (!rows.TryGetValue(record.Code, out var list))
            {
                list = [];
                rows.Add(record.Code, list);
            }

            list.Add(record);
            count++;
        }

        if (count == 0)
        {
            throw new LakeException(LakeErrorKind.Corrupt, $"{sourceName}: no division codes found.");
        }

        var frozen = rows.ToFrozenDictionary(
            pair => pair.Key,
            pair => pair.Value.OrderBy(row => row.Introduced).ToArray(),
            StringComparer.Ordinal);
        return new DivisionRegistry(frozen, count);
    }

    /// <summary>True when the code appears in the table at all, in any year.</summary>
    public bool Exists(string code) => _byCode.ContainsKey(code);

    /// <summary>True when the code appears in the table at all, in any year.</summary>
    public bool Exists(ReadOnlySpan<char> code) =>
        _byCode.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(code);

    /// <summary>Every period of the code, oldest first; empty when the code never existed.</summary>
    public IReadOnlyList<DivisionRecord> History(string code) =>
        _byCode.TryGetValue(code, out var rows) ? rows : [];

    /// <summary>Every period of the code, oldest first; empty when the code never existed.</summary>
    public IReadOnlyList<DivisionRecord> History(ReadOnlySpan<char> code) =>
        _byCode.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(code, out var rows) ? rows : [];

    /// <summary>The period of the code that held in <paramref name="year"/>, or null. When a code was
    /// renamed or reused during that year, the period that began then wins.</summary>
    public DivisionRecord? Find(string code, int year) => FindIn(History(code), year);

    /// <summary>The period of the code that held on <paramref name="date"/> (by its year), or null.</summary>
    public DivisionRecord? Find(string code, DateOnly date) => Find(code, date.Year);

    /// <summary>The division directly above this one in the year given: for a county its prefecture
    /// (or its province where the county is administered directly), for a prefecture its province.</summary>
    public DivisionRecord? Parent(DivisionRecord division, int year)
    {
        if (division.Level == DivisionLevel.Province)
        {
            return null;
        }

        if (division.Level == DivisionLevel.County)
        {
            var prefecture = Find(string.Concat(division.Code.AsSpan(0, 4), "00"), year);
            if (prefecture is { Level: DivisionLevel.Prefecture })
            {
                return prefecture;
            }
        }

        return Find(string.Concat(division.Code.AsSpan(0, 2), "0000"), year);
    }

    /// <summary>The codes that hold today the area of <paramref name="code"/>: the code itself while it is
    /// in use, otherwise its replacements, following chains of retirements. A code retired without a
    /// recorded replacement is its own (last known) successor.</summary>
    public IReadOnlyList<string> CurrentSuccessors(string code)
    {
        var result = new List<string>();
        AddSuccessors(code, new HashSet<string>(StringComparer.Ordinal), result);
        return result;
    }

    private void AddSuccessors(string code, HashSet<string> seen, List<string> result)
    {
        if (!seen.Add(code))
        {
            return;
        }

        var history = History(code);
        if (history.Count == 0 || history[^1] is { Ended: null } or { Replacements.Count: 0 })
        {
            result.Add(code);
            return;
        }

        foreach (var replacement in history[^1].Replacements)
        {
            AddSuccessors(replacement.Code, seen, result);
        }
    }

    internal static DivisionRecord? FindIn(IReadOnlyList<DivisionRecord> history, int year)
    {
        DivisionRecord? endingThatYear = null;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var row = history[i];
            if (!row.HeldIn(year))
            {
                continue;
            }

            if (row.Ended != year)
            {
                return row;
            }

            endingThatYear ??= row;
        }

        return endingThatYear;
    }

    private static DivisionRegistry LoadEmbedded()
    {
        using var stream = typeof(DivisionRegistry).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new LakeException(LakeErrorKind.NotFound, $"The embedded resource {ResourceName} is missing from this build.");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Load(reader, "division-codes.csv");
    }

    private static DivisionRecord ParseRow(string line, string sourceName, int lineNumber)
    {
        var fields = line.Split(',');
        if (fields.Length != 9)
        {
            throw Malformed(sourceName, lineNumber, "row", $"expected 9 fields, found {fields.Length}");
        }

        var code = fields[0];
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            throw Malformed(sourceName, lineNumber, "code", $"'{code}' is not six digits");
        }

        var level = fields[4] switch
        {
            "省级" => DivisionLevel.Province,
            "地级" => DivisionLevel.Prefecture,
            "县级" => DivisionLevel.County,
            _ => throw Malformed(sourceName, lineNumber, "level", $"unknown level '{fields[4]}'"),
        };
        var status = fields[5] switch
        {
            "在用" => DivisionStatus.InUse,
            "弃用" => DivisionStatus.Retired,
            "变更" => DivisionStatus.Changed,
            _ => throw Malformed(sourceName, lineNumber, "status", $"unknown status '{fields[5]}'"),
        };
        var introduced = ParseYear(fields[6], sourceName, lineNumber, "introduced")
            ?? throw Malformed(sourceName, lineNumber, "introduced", "the year introduced is missing");
        var ended = ParseYear(fields[7], sourceName, lineNumber, "ended");
        if (ended < introduced)
        {
            throw Malformed(sourceName, lineNumber, "ended", $"{ended} is before the year introduced {introduced}");
        }

        var prefecture = fields[2].Length == 0 || fields[2] == DirectlyAdministered ? null : fields[2];
        return new DivisionRecord(
            code, fields[3], fields[1], prefecture, level, status, introduced, ended,
            ParseReplacements(fields[8], sourceName, lineNumber));
    }

    private static int? ParseYear(string text, string sourceName, int lineNumber, string field)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1949 or > 2100)
        {
            throw Malformed(sourceName, lineNumber, field, $"'{text}' is not a year");
        }

        return year;
    }

    private static DivisionReplacement[] ParseReplacements(string text, string sourceName, int lineNumber)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var parts = text.Split(';');
        var result = new DivisionReplacement[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            int? year = null;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                year = ParseYear(part[(bracket + 1)..].TrimEnd(']'), sourceName, lineNumber, "replacement");
                part = part[..bracket];
            }

            if (part.Length != 6 || !part.All(char.IsAsciiDigit))
            {
                throw Malformed(sourceName, lineNumber, "replacement", $"'{parts[i]}' is not a six-digit code");
            }

            result[i] = new DivisionReplacement(part, year);
        }

        return result;
    }

    private static LakeException Malformed(string sourceName, int lineNumber, string field, string problem) =>
        new(LakeErrorKind.Corrupt, $"{sourceName}, line {lineNumber}, field '{field}': {problem}.");
}
