using System.Globalization;
using System.Text;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Evidence;
using GovShare.Lake.Freshness;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>Why a row was quarantined: stable codes that reports, tests and the UI rely on.</summary>
public static class QuarantineReasons
{
    /// <summary>The row could not be split into the file's columns (field count, unclosed quote, bad JSON).</summary>
    public const string MalformedRow = "malformed_row";

    /// <summary>A required field is empty.</summary>
    public const string MissingRequired = "missing_required";

    /// <summary>An identifier fails its standard's rules (check character, region, date, length).</summary>
    public const string InvalidIdentifier = "invalid_identifier";

    /// <summary>A date that does not exist or cannot be read.</summary>
    public const string InvalidDate = "invalid_date";

    /// <summary>A real date that cannot be right (a birth date in the future, before 1880).</summary>
    public const string ImplausibleDate = "implausible_date";

    /// <summary>A number, boolean or timestamp that cannot be read, or out of range.</summary>
    public const string InvalidValue = "invalid_value";

    /// <summary>A code neither mapped by the entry nor allowed by the attribute's enumeration.</summary>
    public const string InvalidEnum = "invalid_enum";

    /// <summary>A key delivered more than once in one file: every row with it is quarantined.</summary>
    public const string DuplicateKey = "duplicate_key";

    /// <summary>A licence's seal that is not base64 of an SM2 signature, while its issuer has a registered seal key.</summary>
    public const string InvalidSeal = "invalid_seal";

    /// <summary>A licence's seal that does not verify against its issuer's registered key: the record was changed
    /// after sealing, or another key sealed it.</summary>
    public const string SealMismatch = "seal_mismatch";
}

/// <summary>Cross-field warnings: recorded in the batch report, the row is still accepted.</summary>
public static class IngestionWarnings
{
    /// <summary>The birth date column differs from the birth date in the citizen ID.</summary>
    public const string BirthDateDiffersFromId = "birth_date_differs_from_id";

    /// <summary>The sex column differs from the sex encoded in the citizen ID.</summary>
    public const string SexDiffersFromId = "sex_differs_from_id";

    /// <summary>The division embedded in a USCC differs from the declared registered division.</summary>
    public const string UsccDivisionDiffers = "uscc_division_differs";

    /// <summary>A deletion marker for a key the table does not hold.</summary>
    public const string DeletionOfUnknownKey = "deletion_of_unknown_key";

    /// <summary>A full snapshot ended nothing because some quarantined rows had no readable key.</summary>
    public const string EndingsSkipped = "endings_skipped";

    /// <summary>A licence without a seal while its issuer has a registered seal key (the entry does not require one).</summary>
    public const string UnsealedRecord = "unsealed_record";

    /// <summary>The production-time column (<c>producedAt</c>) of an accepted row is empty or not a date and time: the
    /// record is kept, its timeliness is not judged.</summary>
    public const string ProductionTimeUnreadable = "production_time_unreadable";

    /// <summary>A production time after the day of the delivery: not counted (it would push the deadline out).</summary>
    public const string ProductionTimeInFuture = "production_time_in_future";
}

/// <summary>How a delivery's production times are judged (entries with <c>producedAt</c>).</summary>
/// <param name="After">The newest production time delivered before (records produced after it are new); null for the
/// dataset's first delivery with production times, a historical load whose records are not judged late.</param>
/// <param name="DeliveredAt">The delivery's time (when ingestion began: the file was in the platform's hands).</param>
/// <param name="Calendar">The working-day calendar (a record's deadline moves off days off, as the freshness rules do).</param>
internal sealed record ProductionJudge(DateTimeOffset? After, DateTimeOffset DeliveredAt, WorkingCalendar Calendar);

/// <summary>One problem of one field of a row.</summary>
internal readonly record struct FieldProblem(string Field, string Reason, string Message);

/// <summary>A cross-field observation about an accepted row.</summary>
internal readonly record struct RowWarning(string Code, string Field, string Message);

/// <summary>How one mapped column is turned into a typed attribute value.</summary>
internal sealed class FieldPlan
{
    public required FieldMapping Mapping { get; init; }

    public required BaseAttribute Attribute { get; init; }

    public required int Column { get; init; }

    public required bool IsKey { get; init; }

    /// <summary>The identifier kind to check, <see cref="IdentifierKind.Unknown"/> for "any kind", null for none.</summary>
    public IdentifierKind? Identifier { get; init; }

    /// <summary>Dates that cannot lie in the future (birth, establishment, issue, status change).</summary>
    public bool PastOnly { get; init; }

    public bool Upper { get; init; }

    public bool Lower { get; init; }

    public bool HalfWidth { get; init; }

    public bool RemoveSpaces { get; init; }
}

/// <summary>Checks and converts each row of a delivery per its catalogue entry: transforms, required
/// fields, code maps, types, enumerations, identifiers, date sanity; then the issuer's seal (licences whose
/// issuer has a registered key) and the cross-field warnings.</summary>
internal sealed class RowChecker
{
    private static readonly HashSet<string> PastAttributes = new(StringComparer.Ordinal) { "birth_date", "established_date", "issue_date", "status_date" };

    private static readonly string[] CommonDateFormats =
    [
        "yyyy-MM-dd", "yyyyMMdd", "yyyy/M/d", "yyyy-M-d", "yyyy.M.d", "yyyy年M月d日", "yyyy/MM/dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss",
        "yyyy/M/d H:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    private readonly IdentifierValidator _validator;
    private readonly DateOnly _today;
    private readonly int _sexField = -1;
    private readonly int _birthField = -1;
    private readonly int _divisionField = -1;
    private readonly IssuerKey? _sealKey;
    private readonly int _sealField = -1;
    private readonly ProductionJudge? _production;
    private readonly int _producedColumn = -1;
    private readonly string _producedName = "";
    private readonly IReadOnlyList<string> _producedFormats = [];
    private readonly DateTimeOffset _latestProduction;

    /// <param name="entry">The catalogue entry.</param>
    /// <param name="columns">The file's columns.</param>
    /// <param name="validator">The identifier checks.</param>
    /// <param name="today">China's date, for dates that cannot lie in the future.</param>
    /// <param name="sealKey">The issuer's registered seal key: with it, each row's <c>seal</c> is verified (only
    /// <c>licence.licences</c> entries that map <c>seal</c> use it); without it, seals are stored unverified.</param>
    /// <param name="production">How production times are judged, for an entry with <c>producedAt</c>; null: not read.</param>
    public RowChecker(CatalogueEntry entry, IReadOnlyList<string> columns, IdentifierValidator validator, DateOnly today, IssuerKey? sealKey = null,
        ProductionJudge? production = null)
    {
        _validator = validator;
        _today = today;
        var table = entry.Table;
        var plans = new List<FieldPlan>();
        foreach (var mapping in entry.Fields)
        {
            var column = IndexOf(columns, mapping.Source);
            var isKey = mapping.Source == entry.KeyColumn;
            var identifier = isKey && entry.KeyKind is { } keyKind ? keyKind
                : mapping.Identifier is "any" ? IdentifierKind.Unknown
                : IdentifierKindNames.TryParse(mapping.Identifier, out var kind) ? kind : (IdentifierKind?)null;
            plans.Add(new FieldPlan
            {
                Mapping = mapping,
                Attribute = table.Find(mapping.Target)!,
                Column = column,
                IsKey = isKey,
                Identifier = identifier,
                PastOnly = PastAttributes.Contains(mapping.Target),
                Upper = mapping.Transforms.Contains("upper"),
                Lower = mapping.Transforms.Contains("lower"),
                HalfWidth = mapping.Transforms.Contains("halfwidth"),
                RemoveSpaces = mapping.Transforms.Contains("remove_spaces"),
            });
        }

        Fields = plans;
        KeyIndex = plans.FindIndex(p => p.IsKey);
        if (entry.KeyKind == IdentifierKind.Citizen)
        {
            _sexField = plans.FindIndex(p => p.Mapping.Target == "sex");
            _birthField = plans.FindIndex(p => p.Mapping.Target == "birth_date");
        }

        if (entry.KeyKind == IdentifierKind.Uscc)
        {
            _divisionField = plans.FindIndex(p => p.Mapping.Target == "registered_division");
        }

        if (sealKey is not null && entry.Table.QualifiedName == BaseDatabaseCatalog.Licences.QualifiedName)
        {
            _sealField = plans.FindIndex(p => p.Mapping.Target == "seal");
            _sealKey = _sealField >= 0 ? sealKey : null;
        }

        if (entry.Delivery.DeletionColumn is { } marker)
        {
            DeletionColumn = IndexOf(columns, marker);
            DeletionValues = entry.Delivery.DeletionValues.ToHashSet(StringComparer.Ordinal);
        }

        if (production is not null && entry.ProducedAt is { } produced)
        {
            _production = production;
            _producedColumn = IndexOf(columns, produced);
            _producedName = produced;
            _producedFormats = entry.Fields.FirstOrDefault(f => f.Source == produced)?.Formats ?? [];
            // A date is read as the end of its day, so a record produced "today" is still plausible; anything later is not.
            var delivered = ChinaTime.ToChina(production.DeliveredAt);
            _latestProduction = new DateTimeOffset(delivered.Year, delivered.Month, delivered.Day, 0, 0, 0, ChinaTime.Offset).AddDays(1);
        }
    }

    /// <summary>True when rows carry a production time to judge.</summary>
    public bool JudgesProduction => _production is not null;

    /// <summary>The mapped fields, in entry order (the staging table's column order).</summary>
    public IReadOnlyList<FieldPlan> Fields { get; }

    /// <summary>The position of the key among <see cref="Fields"/>.</summary>
    public int KeyIndex { get; }

    /// <summary>The key the rows' seals are verified with, or null when they are not.</summary>
    public IssuerKey? SealKey => _sealKey;

    private int DeletionColumn { get; } = -1;

    private HashSet<string> DeletionValues { get; } = [];

    /// <summary>The normalised key of a row that failed other checks, or null when the key itself is missing
    /// or invalid (so that a full snapshot knows the provider still holds that key).</summary>
    public string? TryKey(string?[] values)
    {
        var plan = Fields[KeyIndex];
        var text = Transform(plan, plan.Column >= 0 && plan.Column < values.Length ? values[plan.Column] : null);
        if (text.Length == 0)
        {
            return null;
        }

        if (plan.Mapping.Map.TryGetValue(text, out var mapped))
        {
            text = mapped;
        }

        if (plan.Identifier is not { } kind)
        {
            return text;
        }

        var check = kind == IdentifierKind.Unknown ? _validator.Check(text) : _validator.Check(text, kind);
        return check.IsValid ? check.Normalized ?? text : null;
    }

    /// <summary>True when the row carries the entry's deletion marker.</summary>
    public bool IsDeletion(string?[] values) =>
        DeletionColumn >= 0 && values[DeletionColumn] is { } marker && DeletionValues.Contains(marker.Trim());

    /// <summary>Converts a row into <paramref name="typed"/> (one value per field, null for empty); returns the
    /// problems (none: the row is accepted). A deletion row needs only its key.</summary>
    public void Check(string?[] values, object?[] typed, bool deletion, List<FieldProblem> problems, List<RowWarning> warnings)
    {
        problems.Clear();
        warnings.Clear();
        IdentifierCheck? keyCheck = null;
        for (var i = 0; i < Fields.Count; i++)
        {
            var plan = Fields[i];
            typed[i] = null;
            if (deletion && !plan.IsKey)
            {
                continue;
            }

            var text = Transform(plan, plan.Column >= 0 ? values[plan.Column] : null);
            if (text.Length == 0)
            {
                if (plan.Mapping.Required || plan.IsKey)
                {
                    problems.Add(new FieldProblem(plan.Mapping.Source, QuarantineReasons.MissingRequired, $"{plan.Mapping.Source} is required but empty"));
                }

                continue;
            }

            if (plan.Mapping.Map.TryGetValue(text, out var mapped))
            {
                text = mapped;
            }

            if (plan.Identifier is { } kind)
            {
                var check = kind == IdentifierKind.Unknown ? _validator.Check(text) : _validator.Check(text, kind);
                if (!check.IsValid)
                {
                    // A citizen ID is not echoed at all: with the reason (region, birth year) even a masked one
                    // would give most of it away. The raw row in quarantine keeps it for reviewers.
                    var citizen = check.Kind == IdentifierKind.Citizen || kind == IdentifierKind.Citizen;
                    var shown = citizen ? "" : $" '{text}'";
                    problems.Add(new FieldProblem(plan.Mapping.Source, QuarantineReasons.InvalidIdentifier,
                        $"{plan.Mapping.Source}{shown} is not a valid {(kind == IdentifierKind.Unknown ? "identifier" : kind.ToName())}: {check.Reason}"));
                    continue;
                }

                text = check.Normalized ?? text;
                if (plan.IsKey)
                {
                    keyCheck = check;
                }
            }

            if (Parse(plan, text, out var value) is { } problem)
            {
                problems.Add(problem);
                continue;
            }

            if (plan.Attribute.Values is { } allowed && value is string s && !allowed.Contains(s))
            {
                var codes = plan.Mapping.Map.Count == 0 ? "" : $" or a mapped code ({string.Join(", ", plan.Mapping.Map.Keys)})";
                problems.Add(new FieldProblem(plan.Mapping.Source, QuarantineReasons.InvalidEnum,
                    $"{plan.Mapping.Source} '{text}' is not one of {string.Join(", ", allowed)}{codes}"));
                continue;
            }

            typed[i] = value;
        }

        if (problems.Count == 0 && !deletion && _sealKey is not null)
        {
            CheckSeal(_sealKey, typed, problems, warnings);
        }

        if (problems.Count == 0 && keyCheck is not null && !deletion)
        {
            CrossCheck(keyCheck, typed, warnings);
        }
    }

    /// <summary>The production time of an accepted row (null when unknown), and whether the record came late:
    /// produced after the newest production time delivered before and past its own deadline (3 days, moved off days off)
    /// when this delivery came. An empty or unreadable value is a warning (the row is kept); a deletion row needs only its
    /// key, so an empty value there is no warning.</summary>
    public DateTimeOffset? Production(string?[] values, bool deletion, List<RowWarning> warnings, out bool late)
    {
        late = false;
        var raw = _producedColumn >= 0 && _producedColumn < values.Length ? values[_producedColumn] : null;
        var text = raw is null ? "" : HalfWidth(raw.Trim());
        if (text.Length == 0 || text == @"\N")
        {
            if (!deletion)
            {
                warnings.Add(new RowWarning(IngestionWarnings.ProductionTimeUnreadable, _producedName,
                    $"{_producedName} is empty: the record is kept, but when it was produced is unknown"));
            }

            return null;
        }

        if (!TryParseProduction(text, _producedFormats, out var produced))
        {
            var shown = CitizenIdNumber.MaskWithin(text.Length > 40 ? text[..40] + "…" : text);
            warnings.Add(new RowWarning(IngestionWarnings.ProductionTimeUnreadable, _producedName,
                $"{_producedName} '{shown}' is not a date and time: the record is kept, but when it was produced is unknown"));
            return null;
        }

        if (produced > _latestProduction)
        {
            warnings.Add(new RowWarning(IngestionWarnings.ProductionTimeInFuture, _producedName,
                $"{_producedName} {ChinaTime.ToChina(produced):yyyy-MM-dd HH:mm} is after the day of the delivery: not counted"));
            return null;
        }

        var judge = _production!;
        // The cheap test first: most records are neither new nor 3 days old.
        late = judge.After is { } after && produced > after && produced + FreshnessRules.ProductionWindow < judge.DeliveredAt
            && FreshnessRules.ProductionDeadline(judge.Calendar, produced) < judge.DeliveredAt;
        return produced;
    }

    /// <summary>Reads a production time: a date and time (China time without an offset, as every agency system writes
    /// it), or a date in the field's formats or the common ones, read as the end of that day (24:00 China time): a
    /// record produced some time that day gets the benefit of the doubt, as days are counted from the next day.</summary>
    internal static bool TryParseProduction(string text, IReadOnlyList<string> formats, out DateTimeOffset produced)
    {
        if (FastDateTime(text, out produced))
        {
            return true;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                var hasOffset = text.Contains('Z', StringComparison.OrdinalIgnoreCase) || text.LastIndexOfAny(['+', '-']) > 10;
                produced = hasOffset ? parsed : new DateTimeOffset(parsed.DateTime, ChinaTime.Offset);
                return true;
            }

            return false;
        }

        if (TryParseDate(text, formats, out var date, out _))
        {
            produced = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset).AddDays(1);
            return true;
        }

        return false;
    }

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> (or with <c>T</c>, or <c>/</c>) and <c>yyyyMMddHHmmss</c>, China time, without
    /// the general parser: it runs once per row.</summary>
    private static bool FastDateTime(string text, out DateTimeOffset produced)
    {
        produced = default;
        int year, month, day, hour, minute, second;
        if (text.Length == 19 && (text[4] is '-' or '/') && text[7] == text[4] && (text[10] is ' ' or 'T') && text[13] == ':' && text[16] == ':'
            && AllDigits(text, 0, 4) && AllDigits(text, 5, 2) && AllDigits(text, 8, 2) && AllDigits(text, 11, 2) && AllDigits(text, 14, 2) && AllDigits(text, 17, 2))
        {
            (year, month, day, hour, minute, second) = (Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2), Digits(text, 11, 2), Digits(text, 14, 2), Digits(text, 17, 2));
        }
        else if (text.Length == 14 && AllDigits(text, 0, 14))
        {
            (year, month, day, hour, minute, second) = (Digits(text, 0, 4), Digits(text, 4, 2), Digits(text, 6, 2), Digits(text, 8, 2), Digits(text, 10, 2), Digits(text, 12, 2));
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        produced = new DateTimeOffset(year, month, day, hour, minute, second, ChinaTime.Offset);
        return true;
    }

    private static bool AllDigits(string text, int start, int length) => text.AsSpan(start, length).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>Verifies the seal over the record as it will be stored (docs/issuer-seals.md), so that the values
    /// checked are exactly the values served later. Runs last: the typed values must all be there.</summary>
    private void CheckSeal(IssuerKey key, object?[] typed, List<FieldProblem> problems, List<RowWarning> warnings)
    {
        var plan = Fields[_sealField];
        var source = plan.Mapping.Source;
        var named = source == plan.Mapping.Target ? source : $"{source} ({plan.Mapping.Target})";
        if (typed[_sealField] is not string seal)
        {
            // A required seal is already missing_required; an optional one may be absent on records issued
            // before the issuer started sealing, so the row is kept and counted.
            warnings.Add(new RowWarning(IngestionWarnings.UnsealedRecord, source,
                $"{named} is empty although {key.AgencyCode} has a registered seal key: the record is accepted unsealed"));
            return;
        }

        var record = new Dictionary<string, object?>(Fields.Count, StringComparer.Ordinal);
        for (var i = 0; i < Fields.Count; i++)
        {
            record[Fields[i].Mapping.Target] = typed[i];
        }

        switch (key.Check(record, seal))
        {
            case SealCheck.Unreadable:
                problems.Add(new FieldProblem(source, QuarantineReasons.InvalidSeal,
                    $"{named} is not a seal: expected the base64 of an SM2 signature (DER, or r and s in 64 bytes)"));
                break;
            case SealCheck.Mismatch:
                problems.Add(new FieldProblem(source, QuarantineReasons.SealMismatch,
                    $"{named} does not verify against the seal key registered for {key.AgencyCode} (key {key.KeyId}): " +
                    "the record differs from what the issuer sealed, or another key sealed it"));
                break;
        }
    }

    private void CrossCheck(IdentifierCheck key, object?[] typed, List<RowWarning> warnings)
    {
        if (key.Citizen is { } citizen)
        {
            if (_birthField >= 0 && typed[_birthField] is DateOnly birth && birth != citizen.BirthDate)
            {
                warnings.Add(new RowWarning(IngestionWarnings.BirthDateDiffersFromId, Fields[_birthField].Mapping.Source,
                    $"{Fields[_birthField].Mapping.Source} {birth:yyyy-MM-dd} differs from the birth date in the ID number ({citizen.BirthDate:yyyy-MM-dd})"));
            }

            var sex = citizen.Sex == Sex.Male ? "male" : "female";
            if (_sexField >= 0 && typed[_sexField] is string declared && declared != sex)
            {
                warnings.Add(new RowWarning(IngestionWarnings.SexDiffersFromId, Fields[_sexField].Mapping.Source,
                    $"{Fields[_sexField].Mapping.Source} says {declared}, the ID number's sequence digit says {sex}"));
            }
        }

        if (_divisionField >= 0 && key.Kind == IdentifierKind.Uscc && key.Normalized is { Length: 18 } uscc
            && typed[_divisionField] is string division && !string.Equals(uscc.Substring(2, 6), division, StringComparison.Ordinal))
        {
            warnings.Add(new RowWarning(IngestionWarnings.UsccDivisionDiffers, Fields[_divisionField].Mapping.Source,
                $"the credit code's registration division {uscc.Substring(2, 6)} differs from {Fields[_divisionField].Mapping.Source} {division}"));
        }
    }

    private static string Transform(FieldPlan plan, string? raw)
    {
        if (raw is null)
        {
            return "";
        }

        var text = raw.Trim();
        if (text == @"\N")
        {
            return ""; // MySQL-style exports write NULL as \N
        }

        if (plan.HalfWidth)
        {
            text = HalfWidth(text);
        }

        if (plan.RemoveSpaces)
        {
            text = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        }

        if (plan.Upper)
        {
            text = text.ToUpperInvariant();
        }
        else if (plan.Lower)
        {
            text = text.ToLowerInvariant();
        }

        return text;
    }

    /// <summary>Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to their half-width forms.</summary>
    internal static string HalfWidth(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u3000', '\uFF5E'))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            });
        }

        return builder.ToString();
    }

    private FieldProblem? Parse(FieldPlan plan, string text, out object? value)
    {
        value = null;
        var source = plan.Mapping.Source;
        var type = plan.Attribute.Type;
        switch (type)
        {
            case "string":
                value = text;
                return null;
            case "date" when plan.Attribute.Name == "expiry_date" && IsOpenEnded(text):
                // "长期" and 9999-12-31 are how issuers write "no expiry": the attribute's empty value.
                value = null;
                return null;
            case "date":
                if (!TryParseDate(text, plan.Mapping.Formats, out var date, out var impossible))
                {
                    return new FieldProblem(source, QuarantineReasons.InvalidDate, impossible
                        ? $"{source} '{text}' is not a real date"
                        : $"{source} '{text}' is not a date in a known form ({string.Join(", ", plan.Mapping.Formats.Count > 0 ? plan.Mapping.Formats : ["yyyy-MM-dd", "yyyyMMdd", "yyyy/M/d", "yyyy年M月d日"])})");
                }

                if (date.Year < IdentifierValidator.EarliestBirthYear || date.Year > 2200 || (plan.PastOnly && date > _today))
                {
                    return new FieldProblem(source, QuarantineReasons.ImplausibleDate, plan.PastOnly && date > _today
                        ? $"{source} {date:yyyy-MM-dd} lies in the future"
                        : $"{source} {date:yyyy-MM-dd} is outside {IdentifierValidator.EarliestBirthYear}–2200");
                }

                value = date;
                return null;
            case "timestamp":
                // Without an offset, a time is China time (UTC+8), as every agency system writes it.
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    var hasOffset = text.Contains('Z', StringComparison.OrdinalIgnoreCase) || text.LastIndexOfAny(['+', '-']) > 10;
                    value = (hasOffset ? parsed : new DateTimeOffset(parsed.DateTime, ChinaTime.Offset)).UtcDateTime;
                    return null;
                }

                return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' is not a date and time");
            case "long" or "integer":
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    && (type == "long" || number is >= int.MinValue and <= int.MaxValue))
                {
                    value = type == "long" ? number : (int)number;
                    return null;
                }

                return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' is not a whole number");
            case "double":
                if (double.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
                {
                    value = real;
                    return null;
                }

                return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' is not a number");
            case "boolean":
                value = text.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "y" or "是" => true,
                    "false" or "0" or "no" or "n" or "否" => false,
                    _ => null,
                };
                return value is null ? new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' is not true or false (是/否)") : null;
            default:
                if (type.StartsWith("decimal(", StringComparison.Ordinal))
                {
                    return ParseDecimal(source, type, text, out value);
                }

                return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source}: the type {type} cannot be loaded from text");
        }
    }

    private static FieldProblem? ParseDecimal(string source, string type, string text, out object? value)
    {
        value = null;
        var parts = type["decimal(".Length..^1].Split(',');
        var precision = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var scale = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var cleaned = text.Replace(",", "", StringComparison.Ordinal);
        var multiplier = 1m;
        if (cleaned.EndsWith("万元", StringComparison.Ordinal) || cleaned.EndsWith('万'))
        {
            multiplier = 10_000m;
            cleaned = cleaned.TrimEnd('元').TrimEnd('万');
        }
        else if (cleaned.EndsWith('元'))
        {
            cleaned = cleaned.TrimEnd('元');
        }

        if (!decimal.TryParse(cleaned, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' is not an amount");
        }

        try
        {
            amount = Math.Round(amount * multiplier, scale, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' is too large an amount");
        }

        if (Math.Abs(amount) >= (decimal)Math.Pow(10, precision - scale))
        {
            return new FieldProblem(source, QuarantineReasons.InvalidValue, $"{source} '{text}' has more than {precision - scale} digits before the decimal point");
        }

        value = amount;
        return null;
    }

    private static bool IsOpenEnded(string text) =>
        text is "长期" or "长期有效" or "永久" or "永久有效" or "无固定期限" || text.StartsWith("9999", StringComparison.Ordinal);

    /// <summary>Reads a date in the declared formats or the common ones; <paramref name="impossible"/> tells a
    /// well-formed date that does not exist (2023-02-30) from text that is no date at all.</summary>
    internal static bool TryParseDate(string text, IReadOnlyList<string> formats, out DateOnly date, out bool impossible)
    {
        impossible = false;
        // The fast path reads only the shapes the entry accepts: with `format: [ddMMyyyy]`, 01022023 is 1 Feb.
        var compact = formats.Count == 0 || formats.Contains("yyyyMMdd");
        var dashed = formats.Count == 0 || formats.Contains("yyyy-MM-dd");
        if (FastDate(text, compact, dashed, out date, out impossible))
        {
            return true;
        }

        if (impossible)
        {
            return false;
        }

        var patterns = formats.Count > 0 ? formats : (IReadOnlyList<string>)CommonDateFormats;
        foreach (var format in patterns)
        {
            if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                date = DateOnly.FromDateTime(parsed);
                return true;
            }
        }

        // Shaped like a date but not one: say so rather than "unknown form".
        var digits = text.Where(char.IsAsciiDigit).ToArray();
        impossible = formats.Count == 0 && digits.Length == 8 && text.Length <= 11;
        return false;
    }

    /// <summary>yyyyMMdd and yyyy-MM-dd without the general parser (most deliveries use one of them).</summary>
    private static bool FastDate(string text, bool compact, bool dashed, out DateOnly date, out bool impossible)
    {
        date = default;
        impossible = false;
        int year, month, day;
        if (compact && text.Length == 8 && text.All(char.IsAsciiDigit))
        {
            year = Digits(text, 0, 4);
            month = Digits(text, 4, 2);
            day = Digits(text, 6, 2);
        }
        else if (dashed && text.Length == 10 && text[4] == '-' && text[7] == '-' && text.AsSpan(0, 4).IndexOfAnyExceptInRange('0', '9') < 0
            && text.AsSpan(5, 2).IndexOfAnyExceptInRange('0', '9') < 0 && text.AsSpan(8, 2).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            year = Digits(text, 0, 4);
            month = Digits(text, 5, 2);
            day = Digits(text, 8, 2);
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            impossible = true;
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static int Digits(string text, int start, int length)
    {
        var value = 0;
        for (var i = start; i < start + length; i++)
        {
            value = value * 10 + (text[i] - '0');
        }

        return value;
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
