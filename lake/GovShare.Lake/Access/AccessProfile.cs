using System.Security.Cryptography;
using System.Text;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Access;

/// <summary>What an agency may read of one resource: every attribute or some, and which are masked.</summary>
/// <param name="Fields">The readable attributes; null: all.</param>
/// <param name="Masked">Attributes served masked.</param>
public sealed record ResourceAccess(IReadOnlySet<string>? Fields, IReadOnlySet<string> Masked)
{
    /// <summary>Every attribute, nothing masked.</summary>
    public static ResourceAccess Full { get; } = new(null, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>True when nothing is withheld or masked.</summary>
    public bool IsFull => Fields is null && Masked.Count == 0;

    /// <summary>True when the attribute may be read.</summary>
    public bool Allows(string attribute) => Fields is null || Fields.Contains(attribute);
}

/// <summary>Why a resource is not readable and how to get it.</summary>
/// <param name="Resource">The resource (entry id or <c>themes.&lt;id&gt;</c>).</param>
/// <param name="Class">Its sharing class.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="HowToRequest">What the agency can do.</param>
public sealed record AccessDenial(string Resource, SharingClass Class, string Reason, string HowToRequest);

/// <summary>What one agency may read at one moment: the datasets and themes granted, with their field limits and
/// masks, and why the others are not. Agencies with the same readable set share a <see cref="Key"/>, so that the
/// engine builds one set of views for them.</summary>
public sealed class AccessProfile
{
    internal AccessProfile(string agency, IReadOnlyDictionary<string, ResourceAccess> datasets, IReadOnlyDictionary<string, ResourceAccess> themes,
        IReadOnlyDictionary<string, AccessDenial> denied, DateTimeOffset? validUntil)
    {
        Agency = agency;
        Datasets = datasets;
        Themes = themes;
        Denied = denied;
        ValidUntil = validUntil;
        var canonical = new StringBuilder();
        foreach (var (prefix, map) in new[] { ("d", datasets), ("t", themes) })
        {
            foreach (var (id, access) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                canonical.Append(prefix).Append(':').Append(id).Append('|')
                    .Append(access.Fields is null ? "*" : string.Join(",", access.Fields.Order(StringComparer.Ordinal))).Append('|')
                    .Append(string.Join(",", access.Masked.Order(StringComparer.Ordinal))).Append('\n');
            }
        }

        Key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..12];
    }

    /// <summary>The agency.</summary>
    public string Agency { get; }

    /// <summary>Readable datasets by id.</summary>
    public IReadOnlyDictionary<string, ResourceAccess> Datasets { get; }

    /// <summary>Readable themes by id (without the <c>themes.</c> prefix).</summary>
    public IReadOnlyDictionary<string, ResourceAccess> Themes { get; }

    /// <summary>Resources not readable, by resource name (dataset id or <c>themes.&lt;id&gt;</c>).</summary>
    public IReadOnlyDictionary<string, AccessDenial> Denied { get; }

    /// <summary>The first moment a grant in this profile expires (the profile must be worked out again then).</summary>
    public DateTimeOffset? ValidUntil { get; }

    /// <summary>Identifies the readable set.</summary>
    public string Key { get; }

    /// <summary>The access to a dataset, or null.</summary>
    public ResourceAccess? Dataset(string id) => Datasets.GetValueOrDefault(id);
}

/// <summary>The sharing rules (DOMAIN.md, "Sharing classes and access") as one function from the catalogue, the
/// approved requests and the accepted agreements to an agency's <see cref="AccessProfile"/>.</summary>
public static class AccessRules
{
    /// <summary>The prefix of a theme's resource name.</summary>
    public const string ThemePrefix = "themes.";

    /// <summary>Works out what <paramref name="agency"/> may read at <paramref name="now"/>.</summary>
    /// <param name="agency">The agency.</param>
    /// <param name="catalogue">The catalogue's current entries.</param>
    /// <param name="themes">The themes.</param>
    /// <param name="requests">Access requests (any agency's, any status: those of others are ignored).</param>
    /// <param name="agreements">Agreement acceptances (the agency's are used).</param>
    /// <param name="now">The moment.</param>
    public static AccessProfile For(string agency, IReadOnlyList<CatalogueEntry> catalogue, IReadOnlyList<ThemeDefinition> themes,
        IReadOnlyList<AccessRequest> requests, IReadOnlyList<AgreementAcceptance> agreements, DateTimeOffset now)
    {
        var grants = requests.Where(r => r.Requester == agency && r.GrantsAt(now)).ToList();
        var accepted = agreements.Where(a => a.Agency == agency && a.Version == DataUseAgreement.Version).Select(a => a.Resource).ToHashSet(StringComparer.Ordinal);
        DateTimeOffset? validUntil = grants.Where(g => g.Until is not null).Select(g => g.Until).Min();
        var datasets = new Dictionary<string, ResourceAccess>(StringComparer.Ordinal);
        var denied = new Dictionary<string, AccessDenial>(StringComparer.Ordinal);
        foreach (var entry in catalogue)
        {
            var (access, denial) = Decide(agency, entry.Id, entry.Agency.Code, entry.Sharing, grants, accepted);
            if (access is not null)
            {
                datasets[entry.Id] = access;
            }
            else
            {
                denied[entry.Id] = denial!;
            }
        }

        var themeAccess = new Dictionary<string, ResourceAccess>(StringComparer.Ordinal);
        foreach (var theme in themes)
        {
            var resource = ThemePrefix + theme.Id;

            // A theme is read whole when the agency may read everything it draws on; otherwise it needs a grant of its own
            // (an unconditional theme over conditional data is no way around the data's own class).
            var feeding = catalogue.Where(e => theme.Sources.Contains(e.Target, StringComparer.Ordinal)).ToList();
            var missing = feeding.Where(e => datasets.GetValueOrDefault(e.Id) is not { IsFull: true }).Select(e => e.Id).ToList();
            var own = grants.Where(g => g.Resource == resource && (theme.Sharing.Class != SharingClass.NotShared || g.OperatorGrant)).ToList();
            if (own.Count > 0 && accepted.Contains(resource))
            {
                themeAccess[theme.Id] = Merge(own);
            }
            else if (missing.Count == 0)
            {
                themeAccess[theme.Id] = ResourceAccess.Full;
            }
            else
            {
                denied[resource] = own.Count > 0
                    ? NeedsAgreement(resource, theme.Sharing.Class)
                    : new AccessDenial(resource, theme.Sharing.Class,
                        $"the theme draws on resources this agency may not read in full: {string.Join(", ", missing)}.",
                        $"request the theme itself (POST /api/access-requests {{\"entryId\": \"{resource}\", \"purpose\": \"...\"}}) or each of those resources.");
            }
        }

        return new AccessProfile(agency, datasets, themeAccess, denied, validUntil);
    }

    private static (ResourceAccess? Access, AccessDenial? Denial) Decide(string agency, string resource, string provider, SharingSpec sharing,
        List<AccessRequest> grants, HashSet<string> accepted)
    {
        // A provider always reads what it provides; unconditional entries are open to every agency (ZZ 14, XY 13).
        if (provider == agency || sharing.Class == SharingClass.Unconditional)
        {
            return (ResourceAccess.Full, null);
        }

        // A not-shared resource opens only to a grant the operator made citing a legal basis: approvals given while the
        // entry was conditional do not carry over a change of class.
        var own = grants.Where(g => g.Resource == resource && (sharing.Class != SharingClass.NotShared || g.OperatorGrant)).ToList();
        if (own.Count == 0)
        {
            return (null, sharing.Class == SharingClass.Conditional
                ? new AccessDenial(resource, sharing.Class,
                    $"{resource} is shared on conditions ({sharing.Conditions ?? "set by the provider"}) and this agency holds no approved, unexpired request for it.",
                    $"request access: POST /api/access-requests {{\"entryId\": \"{resource}\", \"purpose\": \"...\"}}; the provider answers within 10 working days.")
                : new AccessDenial(resource, sharing.Class,
                    $"{resource} is not shared ({sharing.LegalBasis}); only a named grant the operator approved citing a legal basis opens it.",
                    $"request a grant: POST /api/access-requests {{\"entryId\": \"{resource}\", \"purpose\": \"...\"}}; the operator decides."));
        }

        return accepted.Contains(resource) ? (Merge(own), null) : (null, NeedsAgreement(resource, sharing.Class));
    }

    private static AccessDenial NeedsAgreement(string resource, SharingClass sharingClass) =>
        new(resource, sharingClass, $"access to {resource} is approved, but the data-use agreement (version {DataUseAgreement.Version}) has not been accepted for it.",
            $"read the agreement (GET /api/access/agreements/{resource}) and accept it (POST /api/access/agreements/{resource} {{\"version\": \"{DataUseAgreement.Version}\"}}).");

    // Several approvals of one resource: a field is readable when some grant covers it, and served in clear only when
    // a grant that covers it leaves it unmasked (a narrow unmasked grant does not unmask the fields of a wide masked one).
    private static ResourceAccess Merge(List<AccessRequest> grants)
    {
        static bool Covers(AccessRequest grant, string field) => grant.Fields is null || grant.Fields.Contains(field, StringComparer.Ordinal);
        HashSet<string>? fields = new(StringComparer.Ordinal);
        foreach (var grant in grants)
        {
            if (grant.Fields is null)
            {
                fields = null;
                break;
            }

            fields.UnionWith(grant.Fields);
        }

        var masked = grants.SelectMany(g => g.Masked)
            .Where(field => !grants.Any(g => Covers(g, field) && !g.Masked.Contains(field, StringComparer.Ordinal)))
            .ToHashSet(StringComparer.Ordinal);
        return new ResourceAccess(fields, masked);
    }
}
