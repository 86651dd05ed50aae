using System.CommandLine;
using GovShare.Lake.Audit;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare audit verify</c>: checks the audit log's hash chain.</summary>
internal static class AuditCommand
{
    public static Command Create(CliConsole console)
    {
        var audit = new Command("audit", "Work with the audit log (audit/ in the lake folder).");
        var lake = PlatformContext.LakeOption();
        var verify = new Command("verify",
            "Check the audit log: every entry numbered without gaps, chained to the one before, unedited. " +
            "Prints OK with the number of entries, or the first broken entry (file, line, what is wrong). Exit code 0 when OK, 1 when broken.")
        {
            lake,
        };
        verify.SetAction((parseResult, _) =>
        {
            var root = Path.GetFullPath(parseResult.GetValue(lake)!);
            var result = AuditLog.Verify(root);
            if (result.Ok)
            {
                console.Out.WriteLine($"OK: {result.Entries:N0} entries, chain intact.");
                return Task.FromResult(ExitCodes.Success);
            }

            console.Out.WriteLine($"BROKEN at {result.File}:{result.Line}: {result.Problem} ({result.Entries:N0} entries before it are intact).");
            return Task.FromResult(ExitCodes.Failure);
        });
        audit.Subcommands.Add(verify);
        return audit;
    }
}
