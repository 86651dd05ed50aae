using System.CommandLine;
using GovShare.Lake.Jobs.Backup;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare backup run|verify|restore</c>: the off-site copy of the lake and its check.</summary>
internal static class BackupCommand
{
    public static Command Create(CliConsole console)
    {
        var backup = new Command("backup",
            "The off-site backup: an incremental copy of the lake's tables, audit trail, keys, calendar and evidence, and a consistent copy of the platform store " +
            "(the server does it nightly when Jobs:BackupTarget is set).");
        backup.Subcommands.Add(Run(console));
        backup.Subcommands.Add(Verify(console));
        backup.Subcommands.Add(Restore(console));
        return backup;
    }

    private static Option<string> To() => new("--to") { Description = "The backup folder (a second disk or a mounted share).", Required = true };

    private static Command Run(CliConsole console)
    {
        var to = To();
        var lake = PlatformContext.LakeOption();
        var command = new Command("run", "Copy what is new since the last run (files never change once written; changed ones are copied again) and the platform store; " +
            "record each table's version, row count and content hash in backup-manifest.json.") { to, lake };
        command.SetAction((parseResult, _) =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var manifest = LakeBackup.Run(context.Layout, context.Store, parseResult.GetValue(to)!, TimeProvider.System,
                new Progress<string>(line => console.Error.WriteLine(line)));
            console.Out.WriteLine($"Backed up to {Path.GetFullPath(parseResult.GetValue(to)!)}: {manifest.FilesCopied:N0} files copied ({manifest.BytesCopied:N0} bytes), " +
                $"{manifest.FilesUnchanged:N0} unchanged, {manifest.Tables.Count} tables recorded, store copy {manifest.StoreCopy}.");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Verify(CliConsole console)
    {
        var to = To();
        var command = new Command("verify", "Restore the backup into a scratch folder and compare every table's version, row count and content hash with the manifest; " +
            "exit 1 when anything differs.") { to };
        command.SetAction((parseResult, _) =>
        {
            var result = LakeBackup.Verify(parseResult.GetValue(to)!);
            if (result.Ok)
            {
                console.Out.WriteLine($"OK: {result.Tables} tables restore to what was backed up.");
                return Task.FromResult(ExitCodes.Success);
            }

            foreach (var problem in result.Problems)
            {
                console.Out.WriteLine("DIFFERS: " + problem);
            }

            return Task.FromResult(ExitCodes.Failure);
        });
        return command;
    }

    private static Command Restore(CliConsole console)
    {
        var to = To();
        var into = new Option<string>("--into") { Description = "The lake folder to restore into (must be empty or absent).", Required = true };
        var command = new Command("restore", "Restore the backup into an empty lake folder (then serve it with --lake).") { to, into };
        command.SetAction((parseResult, _) =>
        {
            var manifest = LakeBackup.Restore(parseResult.GetValue(to)!, parseResult.GetValue(into)!);
            console.Out.WriteLine($"Restored the backup of {ChinaTime.ToChina(manifest.At):yyyy-MM-dd HH:mm} (China time) into {Path.GetFullPath(parseResult.GetValue(into)!)}.");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
