using GovShare.Lake.QueryApi.Health;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi;

/// <summary>Builds the HTTP host. <c>Program</c> and the <c>govshare serve</c> command both use it, so
/// tests through <c>WebApplicationFactory&lt;Program&gt;</c> exercise what users run.</summary>
public static class QueryApiHost
{
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
        builder.Services.AddSingleton<IValidateOptions<LakeOptions>, LakeOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        configure?.Invoke(builder);

        var app = builder.Build();

        // Resolving the options validates them (a bad lake folder stops the host here, with the reason).
        Directory.CreateDirectory(app.Services.GetRequiredService<IOptions<LakeOptions>>().Value.FullPath);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthApi();
        return app;
    }

    /// <summary>Quiet framework logs: a request log line per call would drown what the platform says.</summary>
    private static readonly Dictionary<string, string?> EmbeddedDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    private sealed class LakeOptionsValidator : IValidateOptions<LakeOptions>
    {
        public ValidateOptionsResult Validate(string? name, LakeOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
