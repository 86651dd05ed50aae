using System.Text.Json;
using System.Text.Json.Nodes;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Engine;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Catalogue;

/// <summary>The last delivery of a dataset.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Status">committed, refused or failed.</param>
/// <param name="FileName">The delivered file.</param>
/// <param name="Accepted">Rows accepted.</param>
/// <param name="Quarantined">Rows quarantined.</param>
/// <param name="FinishedAt">When ingestion ended.</param>
/// <param name="TableVersion">The provider table's version holding it.</param>
public sealed record DeliverySummary(string BatchId, string Status, string FileName, long Accepted, long Quarantined, DateTimeOffset FinishedAt, long? TableVersion);

/// <summary>A catalogue resource in a list.</summary>
/// <param name="Id">The entry id.</param>
/// <param name="Kind"><c>dataset</c> (delivered by a provider) or <c>theme</c> (defined by SQL over the base databases).</param>
/// <param name="Name">Names.</param>
/// <param name="Description">Description.</param>
/// <param name="Agency">The providing (or answering) agency.</param>
/// <param name="Target">The base table it feeds (datasets) or <c>themes.&lt;id&gt;</c>.</param>
/// <param name="BaseDatabase">population, legal_entity, geo, licence or themes.</param>
/// <param name="SharingClass">unconditional, conditional, not_shared.</param>
/// <param name="LegalBasis">The legal basis of a restriction.</param>
/// <param name="UpdateDeadline">real_time, within_3_days, quarterly (datasets).</param>
/// <param name="Themes">Themes it belongs to.</param>
/// <param name="LastDelivery">The latest delivery (datasets).</param>
public sealed record CatalogueSummary(string Id, string Kind, LocalizedName Name, string? Description, AgencyRef Agency, string Target, string BaseDatabase,
    string SharingClass, string? LegalBasis, string? UpdateDeadline, IReadOnlyList<string> Themes, DeliverySummary? LastDelivery);

/// <summary>A column of a resource.</summary>
/// <param name="Name">The column in the lake.</param>
/// <param name="Type">Its type.</param>
/// <param name="Chinese">Its Chinese name.</param>
/// <param name="English">Its English description.</param>
/// <param name="SourceColumn">The provider's column it is read from.</param>
/// <param name="Required">True when a row without it is quarantined.</param>
public sealed record SchemaColumn(string Name, string Type, string? Chinese, string? English, string? SourceColumn, bool Required);

/// <summary>A catalogue revision.</summary>
/// <param name="Revision">1, 2, ...</param>
/// <param name="ValidFrom">When it took effect.</param>
/// <param name="Changes">What changed.</param>
public sealed record RevisionSummary(int Revision, DateTimeOffset ValidFrom, IReadOnlyList<string> Changes);

/// <summary>A lake version that changed the resource's table.</summary>
/// <param name="LakeVersion">The lake version.</param>
/// <param name="TableVersion">The table's Delta version.</param>
/// <param name="CommittedAt">When.</param>
public sealed record TableVersionSummary(long LakeVersion, long TableVersion, DateTimeOffset CommittedAt);

/// <summary>One catalogue resource in full.</summary>
/// <param name="Summary">What the list shows.</param>
/// <param name="Key">The key column and its kind.</param>
/// <param name="Conditions">The conditions of conditional sharing.</param>
/// <param name="Provision">How it is provided (online_query, bulk_export, ...).</param>
/// <param name="Authoritative">Attributes the provider is the authority for.</param>
/// <param name="Schema">Columns.</param>
/// <param name="Revisions">Catalogue revisions, oldest first.</param>
/// <param name="Versions">Lake versions that changed its table, newest first (at most 100).</param>
/// <param name="Sql">A theme's defining SQL.</param>
/// <param name="Freshness">The entry's state against its update deadline at the last freshness check, or null before the first.</param>
public sealed record CatalogueDetail(CatalogueSummary Summary, string Key, string? Conditions, IReadOnlyList<string> Provision, IReadOnlyList<string> Authoritative,
    IReadOnlyList<SchemaColumn> Schema, IReadOnlyList<RevisionSummary> Revisions, IReadOnlyList<TableVersionSummary> Versions, string? Sql,
    GovShare.Lake.Platform.FreshnessRecord? Freshness = null);

/// <summary>The catalogue (GZ 9–10, PX 10): what may be shared, by whom, on what terms.</summary>
public static class CatalogueApi
{
    /// <summary>Maps <c>/api/catalogue</c>, <c>/api/catalogue/{id}</c> and <c>/api/catalogue.jsonld</c>.</summary>
    public static IEndpointRouteBuilder MapCatalogueApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api").WithTags("Catalogue").RequireAuthorization();
        group.MapGet("/catalogue", ListCatalogue)
            .WithName("ListCatalogue")
            .WithSummary("Search the catalogue: text, provider, sharing class, theme, base database");
        group.MapGet("/catalogue/{id}", GetCatalogueEntry)
            .WithName("GetCatalogueEntry")
            .WithSummary("One resource: schema, sharing class, legal basis, provider, update deadline, last delivery, versions");
        group.MapGet("/catalogue.jsonld", GetCatalogueJsonLd)
            .WithName("GetCatalogueJsonLd")
            .WithSummary("The catalogue as DCAT-AP JSON-LD")
            .Produces<JsonObject>(StatusCodes.Status200OK, "application/ld+json");
        return endpoints;
    }

    internal static Ok<List<CatalogueSummary>> ListCatalogue(LakeEngine engine, IPlatformStore store,
        [FromQuery] string? q, [FromQuery] string? provider, [FromQuery] string? sharingClass, [FromQuery] string? theme, [FromQuery] string? baseDatabase)
    {
        var all = Summaries(engine, store);
        IEnumerable<CatalogueSummary> found = all;
        if (!string.IsNullOrWhiteSpace(q))
        {
            var text = q.Trim();
            found = found.Where(s => new[] { s.Id, s.Name.Zh, s.Name.En, s.Description ?? "", s.Agency.Name.Zh, s.Agency.Name.En, s.Target }
                .Any(t => t.Contains(text, StringComparison.OrdinalIgnoreCase)));
        }

        if (!string.IsNullOrWhiteSpace(provider))
        {
            found = found.Where(s => string.Equals(s.Agency.Code, provider, StringComparison.OrdinalIgnoreCase));
        }

        if (!string.IsNullOrWhiteSpace(sharingClass))
        {
            found = found.Where(s => string.Equals(s.SharingClass, sharingClass, StringComparison.OrdinalIgnoreCase));
        }

        if (!string.IsNullOrWhiteSpace(theme))
        {
            found = found.Where(s => s.Themes.Contains(theme, StringComparer.OrdinalIgnoreCase) || (s.Kind == "theme" && string.Equals(s.Id, theme, StringComparison.OrdinalIgnoreCase)));
        }

        if (!string.IsNullOrWhiteSpace(baseDatabase))
        {
            found = found.Where(s => string.Equals(s.BaseDatabase, baseDatabase, StringComparison.OrdinalIgnoreCase));
        }

        return TypedResults.Ok(found.ToList());
    }

    internal static Results<Ok<CatalogueDetail>, ProblemHttpResult> GetCatalogueEntry(string id, LakeEngine engine, IPlatformStore store)
    {
        var summary = Summaries(engine, store).FirstOrDefault(s => s.Id == id);
        if (summary is null)
        {
            return TypedResults.Problem($"there is no catalogue resource '{id}'; GET /api/catalogue lists them.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        if (summary.Kind == "theme")
        {
            var theme = engine.Themes.First(t => t.Id == id);
            using var lease = engine.Pin(null);
            var columns = new List<SchemaColumn>();
            if (lease.Open.Themes.Any(t => t.Id == id))
            {
                using var connection = engine.Connect(lease);
                columns = GovShare.Lake.QueryApi.Themes.ThemesApi.Columns(connection, id).Select(c => new SchemaColumn(c.Name, c.Type, null, null, null, false)).ToList();
            }

            return TypedResults.Ok(new CatalogueDetail(summary, theme.KeyColumn, theme.Sharing.Conditions, ["bulk_export"], [], columns, [], [], theme.Sql));
        }

        var revisions = store.CatalogueHistory(id);
        var entry = revisions[^1].Entry;
        var table = BaseDatabaseCatalog.Find(entry.Target);
        var schema = entry.Fields.Select(f =>
        {
            var attribute = table?.Find(f.Target);
            return new SchemaColumn(f.Target, f.Type, attribute?.Chinese, attribute?.English, f.Source, f.Required);
        }).ToList();
        var versions = engine.Versions.Versions
            .Where(v => v.Tables.ContainsKey("src/" + id))
            .Select(v => new TableVersionSummary(v.Version, v.Tables["src/" + id], v.CommittedAt))
            .Reverse().Take(100).ToList();
        return TypedResults.Ok(new CatalogueDetail(summary, entry.KeyColumn, entry.Sharing.Conditions, entry.Provision, entry.Authoritative, schema,
            revisions.Select(r => new RevisionSummary(r.Revision, r.ValidFrom, r.Changes)).ToList(), versions, null,
            store.ListFreshness().FirstOrDefault(f => f.Status.EntryId == id)));
    }

    internal static IResult GetCatalogueJsonLd(LakeEngine engine, IPlatformStore store, HttpContext context)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        var document = DcatCatalogue.Build(Summaries(engine, store), baseUrl);
        return TypedResults.Text(document.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true }),
            "application/ld+json", System.Text.Encoding.UTF8);
    }

    private static List<CatalogueSummary> Summaries(LakeEngine engine, IPlatformStore store)
    {
        var lastDeliveries = store.LatestBatches().ToDictionary(b => b.DatasetId, StringComparer.Ordinal);
        var list = new List<CatalogueSummary>();
        foreach (var entry in store.ListCatalogue().Select(r => r.Entry))
        {
            var batch = lastDeliveries.GetValueOrDefault(entry.Id);
            list.Add(new CatalogueSummary(entry.Id, "dataset", entry.Name, entry.Description, entry.Agency, entry.Target,
                entry.Target.Split('.')[0], Snake(entry.Sharing.Class), entry.Sharing.LegalBasis, Snake(entry.UpdateDeadline), entry.Themes,
                batch is null ? null : new DeliverySummary(batch.BatchId, batch.Status, batch.FileName, batch.Accepted, batch.Quarantined, batch.FinishedAt, batch.Version)));
        }

        foreach (var theme in engine.Themes)
        {
            list.Add(new CatalogueSummary(theme.Id, "theme", theme.Name, theme.Description, theme.Agency, "themes." + theme.Id, "themes",
                Snake(theme.Sharing.Class), theme.Sharing.LegalBasis, null, [theme.Id], null));
        }

        return list.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>An enum as the catalogue's YAML and JSON spell it (<c>not_shared</c>, <c>within_3_days</c>).</summary>
    internal static string Snake<T>(T value)
        where T : struct, Enum =>
        JsonSerializer.Serialize(value, DuckDbPlatformStore.Json).Trim('"');
}
