using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Scorecards;

/// <summary>The scorecards of one period (ZZ 31, GZ 30, XY 27): each providing agency's record and each consuming
/// agency's use.</summary>
/// <param name="Period">The period (<c>2026</c>, <c>2026-Q3</c>, <c>2026-07</c>).</param>
/// <param name="From">Its first instant.</param>
/// <param name="To">The instant after it.</param>
/// <param name="AsOf">The moment the figures stand at: the period's end, or now while it runs.</param>
/// <param name="Providers">One per providing agency, by code.</param>
/// <param name="Consumers">One per agency that used data in the period, by code.</param>
public sealed record Scorecards(
    string Period, DateTimeOffset From, DateTimeOffset To, DateTimeOffset AsOf, IReadOnlyList<ProviderScorecard> Providers, IReadOnlyList<ConsumerUsage> Consumers);

/// <summary>A providing agency's period.</summary>
/// <param name="Agency">Its code.</param>
/// <param name="Name">Its names.</param>
/// <param name="Deliveries">What it delivered.</param>
/// <param name="Deadlines">Its update deadlines in the period, met or missed.</param>
/// <param name="Freshness">Its datasets' states at <see cref="Scorecards.AsOf"/>.</param>
/// <param name="Mismatches">Mismatch reports raised against it in the period.</param>
/// <param name="Use">Use of its data by other agencies (from the audit trail).</param>
/// <param name="Datasets">The same, per catalogue entry.</param>
public sealed record ProviderScorecard(
    string Agency, LocalizedName Name, DeliveryFigures Deliveries, DeadlineFigures Deadlines, FreshnessFigures Freshness,
    MismatchFigures Mismatches, UseFigures Use, IReadOnlyList<DatasetScorecard> Datasets);

/// <summary>One catalogue entry's period.</summary>
/// <param name="EntryId">The entry.</param>
/// <param name="Name">Its names.</param>
/// <param name="DeadlineClass">real_time, within_3_days, quarterly or custom.</param>
/// <param name="State">Its freshness at <see cref="Scorecards.AsOf"/>.</param>
/// <param name="Deliveries">What was delivered.</param>
/// <param name="Deadlines">Deadlines met or missed.</param>
/// <param name="Mismatches">Mismatch reports against it.</param>
/// <param name="Use">Use of it by other agencies.</param>
public sealed record DatasetScorecard(
    string EntryId, LocalizedName Name, string DeadlineClass, string State, DeliveryFigures Deliveries, DeadlineFigures Deadlines,
    MismatchFigures Mismatches, UseFigures Use);

/// <summary>Deliveries in a period (by when ingestion finished).</summary>
/// <param name="Deliveries">Files delivered, whatever became of them.</param>
/// <param name="Committed">Committed into the lake.</param>
/// <param name="Unchanged">The same file again (counts as a delivery for the deadlines: nothing changed).</param>
/// <param name="Refused">Refused: more quarantined rows than the entry allows.</param>
/// <param name="Failed">Unreadable.</param>
/// <param name="RowsRead">Rows read from committed and refused files.</param>
/// <param name="RowsProvided">Rows accepted into the lake.</param>
/// <param name="RowsQuarantined">Rows quarantined.</param>
/// <param name="QuarantineRate">Quarantined ÷ read, or null when nothing was read.</param>
public sealed record DeliveryFigures(
    long Deliveries, long Committed, long Unchanged, long Refused, long Failed, long RowsRead, long RowsProvided, long RowsQuarantined, double? QuarantineRate)
{
    /// <summary>Nothing delivered.</summary>
    public static DeliveryFigures None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, null);

    /// <summary>The sum of several.</summary>
    public static DeliveryFigures Sum(IEnumerable<DeliveryFigures> parts)
    {
        var list = parts.ToList();
        long read = list.Sum(p => p.RowsRead), quarantined = list.Sum(p => p.RowsQuarantined);
        return new DeliveryFigures(list.Sum(p => p.Deliveries), list.Sum(p => p.Committed), list.Sum(p => p.Unchanged), list.Sum(p => p.Refused),
            list.Sum(p => p.Failed), read, list.Sum(p => p.RowsProvided), quarantined, Rate(quarantined, read));
    }

    internal static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 6);
}

/// <summary>Update deadlines that fell in a period.</summary>
/// <param name="Deadlines">Deadlines that passed.</param>
/// <param name="Met">Met by a delivery in time.</param>
/// <param name="Missed">Missed.</param>
/// <param name="OnTimeRate">Met ÷ deadlines, or null when none passed.</param>
/// <param name="ByClass">The same per deadline class (provider level only).</param>
public sealed record DeadlineFigures(long Deadlines, long Met, long Missed, double? OnTimeRate, IReadOnlyList<ClassDeadlines> ByClass)
{
    /// <summary>Figures of met and missed counts.</summary>
    public static DeadlineFigures Of(long met, long missed, IReadOnlyList<ClassDeadlines>? byClass = null) =>
        new(met + missed, met, missed, DeliveryFigures.Rate(met, met + missed), byClass ?? []);
}

/// <summary>One deadline class's deadlines.</summary>
/// <param name="DeadlineClass">The class.</param>
/// <param name="Deadlines">Deadlines that passed.</param>
/// <param name="Met">Met in time.</param>
/// <param name="OnTimeRate">Met ÷ deadlines.</param>
public sealed record ClassDeadlines(string DeadlineClass, long Deadlines, long Met, double? OnTimeRate);

/// <summary>How many of an agency's datasets stand where.</summary>
/// <param name="Fresh">Fresh.</param>
/// <param name="Due">Due soon.</param>
/// <param name="Overdue">Overdue.</param>
/// <param name="Delinquent">Delinquent.</param>
public sealed record FreshnessFigures(int Fresh, int Due, int Overdue, int Delinquent);

/// <summary>Mismatch reports raised against a provider in a period (GZ 22: verified within 3 working days).</summary>
/// <param name="Reported">Raised in the period (withdrawn ones excluded).</param>
/// <param name="Resolved">Of those, resolved by <see cref="Scorecards.AsOf"/>.</param>
/// <param name="Open">Still open.</param>
/// <param name="Overdue">Resolved after their due date, or open past it.</param>
/// <param name="MedianWorkingDaysToResolve">The median of working days from report to resolution, or null when none was resolved.</param>
/// <param name="Withdrawn">Withdrawn by their reporters.</param>
public sealed record MismatchFigures(int Reported, int Resolved, int Open, int Overdue, double? MedianWorkingDaysToResolve, int Withdrawn)
{
    /// <summary>None.</summary>
    public static MismatchFigures None { get; } = new(0, 0, 0, 0, null, 0);
}

/// <summary>Use of a provider's data by other agencies: data requests that drew on it.</summary>
/// <param name="Agencies">Distinct agencies.</param>
/// <param name="Requests">Allowed data requests.</param>
/// <param name="Queries">SQL queries.</param>
/// <param name="Lookups">Person, entity and licence lookups.</param>
/// <param name="Exports">Theme exports.</param>
/// <param name="RowsServed">Rows in the answers (a query over several providers' data counts for each).</param>
/// <param name="ByAgency">Per using agency.</param>
public sealed record UseFigures(int Agencies, long Requests, long Queries, long Lookups, long Exports, long RowsServed, IReadOnlyList<AgencyUse> ByAgency)
{
    /// <summary>None.</summary>
    public static UseFigures None { get; } = new(0, 0, 0, 0, 0, 0, []);
}

/// <summary>One agency's use of a provider's data.</summary>
/// <param name="Agency">The using agency.</param>
/// <param name="Requests">Its requests.</param>
/// <param name="RowsServed">Rows served to it.</param>
public sealed record AgencyUse(string Agency, long Requests, long RowsServed);

/// <summary>What an agency used in a period, how much and why (the yearly usage report, ZZ 31).</summary>
/// <param name="Agency">Its code.</param>
/// <param name="Name">Its names (null for an agency no longer registered).</param>
/// <param name="Requests">Data requests allowed.</param>
/// <param name="Denied">Data requests refused (sharing class, missing grant).</param>
/// <param name="Failed">Data requests that failed (a bad request, a key not on record, an error).</param>
/// <param name="Queries">SQL queries.</param>
/// <param name="Lookups">Lookups.</param>
/// <param name="Exports">Theme exports.</param>
/// <param name="RowsServed">Rows served.</param>
/// <param name="Resources">Per resource touched.</param>
/// <param name="Purposes">Per stated purpose.</param>
public sealed record ConsumerUsage(
    string Agency, LocalizedName? Name, long Requests, long Denied, long Failed, long Queries, long Lookups, long Exports, long RowsServed,
    IReadOnlyList<ResourceUse> Resources, IReadOnlyList<PurposeUse> Purposes);

/// <summary>Use of one resource.</summary>
/// <param name="Resource">The view or dataset (<c>population.persons</c>, <c>src.psb.household</c>, <c>themes.credit</c>).</param>
/// <param name="Requests">Requests that touched it.</param>
/// <param name="RowsServed">Rows in those answers.</param>
public sealed record ResourceUse(string Resource, long Requests, long RowsServed);

/// <summary>Use for one stated purpose.</summary>
/// <param name="Purpose">The purpose, as given in <c>X-Purpose</c>.</param>
/// <param name="Requests">Requests.</param>
/// <param name="RowsServed">Rows served.</param>
public sealed record PurposeUse(string Purpose, long Requests, long RowsServed);
