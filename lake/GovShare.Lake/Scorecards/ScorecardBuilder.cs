using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Freshness;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Scorecards;

/// <summary>What the scorecards need of a mismatch report.</summary>
/// <param name="Provider">The agency responsible for it.</param>
/// <param name="EntryId">The catalogue entry the disputed value came from.</param>
/// <param name="ReportedAt">When it was raised.</param>
/// <param name="Due">When the provider had to have verified it.</param>
/// <param name="ResolvedAt">When it was resolved (corrected, rejected, insufficient information), or null.</param>
/// <param name="Withdrawn">True when its reporter withdrew it.</param>
public sealed record MismatchFact(string Provider, string EntryId, DateTimeOffset ReportedAt, DateTimeOffset? Due, DateTimeOffset? ResolvedAt, bool Withdrawn);

/// <summary>Works out a period's scorecards from the platform's own records: deliveries from the delivery log, deadlines by
/// the freshness rules over the same deliveries, mismatch reports from the store and use from the audit trail. Nothing is
/// kept: the same records give the same figures.</summary>
/// <param name="store">The platform store.</param>
/// <param name="lakeRoot">The lake folder (its audit trail).</param>
/// <param name="calendar">The working-day calendar.</param>
/// <param name="options">The freshness options.</param>
public sealed class ScorecardBuilder(IPlatformStore store, string lakeRoot, WorkingCalendar calendar, FreshnessOptions options)
{
    // Deliveries before the period that still decide its first deadlines (the last one before a quarter's start).
    private static readonly TimeSpan Lookback = TimeSpan.FromDays(100);

    /// <summary>The scorecards of a period, as they stand at <paramref name="now"/>.</summary>
    /// <param name="period">The period.</param>
    /// <param name="mismatches">The mismatch reports.</param>
    /// <param name="now">Now: figures of a period still running stand at now.</param>
    public Scorecards Build(ScorecardPeriod period, IEnumerable<MismatchFact> mismatches, DateTimeOffset now)
    {
        var asOf = now < period.To ? now : period.To;
        var subjects = store.ListFreshnessSubjects().Where(s => s.RegisteredAt < period.To).ToList();
        var catalogue = store.ListCatalogue().ToDictionary(r => r.Entry.Id, r => r.Entry, StringComparer.Ordinal);
        var agencies = store.ListAgencies().ToDictionary(a => a.Code, StringComparer.Ordinal);
        var tallies = store.DeliveryTallies(period.From, period.To).ToDictionary(t => t.DatasetId, StringComparer.Ordinal);
        var times = store.FreshnessDeliveries(period.From - Lookback);
        var reports = mismatches.Where(m => m.ReportedAt >= period.From && m.ReportedAt < period.To).ToList();
        var usage = asOf > period.From ? AuditUsage.Read(lakeRoot, period.From, asOf) : [];
        var attribution = new Attribution(catalogue.Values, store.ListThemes());

        // One pass over the requests: which datasets and providers each drew on (a city's year is many groups, its
        // catalogue many entries).
        var byDataset = new Dictionary<string, List<UsageGroup>>(StringComparer.Ordinal);
        var byProvider = new Dictionary<string, List<UsageGroup>>(StringComparer.Ordinal);
        foreach (var group in usage.Where(g => g.Outcome == "allowed"))
        {
            var drawnOn = attribution.Datasets(group);
            foreach (var id in drawnOn)
            {
                Add(byDataset, id, group);
            }

            foreach (var provider in drawnOn.Select(attribution.ProviderOf).Distinct(StringComparer.Ordinal))
            {
                Add(byProvider, provider, group);
            }
        }

        var reportsByEntry = reports.ToLookup(r => r.EntryId, StringComparer.Ordinal);
        var reportsByProvider = reports.ToLookup(r => r.Provider, StringComparer.Ordinal);

        var datasets = new List<(FreshnessSubject Subject, DatasetScorecard Card, IReadOnlyList<DeadlineOutcome> Outcomes)>();
        foreach (var subject in subjects)
        {
            IReadOnlyList<FreshnessDelivery> delivered = times.TryGetValue(subject.EntryId, out var found) ? found : [];
            var outcomes = asOf > period.From ? DeadlineHistory.Between(subject, delivered, calendar, options, period.From, asOf) : [];
            var state = FreshnessRules.Evaluate(subject, delivered, calendar, options, asOf).State;
            var card = new DatasetScorecard(subject.EntryId, subject.Name, FreshnessRules.ClassName(subject.Deadline), StateName(state),
                Figures(tallies.GetValueOrDefault(subject.EntryId)),
                DeadlineFigures.Of(outcomes.Where(o => o.Met).Sum(o => o.Deadlines), outcomes.Where(o => !o.Met).Sum(o => o.Deadlines)),
                Mismatches(reportsByEntry[subject.EntryId], asOf),
                Use(byDataset.GetValueOrDefault(subject.EntryId), subject.Provider));
            datasets.Add((subject, card, outcomes));
        }

        var providers = datasets.GroupBy(d => d.Subject.Provider, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(group =>
        {
            var code = group.Key;
            var cards = group.Select(d => d.Card).OrderBy(c => c.EntryId, StringComparer.Ordinal).ToList();
            var byClass = group.GroupBy(d => d.Card.DeadlineClass, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ClassDeadlines(g.Key, g.Sum(d => d.Card.Deadlines.Deadlines), g.Sum(d => d.Card.Deadlines.Met),
                    Rate(g.Sum(d => d.Card.Deadlines.Met), g.Sum(d => d.Card.Deadlines.Deadlines))))
                .ToList();
            var states = cards.Select(c => c.State).ToList();
            return new ProviderScorecard(code, NameOf(code, agencies, catalogue.Values),
                DeliveryFigures.Sum(cards.Select(c => c.Deliveries)),
                DeadlineFigures.Of(cards.Sum(c => c.Deadlines.Met), cards.Sum(c => c.Deadlines.Missed), byClass),
                new FreshnessFigures(states.Count(s => s == "fresh"), states.Count(s => s == "due"), states.Count(s => s == "overdue"), states.Count(s => s == "delinquent")),
                Mismatches(reportsByProvider[code], asOf),
                Use(byProvider.GetValueOrDefault(code), code),
                cards);
        }).ToList();

        var consumers = usage.GroupBy(g => g.Agency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(group =>
        {
            var allowed = group.Where(g => g.Outcome == "allowed").ToList();
            return new ConsumerUsage(group.Key, agencies.TryGetValue(group.Key, out var agency) ? agency.Name : null,
                allowed.Sum(g => g.Requests), group.Where(g => g.Outcome == "denied").Sum(g => g.Requests), group.Where(g => g.Outcome == "failed").Sum(g => g.Requests),
                Count(allowed, "query"), Count(allowed, "lookup"), Count(allowed, "export"), allowed.Sum(g => g.Rows),
                allowed.SelectMany(g => g.Resources.Where(r => !r.StartsWith("withheld:", StringComparison.Ordinal)).Select(r => (Resource: r, Group: g)))
                    .GroupBy(x => x.Resource, StringComparer.Ordinal)
                    .Select(x => new ResourceUse(x.Key, x.Sum(y => y.Group.Requests), x.Sum(y => y.Group.Rows)))
                    .OrderByDescending(r => r.Requests).ThenBy(r => r.Resource, StringComparer.Ordinal).ToList(),
                allowed.GroupBy(g => g.Purpose, StringComparer.Ordinal)
                    .Select(x => new PurposeUse(x.Key, x.Sum(y => y.Requests), x.Sum(y => y.Rows)))
                    .OrderByDescending(p => p.Requests).ThenBy(p => p.Purpose, StringComparer.Ordinal).ToList());
        }).ToList();

        return new Scorecards(period.Name, period.From, period.To, asOf, providers, consumers);
    }

    /// <summary>What the scorecards need of the store's mismatch reports: those that reached a provider, from the moment
    /// they first did (a check's report waits for a reviewer first; that wait is not the provider's).</summary>
    public static IReadOnlyList<MismatchFact> MismatchFacts(IPlatformStore store) =>
        store.ListMismatchReports()
            .Where(r => r.Status is not (Quality.MismatchStatus.AwaitingReview or Quality.MismatchStatus.Dismissed))
            .Select(r => new MismatchFact(r.Provider, r.EntryId, r.History.FirstOrDefault(e => e.To == Quality.MismatchStatus.InVerification)?.At ?? r.ReportedAt,
                r.Due, r.ResolvedAt, r.Status == Quality.MismatchStatus.Withdrawn))
            .ToList();

    private static DeliveryFigures Figures(DeliveryTally? tally) => tally is null
        ? DeliveryFigures.None
        : new DeliveryFigures(tally.Committed + tally.Unchanged + tally.Refused + tally.Failed, tally.Committed, tally.Unchanged, tally.Refused, tally.Failed,
            tally.RowsRead, tally.RowsAccepted, tally.RowsQuarantined, Rate(tally.RowsQuarantined, tally.RowsRead));

    private MismatchFigures Mismatches(IEnumerable<MismatchFact> reports, DateTimeOffset asOf)
    {
        var list = reports.ToList();
        var kept = list.Where(r => !r.Withdrawn).ToList();
        var resolved = kept.Where(r => r.ResolvedAt is { } at && at <= asOf).ToList();
        var open = kept.Count - resolved.Count;
        var overdue = kept.Count(r => r.Due is { } due && (r.ResolvedAt is { } at && at <= asOf ? at > due : asOf > due));
        var days = resolved.Select(r => (double)calendar.WorkingDaysBetween(r.ReportedAt, r.ResolvedAt!.Value)).Order().ToList();
        double? median = days.Count == 0 ? null : days.Count % 2 == 1 ? days[days.Count / 2] : (days[(days.Count / 2) - 1] + days[days.Count / 2]) / 2;
        return new MismatchFigures(kept.Count, resolved.Count, open, overdue, median, list.Count - kept.Count);
    }

    private static void Add(Dictionary<string, List<UsageGroup>> index, string key, UsageGroup group)
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(group);
    }

    // Allowed requests that drew on the data (those of the owner itself are not use by others).
    private static UseFigures Use(List<UsageGroup>? drewOn, string owner)
    {
        var groups = (drewOn ?? []).Where(g => g.Agency != owner).ToList();
        if (groups.Count == 0)
        {
            return UseFigures.None;
        }

        var byAgency = groups.GroupBy(g => g.Agency, StringComparer.Ordinal)
            .Select(g => new AgencyUse(g.Key, g.Sum(x => x.Requests), g.Sum(x => x.Rows)))
            .OrderByDescending(a => a.Requests).ThenBy(a => a.Agency, StringComparer.Ordinal).ToList();
        return new UseFigures(byAgency.Count, groups.Sum(g => g.Requests), Count(groups, "query"), Count(groups, "lookup"), Count(groups, "export"),
            groups.Sum(g => g.Rows), byAgency);
    }

    private static long Count(IEnumerable<UsageGroup> groups, string kind) => groups.Where(g => AuditUsage.KindOf(g.Action) == kind).Sum(g => g.Requests);

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 6);

    private static string StateName(FreshnessState state) => state switch
    {
        FreshnessState.Fresh => "fresh",
        FreshnessState.Due => "due",
        FreshnessState.Overdue => "overdue",
        _ => "delinquent",
    };

    private static LocalizedName NameOf(string code, IReadOnlyDictionary<string, Agency> agencies, IEnumerable<CatalogueEntry> entries) =>
        agencies.TryGetValue(code, out var agency) ? agency.Name
        : entries.FirstOrDefault(e => e.Agency.Code == code)?.Agency.Name ?? new LocalizedName(code, code);

    /// <summary>Which datasets (and so which providers) a request drew on, from the resources it touched: a lookup names
    /// the provider datasets it served (<c>src.&lt;id&gt;</c>); a base view stands for every dataset that feeds it and a theme
    /// for the base views it declares — a query over <c>population.persons</c> draws on every provider of persons.</summary>
    private sealed class Attribution
    {
        private readonly Dictionary<string, string> _providerOf = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _canonical = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<string>> _feeding = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, IReadOnlyList<string>> _themeSources = new(StringComparer.OrdinalIgnoreCase);

        public Attribution(IEnumerable<CatalogueEntry> entries, IEnumerable<ThemeDefinition> themes)
        {
            foreach (var entry in entries)
            {
                _providerOf[entry.Id] = entry.Agency.Code;
                _canonical[entry.Id] = entry.Id;
                if (!_feeding.TryGetValue(entry.Target, out var list))
                {
                    _feeding[entry.Target] = list = [];
                }

                list.Add(entry.Id);
            }

            foreach (var theme in themes)
            {
                _themeSources[theme.Id] = theme.Sources;
            }
        }

        public IReadOnlySet<string> Datasets(UsageGroup group)
        {
            var named = group.Resources.Where(r => r.StartsWith("src.", StringComparison.OrdinalIgnoreCase))
                .Select(r => _canonical.GetValueOrDefault(r[4..])).OfType<string>().ToList();
            var datasets = new HashSet<string>(StringComparer.Ordinal);
            if (AuditUsage.KindOf(group.Action) == "lookup" && named.Count > 0)
            {
                datasets.UnionWith(named);
            }
            else
            {
                datasets.UnionWith(named);
                foreach (var resource in group.Resources)
                {
                    var views = resource.StartsWith("themes.", StringComparison.OrdinalIgnoreCase)
                        ? _themeSources.GetValueOrDefault(resource["themes.".Length..]) ?? []
                        : [resource];
                    datasets.UnionWith(views.SelectMany(v => _feeding.GetValueOrDefault(v) ?? []));
                }
            }

            return datasets;
        }

        public string ProviderOf(string datasetId) => _providerOf[datasetId];
    }
}
