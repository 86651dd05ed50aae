using System.Collections.Concurrent;
using GovShare.Lake.Access;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Calendar;
using GovShare.Lake.QueryApi.Engine;

namespace GovShare.Lake.QueryApi.Access;

/// <summary>Answers "what may this agency read now" for every data path, from the catalogue, the approved requests and
/// the accepted agreements. Lookups run thousands a second, so the answer is kept per agency and worked out again only
/// when something it rests on changes: this process's own decisions at once, another process's at the next refresh tick
/// (<see cref="IPlatformStore.AccessStamp"/>), the catalogue with the engine's generation, a grant at its expiry.</summary>
public sealed class AccessPolicy(LakeEngine engine, IPlatformStore store, TimeProvider clock, CalendarService calendar, GovShare.Lake.Audit.AuditLog audit)
{
    private readonly Lock _gate = new();
    private Grants? _grants;

    private sealed record Grants(string Stamp, int Generation, IReadOnlyList<CatalogueEntry> Catalogue, IReadOnlyList<ThemeDefinition> Themes,
        IReadOnlyList<AccessRequest> Requests, IReadOnlyList<AgreementAcceptance> Agreements)
    {
        public ConcurrentDictionary<string, AccessProfile> Profiles { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The workflow, on this host's store, calendar and clock.</summary>
    public AccessWorkflow Workflow { get; } = new(store, () => calendar.Calendar, clock);

    /// <summary>What the agency may read now.</summary>
    public AccessProfile For(string agency)
    {
        // Profiles live in the snapshot of grants they were worked out from: a profile from grants replaced meanwhile is
        // stored in the replaced snapshot and never served again.
        var grants = Current();
        var now = clock.GetUtcNow();
        if (grants.Profiles.TryGetValue(agency, out var known) && (known.ValidUntil is null || known.ValidUntil > now))
        {
            return known;
        }

        var profile = AccessRules.For(agency, grants.Catalogue, grants.Themes, grants.Requests, grants.Agreements, now);
        grants.Profiles[agency] = profile;
        return profile;
    }

    /// <summary>Forgets what was worked out: call after any decision this process makes.</summary>
    public void Changed()
    {
        lock (_gate)
        {
            _grants = null;
        }
    }

    /// <summary>Runs the platform's own steps (escalation when due, expiry), audits them and forgets what they changed.</summary>
    public IReadOnlyList<AccessRequest> Sweep()
    {
        var changed = Workflow.Sweep();
        foreach (var request in changed)
        {
            audit.Append(new GovShare.Lake.Audit.AuditEvent(AccessWorkflow.Platform, null, null,
                request.Status == AccessRequestStatus.Expired ? "ExpireAccessRequest" : "EscalateAccessRequest",
                request.Resource is null ? [] : [request.Resource], null, [], null, "allowed", StatusCodes.Status200OK));
        }

        if (changed.Count > 0)
        {
            Changed();
        }

        return changed;
    }

    /// <summary>Reads the grants again when another process changed them (the store's access stamp moved). Called on
    /// the engine's refresh tick, so that a store held busy by another process delays this, never a data request.</summary>
    public void Refresh()
    {
        var stamp = store.AccessStamp();
        var grants = _grants;
        if (grants is not null && grants.Stamp == stamp && grants.Generation == engine.Generation)
        {
            return;
        }

        lock (_gate)
        {
            _grants = Load(stamp);
        }
    }

    private Grants Current()
    {
        var grants = _grants;
        if (grants is not null && grants.Generation == engine.Generation)
        {
            return grants;
        }

        lock (_gate)
        {
            grants = _grants;
            if (grants is not null && grants.Generation == engine.Generation)
            {
                return grants;
            }

            _grants = Load(store.AccessStamp());
            return _grants;
        }
    }

    // The generation first: a catalogue read after it is at least as new, so a later generation check reloads.
    private Grants Load(string stamp)
    {
        var generation = engine.Generation;
        return new Grants(stamp, generation, engine.Catalogue.Select(r => r.Entry).ToList(), engine.Themes, store.ListAccessRequests(), store.ListAgreements());
    }
}
