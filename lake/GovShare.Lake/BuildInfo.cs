using System.Reflection;

namespace GovShare.Lake;

/// <summary>The running platform's version, as stamped into the assemblies at build time.</summary>
public static class BuildInfo
{
    /// <summary>The informational version (for example <c>0.1.0</c>), without build metadata.</summary>
    public static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var informational = typeof(BuildInfo).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return typeof(BuildInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }

        // The SDK appends "+<commit>" when source link is on; keep the semantic version only.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
