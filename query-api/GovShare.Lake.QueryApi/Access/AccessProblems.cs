using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.QueryApi.Engine;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GovShare.Lake.QueryApi.Access;

/// <summary>403 problems that name the resource refused, why, and how to request it.</summary>
public static partial class AccessProblems
{
    /// <summary>The problem for a resource the profile does not grant.</summary>
    public static ProblemHttpResult Denied(IReadOnlyList<AccessDenial> denials, string? context = null)
    {
        var first = denials[0];
        var detail = (context is null ? "" : context + " ") + string.Join(" ", denials.Select(d => d.Reason)) + " To obtain it: " + first.HowToRequest;
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Not granted",
            extensions: new Dictionary<string, object?>
            {
                ["resources"] = denials.Select(d => d.Resource).ToList(),
                ["sharingClasses"] = denials.Select(d => Catalogue.CatalogueApi.Snake(d.Class)).ToList(),
                ["howToRequest"] = denials.Select(d => d.HowToRequest).ToList(),
            });
    }

    /// <summary>The views a statement names that the agency may not read, as a 403; null when it may read them all.</summary>
    public static ProblemHttpResult? ForViews(IEnumerable<string> views, LakeLease lease, AccessProfile profile)
    {
        foreach (var view in views)
        {
            var denials = DenialsOf(view, lease, profile);
            if (denials.Count > 0)
            {
                return Denied(denials, $"the statement names {view}, which this agency may not read:");
            }
        }

        return null;
    }

    /// <summary>A DuckDB binder error about a column the agency's view leaves out, as a 403 naming the resources that
    /// hold it; null for any other error.</summary>
    public static ProblemHttpResult? ForMissingColumn(DuckDBException ex, IEnumerable<string> views, LakeLease lease, AccessProfile profile)
    {
        if (MissingColumn().Match(ex.Message) is not { Success: true } match)
        {
            return null;
        }

        var column = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
        foreach (var view in views)
        {
            var holders = lease.WithheldBy(view, column);
            if (holders.Count > 0)
            {
                var denials = holders.Select(h => profile.Denied.GetValueOrDefault(h)
                    ?? new AccessDenial(h, GovShare.Lake.Catalogue.SharingClass.Conditional, $"the grant for {h} does not include the field {column}.",
                        $"request the field: POST /api/access-requests {{\"entryId\": \"{h}\", \"fields\": [\"{column}\"], \"purpose\": \"...\"}}.")).ToList();
                return Denied(denials, $"the column {column} of {view} comes from resources this agency may not read:");
            }
        }

        return null;
    }

    private static List<AccessDenial> DenialsOf(string view, LakeLease lease, AccessProfile profile)
    {
        if (view.StartsWith("src.", StringComparison.OrdinalIgnoreCase))
        {
            var id = view[4..];
            return profile.Denied.FirstOrDefault(d => string.Equals(d.Key, id, StringComparison.OrdinalIgnoreCase)).Value is { } denial ? [denial] : [];
        }

        if (view.StartsWith(AccessRules.ThemePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return profile.Denied.FirstOrDefault(d => string.Equals(d.Key, view, StringComparison.OrdinalIgnoreCase)).Value is { } denial ? [denial] : [];
        }

        return lease.DeniedSources(view).Select(id => profile.Denied.GetValueOrDefault(id)).OfType<AccessDenial>().ToList();
    }

    [GeneratedRegex("column \"?([^\" ]+)\"? not found|does not have a column named \"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex MissingColumn();
}
