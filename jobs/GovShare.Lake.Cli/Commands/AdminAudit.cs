using GovShare.Lake.Audit;

namespace GovShare.Lake.Cli.Commands;

/// <summary>Administrative commands run on the server are audited like API calls: agency <c>cli</c>, the operating
/// system user as the end user, the command line's action.</summary>
internal static class AdminAudit
{
    /// <summary>Appends one entry to the lake's audit chain and waits until it is on disk.</summary>
    public static void Record(string lake, string action, IReadOnlyList<string> resources, string outcome, int exitCode)
    {
        var root = Path.GetFullPath(lake);
        var log = new AuditLog(root, TimeProvider.System);
        log.Append(new AuditEvent("cli", Environment.UserName, "command line", action, resources, null, [], null, outcome, exitCode));
        log.FlushAsync().GetAwaiter().GetResult();
        log.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
