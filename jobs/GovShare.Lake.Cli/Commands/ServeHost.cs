using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GovShare.Lake.Cli.Commands;

/// <summary>The platform process's HTTP host as <c>govshare serve</c> composes it: the query API with ingestion, the jobs
/// and the operator's jobs dashboard composed in. The browser tests start this same host through Kestrel, so that what
/// they drive is what an operator runs.</summary>
internal static class ServeHost
{
    /// <summary>Opens the lake folder (migrating its platform store) and builds the host listening on <paramref name="url"/>;
    /// the caller starts it.</summary>
    /// <param name="lakeDirectory">The lake folder; created when missing.</param>
    /// <param name="url">The URL to listen on, such as <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="configure">Extra settings and services, applied after the platform's own (so they win).</param>
    /// <exception cref="LakeException">The folder is unusable (a file, not writable).</exception>
    public static WebApplication Build(string lakeDirectory, string url, Action<WebApplicationBuilder>? configure = null) =>
        Build(PlatformContext.Open(lakeDirectory), url, configure);

    /// <summary>Builds the host over a lake the caller has already opened (and perhaps seeded), sharing its layout and
    /// ingestor; the caller starts it.</summary>
    /// <param name="context">The opened lake.</param>
    /// <param name="url">The URL to listen on, such as <c>http://127.0.0.1:5080</c>.</param>
    /// <param name="configure">Extra settings and services, applied after the platform's own (so they win).</param>
    public static WebApplication Build(PlatformContext context, string url, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var app = QueryApiHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{LakeOptions.SectionName}:{nameof(LakeOptions.Directory)}"] = context.Layout.Root,
            });
            builder.WebHost.UseUrls(url);
            builder.Services.AddSingleton<IDeliveryService>(new DeliveryService(context.Ingestor));
            builder.Services.AddSingleton(context.Layout);
            builder.Services.AddSingleton(context.Ingestor);
            builder.Services.AddPlatformJobs(builder.Configuration);
            configure?.Invoke(builder);
        });

        // The jobs' dashboard, for the operator only (the API key in the Authorization header, as everywhere).
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new OperatorDashboardAuthorization()],
            DashboardTitle = "GovShare Lake jobs",
            AppPath = null,
        });
        return app;
    }
}

/// <summary>The Hangfire dashboard is the operator's: the request must carry the operator's API key.</summary>
internal sealed class OperatorDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) =>
        GovShare.Lake.QueryApi.Identity.RequestParty.AgencyOf(context.GetHttpContext().User)?.Kind == AgencyKind.Operator;
}
