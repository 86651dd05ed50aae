using System.Collections.Frozen;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Quality.Normalisation;

/// <summary>The catalogue's per-provider code maps (<c>fields[].map</c>, such as <c>男 → male</c>), turned round
/// for values that arrive raw: a consumer's report quotes what it saw in its own copy or in the provider's system
/// (<c>注销</c>, <c>（男）</c>, <c>Male</c>), while the provider tables hold the base values already mapped.</summary>
public sealed class EnumerationMaps
{
    private static readonly FrozenDictionary<string, string> NoCodes = FrozenDictionary<string, string>.Empty;

    private readonly FrozenDictionary<string, FrozenDictionary<string, AttributeCodes>> _byEntry;

    private EnumerationMaps(FrozenDictionary<string, FrozenDictionary<string, AttributeCodes>> byEntry) => _byEntry = byEntry;

    /// <summary>The maps of one catalogue entry.</summary>
    public static EnumerationMaps For(CatalogueEntry entry) => For([entry]);

    /// <summary>The maps of several catalogue entries, by entry id.</summary>
    /// <exception cref="ArgumentException">Two entries share an id.</exception>
    public static EnumerationMaps For(IEnumerable<CatalogueEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byEntry = new Dictionary<string, FrozenDictionary<string, AttributeCodes>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var table = BaseDatabaseCatalog.Find(entry.Target);
            var attributes = entry.Fields.ToFrozenDictionary(
                field => field.Target,
                field => AttributeCodes.Of(field, table?.Find(field.Target)?.Values),
                StringComparer.OrdinalIgnoreCase);
            if (!byEntry.TryAdd(entry.Id, attributes))
            {
                throw new ArgumentException($"catalogue entry {entry.Id} is given twice.", nameof(entries));
            }
        }

        return new EnumerationMaps(byEntry.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The provider's codes for the attribute and the base value each stands for, as the catalogue entry
    /// lists them; empty when the entry maps none (or does not fill the attribute).</summary>
    public IReadOnlyDictionary<string, string> Map(string entryId, string attribute) =>
        Find(entryId, attribute)?.Codes ?? NoCodes;

    /// <summary>The base value a raw value stands for: the provider's code as listed (<c>注销</c>), or written
    /// differently (<c>注 销</c>, full-width, traditional), or the base value itself in any case (<c>Revoked</c>).
    /// For an attribute that is not an enumeration and has no code for the value, the value trimmed. Null when
    /// the value is blank, is not a code or value of an enumeration, or the entry does not fill the attribute.</summary>
    public string? Canonical(string entryId, string attribute, string? raw)
    {
        var trimmed = raw?.Trim();
        if (string.IsNullOrEmpty(trimmed) || Find(entryId, attribute) is not { } codes)
        {
            return null;
        }

        if (codes.Codes.TryGetValue(trimmed, out var mapped))
        {
            return mapped;
        }

        var normalised = TextNormaliser.Normalise(trimmed);
        if (normalised is not null && codes.Normalised.TryGetValue(normalised, out mapped))
        {
            return mapped;
        }

        if (codes.Allowed is null)
        {
            return trimmed;
        }

        return normalised is not null && codes.Allowed.TryGetValue(normalised, out var allowed) ? allowed : null;
    }

    private AttributeCodes? Find(string entryId, string attribute) =>
        _byEntry.TryGetValue(entryId, out var attributes) && attributes.TryGetValue(attribute, out var codes) ? codes : null;

    /// <summary>One attribute's codes: as listed, by their normalised form (a form two codes share with different
    /// values is left out), and the enumeration's values by their normalised form (null: not an enumeration).</summary>
    private sealed record AttributeCodes(
        FrozenDictionary<string, string> Codes,
        FrozenDictionary<string, string> Normalised,
        FrozenDictionary<string, string>? Allowed)
    {
        public static AttributeCodes Of(FieldMapping field, IReadOnlyList<string>? values)
        {
            var codes = field.Map.ToFrozenDictionary(StringComparer.Ordinal);
            var normalised = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (code, value) in codes)
            {
                if (TextNormaliser.Normalise(code) is not { } form)
                {
                    continue;
                }

                // Two codes written alike that stand for different values: neither is guessed from its form.
                normalised[form] = normalised.TryGetValue(form, out var other) && other != value ? null : value;
            }

            var allowed = values?
                .Select(value => (Form: TextNormaliser.Normalise(value), Value: value))
                .Where(pair => pair.Form is not null)
                .DistinctBy(pair => pair.Form)
                .ToFrozenDictionary(pair => pair.Form!, pair => pair.Value, StringComparer.Ordinal);
            return new AttributeCodes(
                codes,
                normalised.Where(pair => pair.Value is not null).ToFrozenDictionary(pair => pair.Key, pair => pair.Value!, StringComparer.Ordinal),
                allowed);
        }
    }
}
