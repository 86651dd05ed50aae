using System.Text.RegularExpressions;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Catalogue;

/// <summary>One thing wrong with a catalogue entry.</summary>
/// <param name="Path">Where: the field path as written in YAML (<c>fields[2].target</c>).</param>
/// <param name="Message">What is wrong and what would be right.</param>
public sealed record CatalogueProblem(string Path, string Message);

/// <summary>Checks a catalogue entry against the base tables and the platform's rules, reporting every
/// problem at once with the path of the field it concerns.</summary>
public static partial class CatalogueValidator
{
    /// <summary>The transforms a field mapping may name.</summary>
    public static IReadOnlyList<string> KnownTransforms { get; } = ["trim", "upper", "lower", "halfwidth", "remove_spaces"];

    /// <summary>The provision methods of PX 14.</summary>
    public static IReadOnlyList<string> KnownProvisionMethods { get; } = ["online_query", "bulk_download", "system_integration", "front_end_exchange"];

    /// <summary>The encodings a delivery may declare.</summary>
    public static IReadOnlyList<string> KnownEncodings { get; } = ["auto", "utf-8", "gbk", "gb18030"];

    /// <summary>Every problem of the entry; empty when it is valid.</summary>
    public static IReadOnlyList<CatalogueProblem> Validate(CatalogueEntry entry)
    {
        var problems = new List<CatalogueProblem>();
        void Add(string path, string message) => problems.Add(new CatalogueProblem(path, message));

        if (!DatasetId().IsMatch(entry.Id ?? ""))
        {
            Add("id", $"'{entry.Id}' is not a dataset id: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit.");
        }

        CheckName(entry.Name, "name", Add);
        if (entry.Agency is null || !AgencyCode().IsMatch(entry.Agency.Code ?? ""))
        {
            Add("agency.code", $"'{entry.Agency?.Code}' is not an agency code: use lower-case letters, digits and '_', starting with a letter.");
        }
        else
        {
            CheckName(entry.Agency.Name, "agency.name", Add);
        }

        var table = BaseDatabaseCatalog.Find(entry.Target ?? "");
        if (table is null)
        {
            Add("target", $"'{entry.Target}' is not a base table; use one of {string.Join(", ", BaseDatabaseCatalog.All.Select(t => t.QualifiedName))}.");
        }

        CheckFields(entry, table, Add);
        CheckKey(entry, table, Add);
        CheckSource(entry, Add);
        CheckDelivery(entry, Add);

        if (entry.Sharing.Class != SharingClass.Unconditional && string.IsNullOrWhiteSpace(entry.Sharing.LegalBasis))
        {
            Add("sharing.legalBasis", $"a {Name(entry.Sharing.Class)} entry needs the legal basis it rests on (ZZ 14, XY 15).");
        }

        if (entry.UpdateDeadline == UpdateDeadline.Custom && entry.Schedule is null)
        {
            Add("schedule", "a custom update deadline needs a schedule: { cron: \"0 2 * * 1\", graceHours: 24 }.");
        }

        if (entry.Schedule is { } schedule)
        {
            if (!Freshness.FreshnessRules.TryParseCron(schedule.Cron, out var cronProblem))
            {
                Add("schedule.cron", $"'{schedule.Cron}' is not a cron expression (minute hour day month weekday): {cronProblem}");
            }

            if (!double.IsFinite(schedule.GraceHours) || schedule.GraceHours is < 0 or > 24 * 366)
            {
                Add("schedule.graceHours", $"{schedule.GraceHours} is not between 0 and a year of hours.");
            }
        }

        CheckProducedAt(entry, Add);

        for (var i = 0; i < entry.Provision.Count; i++)
        {
            if (!KnownProvisionMethods.Contains(entry.Provision[i]))
            {
                Add($"provision[{i}]", $"'{entry.Provision[i]}' is not a provision method; use {string.Join(", ", KnownProvisionMethods)}.");
            }
        }

        for (var i = 0; i < entry.Themes.Count; i++)
        {
            if (!AgencyCode().IsMatch(entry.Themes[i]))
            {
                Add($"themes[{i}]", $"'{entry.Themes[i]}' is not a theme id: use lower-case letters, digits and '_'.");
            }
        }

        var delivered = entry.Fields.Select(f => f.Target).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < entry.Sharing.Mask.Count; i++)
        {
            if (!delivered.Contains(entry.Sharing.Mask[i]))
            {
                Add($"sharing.mask[{i}]", $"'{entry.Sharing.Mask[i]}' is not an attribute this entry delivers ({string.Join(", ", delivered.Order(StringComparer.Ordinal))}).");
            }
        }

        for (var i = 0; i < entry.Authoritative.Count; i++)
        {
            if (!delivered.Contains(entry.Authoritative[i]))
            {
                Add($"authoritative[{i}]", $"'{entry.Authoritative[i]}' is not delivered by this entry: a provider is authoritative only for attributes it maps.");
            }
        }

        if (entry.QuarantineThreshold is < 0 or > 1 || double.IsNaN(entry.QuarantineThreshold))
        {
            Add("quarantineThreshold", $"{entry.QuarantineThreshold} is not a share between 0 and 1 (0.05 = 5 %).");
        }

        if (entry.MaxEndedShare is < 0 or > 1 || double.IsNaN(entry.MaxEndedShare))
        {
            Add("maxEndedShare", $"{entry.MaxEndedShare} is not a share between 0 and 1 (0.5 = a full snapshot may end half the current records).");
        }

        return problems;
    }

    /// <summary>Throws with every problem when the entry is invalid.</summary>
    /// <exception cref="LakeException">The entry is invalid (<see cref="LakeErrorKind.InvalidInput"/>).</exception>
    public static void EnsureValid(CatalogueEntry entry)
    {
        var problems = Validate(entry);
        if (problems.Count > 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"catalogue entry {entry.Id} is invalid:" + string.Concat(problems.Select(p => $"\n  {p.Path}: {p.Message}")));
        }
    }

    /// <summary>The YAML spelling of a sharing class.</summary>
    public static string Name(SharingClass sharing) => sharing switch
    {
        SharingClass.Conditional => "conditional",
        SharingClass.NotShared => "not_shared",
        _ => "unconditional",
    };

    private static void CheckName(LocalizedName? name, string path, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(name?.Zh))
        {
            add(path + ".zh", "the Chinese name is required.");
        }

        if (string.IsNullOrWhiteSpace(name?.En))
        {
            add(path + ".en", "the English name is required.");
        }
    }

    private static void CheckFields(CatalogueEntry entry, BaseTable? table, Action<string, string> add)
    {
        if (entry.Fields.Count == 0)
        {
            add("fields", "at least the key column must be mapped.");
        }

        var sources = new HashSet<string>(StringComparer.Ordinal);
        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entry.Fields.Count; i++)
        {
            var field = entry.Fields[i];
            var path = $"fields[{i}]";
            if (string.IsNullOrWhiteSpace(field.Source))
            {
                add(path + ".source", "the source column is required.");
            }
            else if (!sources.Add(field.Source))
            {
                add(path + ".source", $"the source column '{field.Source}' is mapped twice.");
            }

            if (!targets.Add(field.Target))
            {
                add(path + ".target", $"the attribute '{field.Target}' is filled twice.");
            }

            var attribute = table?.Find(field.Target);
            if (table is not null && attribute is null)
            {
                var hint = Closest(field.Target, table.Attributes.Select(a => a.Name));
                add(path + ".target", $"'{field.Target}' is not an attribute of {table.QualifiedName}" + (hint is null ? "" : $"; did you mean '{hint}'?") +
                    $" (attributes: {string.Join(", ", table.Attributes.Select(a => a.Name))})");
            }
            else if (attribute is not null)
            {
                if (!string.Equals(attribute.Name, field.Target, StringComparison.Ordinal))
                {
                    add(path + ".target", $"write '{attribute.Name}' in lower case.");
                }

                if (!string.Equals(field.Type, attribute.Type, StringComparison.Ordinal))
                {
                    add(path + ".type", $"'{field.Type}' differs from the type of {table!.QualifiedName}.{attribute.Name}, which is '{attribute.Type}'.");
                }

                if (attribute.Values is { } allowed)
                {
                    foreach (var (code, value) in field.Map)
                    {
                        if (!allowed.Contains(value))
                        {
                            add($"{path}.map.{code}", $"'{value}' is not a value of {attribute.Name}; use {string.Join(", ", allowed)}.");
                        }
                    }
                }
            }

            for (var t = 0; t < field.Transforms.Count; t++)
            {
                if (!KnownTransforms.Contains(field.Transforms[t]))
                {
                    add($"{path}.transform[{t}]", $"'{field.Transforms[t]}' is not a transform; use {string.Join(", ", KnownTransforms)}.");
                }
            }

            if (field.Formats.Count > 0 && field.Type is not ("date" or "timestamp"))
            {
                add(path + ".format", $"date formats apply to date and timestamp attributes, not to '{field.Type}'.");
            }

            for (var f = 0; f < field.Formats.Count; f++)
            {
                if (!ValidDateFormat(field.Formats[f]))
                {
                    add($"{path}.format[{f}]", $"'{field.Formats[f]}' is not a date pattern (use y, M, d, H, m, s, e.g. yyyyMMdd).");
                }
            }

            if (field.Identifier is { } kind && kind != "any" && !IdentifierKindNames.TryParse(kind, out _))
            {
                add(path + ".identifier", $"'{kind}' is not an identifier kind; use citizen, uscc, org, licence, division or any.");
            }
        }
    }

    private static void CheckKey(CatalogueEntry entry, BaseTable? table, Action<string, string> add)
    {
        var keyField = entry.Fields.FirstOrDefault(f => string.Equals(f.Source, entry.KeyColumn, StringComparison.Ordinal));
        if (keyField is null)
        {
            add("key.column", $"the key column '{entry.KeyColumn}' is not among the mapped source columns.");
            return;
        }

        if (table is null)
        {
            return;
        }

        if (!string.Equals(keyField.Target, table.Key, StringComparison.Ordinal))
        {
            add("key.column", $"the key column must fill {table.QualifiedName}'s key '{table.Key}', not '{keyField.Target}'.");
        }

        if (table.KeyKind != entry.KeyKind)
        {
            var expected = table.KeyKind is { } kind ? kind.ToName() : "none";
            add("key.kind", $"{table.QualifiedName} is keyed by {expected}; the entry says {(entry.KeyKind is { } k ? k.ToName() : "none")}.");
        }
    }

    private static void CheckSource(CatalogueEntry entry, Action<string, string> add)
    {
        var source = entry.Source;
        if (!KnownEncodings.Contains(source.Encoding))
        {
            add("source.encoding", $"'{source.Encoding}' is not an encoding; use {string.Join(", ", KnownEncodings)}.");
        }

        if (source.Delimiter != "auto" && source.Delimiter is not { Length: 1 })
        {
            add("source.delimiter", $"'{source.Delimiter}' is not one character (or auto).");
        }

        if (source.Header is not ("auto" or "true" or "false"))
        {
            add("source.header", $"'{source.Header}' is not auto, true or false.");
        }

        if (source.Header == "false")
        {
            if (source.Columns.Count == 0)
            {
                add("source.columns", "a file without a header needs its column names, in order.");
            }

            foreach (var missing in entry.Fields.Select(f => f.Source).Where(s => !source.Columns.Contains(s)))
            {
                add("source.columns", $"the mapped source column '{missing}' is not among the declared columns.");
            }
        }

        if (source.Sheet is not null && source.Format != SourceFormat.Xlsx)
        {
            add("source.sheet", "a sheet applies to xlsx files only.");
        }
    }

    private static void CheckDelivery(CatalogueEntry entry, Action<string, string> add)
    {
        var delivery = entry.Delivery;
        if (delivery.DeletionColumn is null)
        {
            return;
        }

        if (delivery.Mode != DeliveryMode.Incremental)
        {
            add("delivery.deletionMarker", "a deletion marker applies to incremental deliveries only (a full snapshot ends the keys it omits).");
        }

        if (delivery.DeletionValues.Count == 0)
        {
            add("delivery.deletionMarker.values", "name the value(s) that mark a deletion, e.g. [D].");
        }

        if (entry.Fields.Any(f => string.Equals(f.Source, delivery.DeletionColumn, StringComparison.Ordinal)))
        {
            add("delivery.deletionMarker.column", $"'{delivery.DeletionColumn}' is also mapped to an attribute; the marker column must be separate.");
        }
    }

    private static void CheckProducedAt(CatalogueEntry entry, Action<string, string> add)
    {
        if (entry.ProducedAt is not { } column)
        {
            return;
        }

        if (entry.UpdateDeadline != UpdateDeadline.Within3Days)
        {
            add("producedAt", $"a production-time column applies to updateDeadline within_3_days only (\"within 3 days of being produced\", GZ 17); " +
                $"this entry's deadline is {Freshness.FreshnessRules.ClassName(entry.UpdateDeadline)}: remove producedAt or change the deadline.");
            return;
        }

        if (string.IsNullOrWhiteSpace(column))
        {
            add("producedAt", "name the source column that holds each record's production time.");
            return;
        }

        var field = entry.Fields.FirstOrDefault(f => string.Equals(f.Source, column, StringComparison.Ordinal));
        if (field is not null)
        {
            if (field.Type is not ("date" or "timestamp"))
            {
                add("producedAt", $"'{column}' is mapped to {field.Target}, a {field.Type}; a production time is a date or timestamp.");
            }
        }
        else if (entry.Source.Columns.Count > 0 && !entry.Source.Columns.Contains(column, StringComparer.Ordinal))
        {
            // A file that names its own columns (a header, Parquet, JSON Lines) is checked for the column on each delivery.
            add("producedAt", $"'{column}' is neither a mapped source column nor among source.columns ({string.Join(", ", entry.Source.Columns)}).");
        }
        else if (string.Equals(column, entry.Delivery.DeletionColumn, StringComparison.Ordinal))
        {
            add("producedAt", $"'{column}' is the deletion marker column, not a production time.");
        }
    }

    private static bool ValidDateFormat(string format) =>
        format.Length > 0 && format.Contains('y', StringComparison.Ordinal) && format.Contains('M', StringComparison.Ordinal);

    /// <summary>The candidate nearest to a misspelt name (at most two edits away), for "did you mean".</summary>
    public static string? Closest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in candidates)
        {
            var distance = Distance(value.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return row[b.Length];
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex DatasetId();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex AgencyCode();
}
