using System.Collections.Frozen;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.Quality;

namespace GovShare.Lake.QueryApi.Quality;

/// <summary>An open mismatch report on an attribute, as a lookup marks it (PX 18: the value is still served).</summary>
/// <param name="ReportId">The report (<c>GET /api/mismatches/{id}</c> for its parties).</param>
/// <param name="EntryId">The entry whose value is doubted.</param>
/// <param name="Status"><c>reported</c> or <c>in_verification</c>.</param>
/// <param name="Due">When the provider's verification is due.</param>
public sealed record Investigation(string ReportId, string EntryId, string Status, DateTimeOffset? Due);

/// <summary>The open mismatch reports (reported, in verification), held in memory for the lookups, which run thousands a
/// second and cannot open the platform store for each, and for the <c>quality</c> SQL schema. Read again when the store's
/// <see cref="IPlatformStore.MismatchStamp"/> moved: at once after this process's own steps (<see cref="Changed"/>),
/// another process's at the next refresh tick, and before every statement that names a <c>quality</c> view.</summary>
public sealed class OpenMismatches(IPlatformStore store, LakeEngine engine)
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    // Record (base table, key) → attribute → its open reports.
    private sealed record Snapshot(string Stamp, FrozenDictionary<(string Table, string Key), IReadOnlyDictionary<string, IReadOnlyList<Investigation>>> Records)
    {
        public static Snapshot Empty { get; } = new("", FrozenDictionary<(string, string), IReadOnlyDictionary<string, IReadOnlyList<Investigation>>>.Empty);
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<Investigation>> None = FrozenDictionary<string, IReadOnlyList<Investigation>>.Empty;

    /// <summary>The attributes of one record under investigation, with their open reports; empty when none.</summary>
    /// <param name="baseTable">The base table (<c>population.persons</c>).</param>
    /// <param name="key">The record's key as stored (unmasked).</param>
    public IReadOnlyDictionary<string, IReadOnlyList<Investigation>> Of(string baseTable, string key) =>
        _snapshot.Records.GetValueOrDefault((baseTable, key)) ?? None;

    /// <summary>Reads the open reports again when the store says they changed (one cheap query otherwise).</summary>
    public void Refresh() => Load(force: false);

    /// <summary>Reads the open reports again now: call after any step this process makes.</summary>
    public void Changed() => Load(force: true);

    private void Load(bool force)
    {
        lock (_gate)
        {
            var stamp = store.MismatchStamp();
            if (!force && stamp == _snapshot.Stamp)
            {
                return;
            }

            var open = store.ListMismatchReports(new MismatchFilter(OpenOnly: true));
            engine.ReplaceMismatchReports(open.Select(r => new QualityRow(r.Id, r.EntryId, r.Provider, r.BaseTable, r.Attribute, Name(r.Status), r.Source,
                r.Finding?.Class, r.Finding?.Score, r.ReportedAt, r.Due, r.Escalated, r.Key)).ToList());
            _snapshot = new Snapshot(stamp, open
                .GroupBy(r => (r.BaseTable, r.Key))
                .ToFrozenDictionary(g => g.Key, g => (IReadOnlyDictionary<string, IReadOnlyList<Investigation>>)g
                    .GroupBy(r => r.Attribute, StringComparer.Ordinal)
                    .ToFrozenDictionary(a => a.Key, a => (IReadOnlyList<Investigation>)a.Select(r => new Investigation(r.Id, r.EntryId, Name(r.Status), r.Due)).ToList(),
                        StringComparer.Ordinal)));
        }
    }

    private static string Name(MismatchStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
