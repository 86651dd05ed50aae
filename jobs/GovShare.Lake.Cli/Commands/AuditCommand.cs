using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Audit;
using GovShare.Lake.Evidence;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare audit verify</c> and <c>govshare audit seal</c>: the audit log's hash chain and signed daily digests.</summary>
internal static class AuditCommand
{
    public static Command Create(CliConsole console)
    {
        var audit = new Command("audit", "Work with the audit log (audit/ in the lake folder).");
        audit.Subcommands.Add(CreateVerify(console));
        audit.Subcommands.Add(CreateSeal(console));
        return audit;
    }

    private static Command CreateVerify(CliConsole console)
    {
        var lake = PlatformContext.LakeOption();
        var publicKeys = new Option<FileInfo[]>("--public-key")
        {
            Description = "A public key (PEM) the digests may be signed with, e.g. the published one from GET /api/evidence/public-key; " +
                "repeat it for keys used before a key change. Default: keys/platform-sm2.pub.pem in --lake.",
            HelpName = "FILE",
        };
        var verify = new Command("verify",
            "Check the audit log: every entry numbered without gaps, chained to the one before, unedited; and every day's signed digest: " +
            "the platform key's signature, the right day, chained to the digest before it, and the day's file still what it signed " +
            "(entry count, last hash, SM3), which finds entries deleted from the end of a day. " +
            "Prints OK with the number of entries and digests, or the first problem (file, line when there is one, what is wrong). " +
            "A finished day without a digest is a WARNING (run 'govshare audit seal'), unless a later day has one: then its digest was deleted. " +
            "Exit code 0 when OK (warnings included), 1 when broken, 2 when a key file is missing.")
        {
            lake,
            publicKeys,
        };
        verify.SetAction((parseResult, _) =>
        {
            var root = Path.GetFullPath(parseResult.GetValue(lake)!);
            var keyFiles = parseResult.GetValue(publicKeys) ?? [];
            foreach (var keyFile in keyFiles.Where(f => !f.Exists))
            {
                console.Error.WriteLine($"govshare audit verify: {keyFile.FullName} does not exist.");
                return Task.FromResult(ExitCodes.Usage);
            }

            var keys = keyFiles.Length == 0 ? null : keyFiles.Select(f => Sm.FromPem(File.ReadAllText(f.FullName))).ToList();
            var result = AuditLog.Verify(root, DateTimeOffset.UtcNow, keys);
            if (result.Ok)
            {
                console.Out.WriteLine($"OK: {result.Entries:N0} entries, chain intact; {result.Digests:N0} day digests verified.");
                foreach (var warning in result.Warnings)
                {
                    console.Out.WriteLine($"WARNING: {warning}.");
                }

                return Task.FromResult(ExitCodes.Success);
            }

            console.Out.WriteLine(result.Line is { } line
                ? $"BROKEN at {result.File}:{line}: {result.Problem} ({result.Entries:N0} entries before it are intact)."
                : $"BROKEN at {result.File}: {result.Problem} ({result.Entries:N0} entries up to there check; {result.Digests:N0} digests before it verified).");
            return Task.FromResult(ExitCodes.Failure);
        });
        return verify;
    }

    private static Command CreateSeal(CliConsole console)
    {
        var lake = PlatformContext.LakeOption();
        var seal = new Command("seal",
            "Seal the audit log's finished days: every day before today (China time) without a digest gets audit/audit-<yyyyMMdd>.digest.json, " +
            "signed with the platform's SM2 key (made on first use), after its chain is checked. The writer seals on its own at midnight and " +
            "at a new day's first entry; this command is for a server that was down then, and is safe to run any time (a sealed day is never sealed again). " +
            "Prints each day sealed with the digest's SM3 (worth keeping elsewhere: it pins the log as it was). " +
            "Exit code 0 when done (also when there was nothing to seal), 1 when a day could not be sealed (broken chain, deleted digest).")
        {
            lake,
        };
        seal.SetAction((parseResult, _) =>
        {
            var root = Path.GetFullPath(parseResult.GetValue(lake)!);
            var now = DateTimeOffset.UtcNow;
            var result = AuditLog.SealDays(root, now);
            foreach (var day in result.Sealed)
            {
                var digest = day.Digest;
                console.Out.WriteLine(
                    $"SEALED {digest.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: {digest.File}, {digest.Entries:N0} entries ({digest.FirstSeq}-{digest.LastSeq}), last hash {digest.LastHash}, " +
                    $"file SM3 {digest.FileSm3}; {day.Path} (SM3 {day.DigestSm3}) signed by key {digest.KeyId}.");
            }

            if (result.Problem is not null)
            {
                console.Out.WriteLine($"NOT SEALED {result.File}: {result.Problem}.");
                return Task.FromResult(ExitCodes.Failure);
            }

            if (result.Sealed.Count == 0)
            {
                console.Out.WriteLine($"Nothing to seal: every day before {ChinaTime.ToChina(now).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} (China time) that has entries has its digest.");
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return seal;
    }
}
