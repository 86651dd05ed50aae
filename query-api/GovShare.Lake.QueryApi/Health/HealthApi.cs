using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Health;

/// <summary>The health answer: whether this host can serve, and which version it is.</summary>
/// <param name="Status"><c>healthy</c>, or <c>unhealthy</c> with the problems listed.</param>
/// <param name="Product">Always <c>GovShare Lake</c>.</param>
/// <param name="Version">The platform version.</param>
/// <param name="Time">The server's time, in China Standard Time.</param>
/// <param name="Problems">What is wrong, when unhealthy.</param>
/// <param name="Warnings">What the operator should see although the host serves (a year missing from the working-day calendar).</param>
public sealed record HealthResponse(string Status, string Product, string Version, DateTimeOffset Time, IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings);

/// <summary><c>GET /health</c>: for load balancers, monitoring and a newcomer's first curl.</summary>
public static class HealthApi
{
    /// <summary>Maps <c>/health</c>.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", GetHealth)
            .WithName("GetHealth")
            .WithSummary("Whether the host can serve, and its version")
            .WithTags("Health")
            .AllowAnonymous();
        return endpoints;
    }

    /// <summary>200 with the version when the lake folder can be written; 503 otherwise.</summary>
    internal static Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>> GetHealth(
        IOptions<LakeOptions> lake, TimeProvider clock, GovShare.Lake.QueryApi.Calendar.CalendarService calendar)
    {
        var problems = CheckLakeFolder(lake.Value.FullPath);
        var response = new HealthResponse(
            problems.Count == 0 ? "healthy" : "unhealthy", "GovShare Lake", BuildInfo.Version, ChinaTime.Now(clock), problems, calendar.Warnings(clock));
        return problems.Count == 0
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static List<string> CheckLakeFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return ["the lake folder does not exist"];
        }

        // A probe file proves the folder is writable (full disk, read-only mount, lost permissions).
        var probe = Path.Combine(folder, $".health-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [$"the lake folder cannot be written: {ex.GetType().Name}"];
        }
    }
}
