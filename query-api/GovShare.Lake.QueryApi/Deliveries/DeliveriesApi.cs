using System.Text.Json;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace GovShare.Lake.QueryApi.Deliveries;

/// <summary><c>POST /api/datasets/{id}/deliveries</c>: a providing agency delivers a file over HTTP instead of the drop folder.</summary>
public static class DeliveriesApi
{
    /// <summary>The largest delivery accepted over HTTP (bigger files go through the drop folder).</summary>
    public const long MaxDeliveryBytes = 20L * 1024 * 1024 * 1024;

    /// <summary>Maps the delivery endpoint.</summary>
    public static IEndpointRouteBuilder MapDeliveriesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/datasets/{id}/deliveries", Deliver)
            .WithName("DeliverDataset")
            .WithSummary("Deliver a file (the request body) to a dataset; answers with the ingestion batch report")
            .WithDescription("Only the dataset's providing agency (or the operator) may deliver. Name the file with ?fileName= or Content-Disposition. " +
                "200 with the report when committed (or already committed); 422 with the report when refused or unreadable.")
            .WithTags("Deliveries")
            .Accepts<Stream>("application/octet-stream", "text/csv", "application/x-ndjson", "application/vnd.apache.parquet",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequireAuthorization();
        return endpoints;
    }

    internal static async Task<IResult> Deliver(string id, HttpContext context, LakeEngine engine, IPlatformStore store, GovShare.Lake.Audit.AuditLog audit,
        [FromQuery] string? fileName, [FromServices] IEnumerable<IDeliveryService> services)
    {
        long? accepted = null;
        context.Response.OnCompleted(() =>
        {
            audit.Append(Identity.AuditScope.EventOf(context, "DeliverDataset", ["src." + id], [], accepted, context.Response.StatusCode));
            return Task.CompletedTask;
        });
        if (services.FirstOrDefault() is not { } deliveries)
        {
            return TypedResults.Problem("this host was started without ingestion; deliver through 'govshare serve' or the drop folder.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Deliveries unavailable");
        }

        if (RequestParty.AgencyOf(context.User) is not var (agency, kind))
        {
            return TypedResults.Unauthorized();
        }

        var entry = store.FindCatalogueEntry(id)?.Entry;
        if (entry is null)
        {
            return TypedResults.Problem($"there is no catalogue entry '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        if (kind != AgencyKind.Operator && !string.Equals(entry.Agency.Code, agency, StringComparison.Ordinal))
        {
            return TypedResults.Problem($"only the providing agency of {id} ({entry.Agency.Code}) or the operator may deliver it; this key belongs to {agency}.",
                statusCode: StatusCodes.Status403Forbidden, title: "Not the provider");
        }

        var name = SafeFileName(fileName ?? ContentDispositionName(context) ?? $"{id}-{DateTime.UtcNow:yyyyMMddHHmmss}.delivery");
        if (name is null)
        {
            return TypedResults.Problem("the file name may not contain a path, control characters or be longer than 200 characters.",
                statusCode: StatusCodes.Status400BadRequest, title: "Bad file name");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxDeliveryBytes;
        }

        var folder = Path.Combine(engine.Layout.Root, "tmp", "uploads", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, name);
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted);
            }

            if (new FileInfo(path).Length == 0)
            {
                return TypedResults.Problem("the request body is empty: send the file as the body.", statusCode: StatusCodes.Status400BadRequest, title: "Empty delivery");
            }

            var outcome = await Task.Run(() => deliveries.Deliver(id, path, context.RequestAborted), context.RequestAborted);
            if (outcome.Status is "committed")
            {
                // Make the new version readable at once rather than at the next refresh; if the store is busy now, the
                // refresher picks the version up within seconds, and the delivery itself has succeeded either way.
                try
                {
                    engine.Refresh();
                }
                catch (LakeException)
                {
                }
            }

            using var report = JsonDocument.Parse(outcome.ReportJson);
            accepted = report.RootElement.TryGetProperty("accepted", out var count) && count.TryGetInt64(out var rows) ? rows : null;
            return outcome.Status is "committed" or "already_committed"
                ? TypedResults.Json(report.RootElement.Clone(), statusCode: StatusCodes.Status200OK)
                : TypedResults.Problem(outcome.Status == "refused"
                    ? "the delivery was refused (too many rows failed the checks, or it would end too many records); the report says why."
                    : "the delivery could not be read; the report says where.", statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Delivery not accepted", extensions: new Dictionary<string, object?> { ["report"] = report.RootElement.Clone() });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string? ContentDispositionName(HttpContext context) =>
        Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(context.Request.Headers.ContentDisposition.ToString(), out var value)
            ? (value.FileNameStar.HasValue ? value.FileNameStar.Value : value.FileName.Value?.Trim('"'))
            : null;

    private static string? SafeFileName(string name)
    {
        name = name.Trim();
        return name.Length is 0 or > 200 || name.IndexOfAny(['/', '\\']) >= 0 || name is "." or ".." || name.Any(char.IsControl) ? null : name;
    }
}
