using System.Globalization;
using DuckDB.NET.Data;
using GovShare.Lake.Access;
using GovShare.Lake.Catalogue;
using GovShare.Lake.QueryApi.Access;
using GovShare.Lake.Engine;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Evidence;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.QueryApi.Query;
using GovShare.Lake.QueryApi.Results;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace GovShare.Lake.QueryApi.Themes;

/// <summary>A theme as the API lists it.</summary>
/// <param name="Id">The theme id (its view is <c>themes.&lt;id&gt;</c>).</param>
/// <param name="Name">Names in Chinese and English.</param>
/// <param name="Description">What it holds.</param>
/// <param name="Agency">The agency that answers for it.</param>
/// <param name="Key">The column identifying a row.</param>
/// <param name="SharingClass">unconditional, conditional or not_shared.</param>
/// <param name="Sources">The base tables it draws on.</param>
/// <param name="Columns">Its columns at the latest version.</param>
/// <param name="Version">The latest lake version.</param>
/// <param name="Export">The export URL.</param>
/// <param name="Granted">True when the requesting agency may export it (every resource it draws on readable, or its own grant).</param>
/// <param name="HowToRequest">When not granted: why, and how to request it.</param>
internal sealed record ThemeSummary(string Id, LocalizedName Name, string? Description, AgencyRef Agency, string Key, string SharingClass,
    IReadOnlyList<string> Sources, IReadOnlyList<ResultColumn> Columns, long Version, string Export, bool Granted, string? HowToRequest);

/// <summary>Thematic datasets for consuming agencies: listed, and exported whole or as changes between versions.</summary>
public static class ThemesApi
{
    /// <summary>Export files kept per theme (older ones are deleted when a new one is written).</summary>
    private const int ExportsKept = 4;

    /// <summary>Maps <c>/api/themes</c>.</summary>
    public static IEndpointRouteBuilder MapThemesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/themes").WithTags("Themes");
        group.MapGet("/", ListThemes)
            .WithName("ListThemes")
            .WithSummary("Every thematic dataset with its columns and the latest lake version")
            .RequireAuthorization();
        group.MapGet("/{id}/export", ExportTheme)
            .WithName("ExportTheme")
            .WithSummary("A theme's rows at a lake version (format parquet, csv, arrow or jsonl), or its changes since an earlier version")
            .WithDescription("With since=V0 the rows inserted, updated or deleted between V0 and the version, with a leading 'change' column. " +
                "The ETag is the version; a Parquet export is the same bytes for the same version and can be resumed with Range requests.")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.apache.parquet", additionalContentTypes: ["text/csv", "application/vnd.apache.arrow.stream", "application/x-ndjson"])
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/vnd.apache.parquet")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireParty();
        return endpoints;
    }

    internal static IResult ListThemes(LakeEngine engine, AccessPolicy policy, HttpContext context)
    {
        var profile = policy.For(RequestParty.AgencyOf(context.User)?.Code ?? "");
        using var lease = engine.Pin(null, profile);
        using var connection = engine.Connect(lease);
        var themes = lease.Open.Themes.Select(t =>
        {
            var denial = profile.Denied.GetValueOrDefault(AccessRules.ThemePrefix + t.Id);
            return new ThemeSummary(t.Id, t.Name, t.Description, t.Agency, t.KeyColumn, SharingName(t.Sharing.Class), t.Sources,
                denial is null ? Columns(connection, t.Id) : [], lease.Version, $"/api/themes/{t.Id}/export", denial is null,
                denial is null ? null : denial.Reason + " " + denial.HowToRequest);
        }).ToList();
        return TypedResults.Ok(themes);
    }

    internal static async Task<IResult> ExportTheme(string id, HttpContext context, LakeEngine engine, AccessPolicy policy, GovShare.Lake.Evidence.EvidenceVault vault, TimeProvider clock,
        [FromQuery] string? format, [FromQuery] string? version, [FromQuery] long? since, [FromQuery] string? encoding)
    {
        var chosen = ResultFormats.FromName(format ?? "parquet");
        if (chosen is null or ResultFormat.Json)
        {
            return TypedResults.Problem($"format '{format}' is not offered for exports: use parquet (default), csv, arrow or jsonl.",
                statusCode: StatusCodes.Status400BadRequest, title: "Unknown format");
        }

        if (ResultFormats.CsvEncoding(encoding) is not { } csvEncoding)
        {
            return ResultFormats.UnknownEncoding(encoding);
        }

        LakeLease lease;
        var profile = policy.For(context.Party().Agency);
        try
        {
            lease = engine.Pin(version, profile);
        }
        catch (LakeException ex)
        {
            return Problems.From(ex);
        }

        using (lease)
        {
            context.Audit().Touch(["themes." + id]);
            if (lease.Open.Themes.FirstOrDefault(t => t.Id == id) is not { } theme)
            {
                return TypedResults.Problem($"there is no theme '{id}' at lake version {lease.Version}; GET /api/themes lists them.",
                    statusCode: StatusCodes.Status404NotFound, title: "Not found");
            }

            if (profile.Denied.GetValueOrDefault(AccessRules.ThemePrefix + theme.Id) is { } denial)
            {
                return AccessProblems.Denied([denial]);
            }

            var certificates = ExportEvidence.Touches([AccessRules.ThemePrefix + theme.Id], engine);

            if (since is { } from && (from < 1 || from >= lease.Version))
            {
                return TypedResults.Problem($"since={from} must be a lake version before {lease.Version}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad since");
            }

            // The version, and the definition: a theme whose SQL changed gives other rows at the same lake version.
            var definition = DefinitionHash(theme);
            // And the representation: a Parquet download's ETag must not validate a CSV or GB18030 copy.
            // And the reader's access: a masked or narrowed copy is another representation, cached apart.
            var representation = ResultFormats.Extension(chosen.Value) + (chosen == ResultFormat.Csv ? "-" + csvEncoding.WebName : "") +
                (lease.AccessKey.Length > 0 ? "-a" + lease.AccessKey : "");
            var tag = since is { } s
                ? $"\"v{lease.Version}-since-v{s}-{definition}-{representation}\""
                : $"\"v{lease.Version}-{definition}-{representation}\"";
            var etag = new EntityTagHeaderValue(tag);
            var name = $"{theme.Id}-v{lease.Version}{(since is { } s2 ? $"-since-v{s2}" : "")}.{ResultFormats.Extension(chosen.Value)}";
            context.Response.Headers["X-Lake-Version"] = lease.Version.ToString(CultureInfo.InvariantCulture);

            // Checked before any export is written; a 304 carries the ETag it confirms (RFC 9110, 15.4.5).
            if (context.Request.Headers.IfNoneMatch.ToString().Contains(tag, StringComparison.Ordinal))
            {
                context.Response.Headers.ETag = tag;
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }

            try
            {
                // The earlier version stays open until the export is written.
                using var old = since is { } from2 ? engine.Pin(from2.ToString(CultureInfo.InvariantCulture), profile) : null;

                // Ordered by the key: the ETag promises the same bytes for the same version, and a Range request may
                // resume a download against a file written again after pruning; without an order, DuckDB's parallel
                // scans and joins give the rows in a different order from one run to the next.
                var rows = old is not null ? ChangesQuery(theme, old) : $"SELECT * FROM themes.{LakeDuckDb.Identifier(theme.Id)}";
                var sql = $"SELECT * FROM (\n{rows}\n) ORDER BY {LakeDuckDb.Identifier(theme.KeyColumn)}";
                if (chosen == ResultFormat.Parquet)
                {
                    var path = Path.Combine(engine.ExportDirectory, $"theme-{theme.Id}-v{lease.Version}{(since is { } s3 ? $"-since-v{s3}" : "")}-{definition}{(lease.AccessKey.Length > 0 ? "-a" + lease.AccessKey : "")}.parquet");
                    if (!File.Exists(path))
                    {
                        ResultFormats.WriteParquet(engine, lease, sql, path, context.RequestAborted, engine.Options.ExportTimeout);
                        Prune(engine.ExportDirectory, theme.Id);
                    }

                    if (certificates)
                    {
                        ExportEvidence.Attach(context, vault, clock, AccessRules.ThemePrefix + theme.Id, lease.Version, await File.ReadAllBytesAsync(path, context.RequestAborted));
                    }

                    return TypedResults.PhysicalFile(path, ResultFormats.MediaType(ResultFormat.Parquet), name,
                        File.GetLastWriteTimeUtc(path), etag, enableRangeProcessing: true);
                }

                using var running = RunningQuery.Start(engine, lease, sql, context.RequestAborted, engine.Options.ExportTimeout);
                if (certificates)
                {
                    // The receipt covers the exact bytes: they are written whole before they are served.
                    using var buffer = new MemoryStream();
                    context.Audit().Rows = await ResultFormats.StreamAsync(running, chosen.Value, csvEncoding, buffer);
                    ExportEvidence.Attach(context, vault, clock, AccessRules.ThemePrefix + theme.Id, lease.Version, buffer.ToArray());
                    context.Response.Headers.ETag = tag;
                    context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = name }.ToString();
                    return TypedResults.Bytes(buffer.ToArray(), ResultFormats.MediaType(chosen.Value) + (chosen == ResultFormat.Csv ? "; charset=" + csvEncoding.WebName : ""));
                }

                return await SqlQueryApi.StreamOrProblem(context, sql, null, () =>
                {
                    context.Response.ContentType = ResultFormats.MediaType(chosen.Value) + (chosen == ResultFormat.Csv ? "; charset=" + csvEncoding.WebName : "");
                    context.Response.Headers.ETag = tag;
                    context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = name }.ToString();
                    return CountRows(context, ResultFormats.StreamAsync(running, chosen.Value, csvEncoding, context.Response.Body));
                });
            }
            catch (LakeException ex)
            {
                return Problems.From(ex);
            }
            catch (DuckDBException ex)
            {
                return TypedResults.Problem($"the theme '{theme.Id}' could not be read: {GovShare.Lake.Identifiers.CitizenIdNumber.MaskWithin(ex.Message)}",
                    statusCode: StatusCodes.Status500InternalServerError, title: "Theme failed");
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return SqlQueryApi.ExportTimedOut(engine);
            }
        }
    }

    /// <summary>The rows that differ between the theme at the earlier lease's version and at the leased version, keyed by
    /// the theme's key: inserted and updated rows as they are now, deleted rows as they were, each with a
    /// <c>change</c> column. Both sides are the theme's own view in its version's catalog.</summary>
    private static string ChangesQuery(ThemeDefinition theme, LakeLease old)
    {
        if (old.Open.Themes.All(t => t.Id != theme.Id))
        {
            throw new LakeException(LakeErrorKind.NotFound, $"the theme '{theme.Id}' did not exist at lake version {old.Version}; export it whole.");
        }

        var view = "themes." + LakeDuckDb.Identifier(theme.Id);
        var key = LakeDuckDb.Identifier(theme.KeyColumn);
        var before = LakeDuckDb.Identifier(old.Catalog) + "." + view;
        return $"""
            WITH old_rows AS (SELECT * FROM {before}), new_rows AS (SELECT * FROM {view})
            SELECT 'inserted' AS change, n.* FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.{key} = n.{key})
            UNION ALL BY NAME
            SELECT 'updated' AS change, n.* FROM new_rows n JOIN old_rows o ON o.{key} = n.{key} WHERE CAST(to_json(o) AS VARCHAR) IS DISTINCT FROM CAST(to_json(n) AS VARCHAR)
            UNION ALL BY NAME
            SELECT 'deleted' AS change, o.* FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.{key} = o.{key})
            """;
    }

    private static void Prune(string folder, string themeId)
    {
        // theme-<id>-v<version>...: a theme whose id begins with this id and a dash is not this theme.
        var own = new System.Text.RegularExpressions.Regex($"^theme-{System.Text.RegularExpressions.Regex.Escape(themeId)}-v[0-9]+[-.]");
        foreach (var stale in new DirectoryInfo(folder).EnumerateFiles($"theme-{themeId}-v*.parquet")
            .Where(f => own.IsMatch(f.Name))
            .OrderByDescending(f => f.LastWriteTimeUtc).Skip(ExportsKept))
        {
            try
            {
                stale.Delete();
            }
            catch (IOException)
            {
                // Being served right now: the next export prunes it.
            }
        }
    }

    /// <summary>A theme's columns with DuckDB's own type names. DESCRIBE only binds the view; reading the types off
    /// an empty result instead gives <c>DECIMAL(0,0)</c> for every DECIMAL (DuckDB.NET's schema table has a decimal's
    /// width and scale only when the result has rows).</summary>
    internal static List<ResultColumn> Columns(DuckDBConnection connection, string themeId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM themes.{LakeDuckDb.Identifier(themeId)})";
        using var reader = command.ExecuteReader();
        var columns = new List<ResultColumn>();
        while (reader.Read())
        {
            columns.Add(new ResultColumn(reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    private static async Task<long> CountRows(HttpContext context, Task<long> streaming)
    {
        var rows = await streaming;
        context.Audit().Rows = rows;
        return rows;
    }

    /// <summary>The first 12 hex digits of SHA-256 over the theme's definition.</summary>
    internal static string DefinitionHash(ThemeDefinition theme) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(theme, GovShare.Lake.Platform.DuckDbPlatformStore.Json)))[..12];

    private static string SharingName(SharingClass sharing) => Catalogue.CatalogueApi.Snake(sharing);
}
