using GovShare.Lake.Platform;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GovShare.Lake.QueryApi.Query;

/// <summary>One lake version as listed.</summary>
/// <param name="Version">The number <c>asOf</c> accepts.</param>
/// <param name="CommittedAt">When it was recorded.</param>
/// <param name="Tables">The tables it changed.</param>
public sealed record LakeVersionView(long Version, DateTimeOffset CommittedAt, IReadOnlyList<string> Tables);

/// <summary><c>GET /api/versions</c>: the lake's versions, newest first, for a query's or an export's "as of".</summary>
internal static class VersionsApi
{
    public static void MapVersionsApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/versions", ListVersions).WithName("ListLakeVersions").WithTags("Query").RequireAuthorization()
            .WithSummary("The lake's versions, newest first (at most 'limit', default 100)");

    private static Ok<LakeVersionView[]> ListVersions(IPlatformStore store, int? limit) =>
        TypedResults.Ok(store.ListLakeVersions().OrderByDescending(v => v.Version).Take(Math.Clamp(limit ?? 100, 1, 1000))
            .Select(v => new LakeVersionView(v.Version, v.CommittedAt, v.Tables.Keys.Order(StringComparer.Ordinal).ToList())).ToArray());
}
