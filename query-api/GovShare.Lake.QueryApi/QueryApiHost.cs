using GovShare.Lake.Freshness;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Access;
using GovShare.Lake.QueryApi.Audit;
using GovShare.Lake.QueryApi.Calendar;
using GovShare.Lake.QueryApi.Catalogue;
using GovShare.Lake.QueryApi.Deliveries;
using GovShare.Lake.QueryApi.Evidence;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Health;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.QueryApi.Lookups;
using GovShare.Lake.QueryApi.Operations;
using GovShare.Lake.QueryApi.Quality;
using GovShare.Lake.QueryApi.Query;
using GovShare.Lake.QueryApi.Scorecards;
using GovShare.Lake.QueryApi.Staff;
using GovShare.Lake.QueryApi.Ui;
using GovShare.Lake.QueryApi.Themes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace GovShare.Lake.QueryApi;

/// <summary>Builds the HTTP host. <c>Program</c> and the <c>govshare serve</c> command both use it, so
/// tests through <c>WebApplicationFactory&lt;Program&gt;</c> exercise what users run.</summary>
public static class QueryApiHost
{
    /// <summary>The authorization policy of operator-only endpoints.</summary>
    public const string OperatorPolicy = "operator";

    /// <summary>The default authentication scheme: an API key when the request has an Authorization header, else the session cookie.</summary>
    public const string CredentialsScheme = "Credentials";

    /// <summary>Creates the application: options bound and validated, error responses as RFC 9457
    /// problem details, every endpoint mapped. <paramref name="configure"/> lets the composing host
    /// add its own services and configuration before the application is built.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Embedded defaults sit below every other source (appsettings, environment, command line).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = EmbeddedDefaults });
        builder.Services.AddOptions<LakeOptions>()
            .Bind(builder.Configuration.GetSection(LakeOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LakeOptions>>(new OptionsValidator<LakeOptions>(o => o.Validate()));
        builder.Services.AddOptions<EngineOptions>()
            .Bind(builder.Configuration.GetSection(EngineOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EngineOptions>>(new OptionsValidator<EngineOptions>(o => o.Validate()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // Chinese text as itself, not \uXXXX escapes (a third of the bytes); lookups through generated code.
            options.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, LookupJsonContext.Default);
        });
        builder.Services.AddExceptionHandler<LakeExceptionHandler>();
        builder.Services.AddSingleton<IPlatformStore>(services =>
            DuckDbPlatformStore.Open(services.GetRequiredService<IOptions<LakeOptions>>().Value.FullPath));
        builder.Services.AddSingleton<LakeEngine>();
        builder.Services.AddSingleton<CalendarService>();
        builder.Services.TryAddSingleton(services =>
        {
            var freshness = builder.Configuration.GetSection(FreshnessOptions.SectionName).Get<FreshnessOptions>() ?? new FreshnessOptions();
            return freshness.Validate() is [] ? freshness : throw new LakeException(LakeErrorKind.InvalidInput, string.Join(" ", freshness.Validate()));
        });
        builder.Services.AddSingleton(services => new GovShare.Lake.Evidence.EvidenceVault(services.GetRequiredService<IOptions<LakeOptions>>().Value.FullPath));
        builder.Services.AddSingleton(services => new GovShare.Lake.Audit.AuditLog(
            services.GetRequiredService<IOptions<LakeOptions>>().Value.FullPath, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<LookupIndex>();
        builder.Services.AddSingleton<GovShare.Lake.QueryApi.Access.AccessPolicy>();
        builder.Services.AddSingleton<OpenMismatches>();
        builder.Services.AddSingleton(services => new GovShare.Lake.Quality.MismatchWorkflow(services.GetRequiredService<IPlatformStore>(),
            () => services.GetRequiredService<CalendarService>().Calendar, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<LakeRefresher>();
        builder.Services.AddSingleton(services =>
        {
            var staff = builder.Configuration.GetSection(StaffOptions.SectionName).Get<StaffOptions>() ?? new StaffOptions();
            return staff.Validate() is [] ? staff : throw new LakeException(LakeErrorKind.InvalidInput, string.Join(" ", staff.Validate()));
        });
        builder.Services.AddSingleton<StaffDirectory>();
        builder.Services.AddSignInLimiter();

        // Machines authenticate with an API key in the Authorization header, staff's browsers with the session cookie.
        builder.Services.AddAuthentication(CredentialsScheme)
            .AddPolicyScheme(CredentialsScheme, "API key or session", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies.ContainsKey(SessionAuthenticationHandler.CookieName)
                    ? SessionAuthenticationHandler.SchemeName
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OperatorPolicy, policy => policy.RequireClaim(ApiKeyAuthenticationHandler.AgencyKindClaim, "operator"));
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "GovShare Lake API";
            document.Info.Version = BuildInfo.Version;
            document.Info.Description = "Federated SQL, key lookups, thematic exports, the catalogue and deliveries. " +
                "Authenticate with 'Authorization: Bearer <API key>'; data endpoints also need X-End-User and X-Purpose.";
            return Task.CompletedTask;
        }));
        configure?.Invoke(builder);

        var app = builder.Build();

        // Resolving the options validates them (a bad lake folder stops the host here, with the reason).
        Directory.CreateDirectory(app.Services.GetRequiredService<IOptions<LakeOptions>>().Value.FullPath);

        // Freshness options are checked at start, not by the first scorecard read.
        app.Services.GetRequiredService<FreshnessOptions>();

        // Staff settings are checked at start too.
        app.Services.GetRequiredService<StaffOptions>();

        // The platform key pair is made on first start, not by the first request that signs something.
        app.Services.GetRequiredService<GovShare.Lake.Evidence.EvidenceVault>();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseMiddleware<StaffGate>();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapHealthApi();
        app.MapQueryApi();
        app.MapLookupApi();
        app.MapThemesApi();
        app.MapCatalogueApi();
        app.MapDeliveriesApi();
        app.MapAuditApi();
        app.MapCalendarApi();
        app.MapEvidenceApi();
        app.MapAccessApi();
        app.MapOperationsApi();
        app.MapScorecardsApi();
        app.MapMismatchApi();
        app.MapFeedAnomaliesApi();
        app.MapVersionsApi();
        app.MapStaffApi();
        app.MapUi(app.Configuration["Ui:Directory"]);
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("GovShare Lake API").WithOpenApiRoutePattern("/openapi/{documentName}.json").DisableDefaultFonts()).AllowAnonymous();
        return app;
    }

    /// <summary>Quiet framework logs: a request log line per call would drown what the platform says.</summary>
    private static readonly Dictionary<string, string?> EmbeddedDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    private sealed class OptionsValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = validate(options);
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
