using GovShare.Lake.Audit;

namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare audit verify</c> and <c>audit seal</c> on a real log.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-audit-cli-").FullName;

    [Fact]
    public async Task AuditVerify_Should_Exit0WhenIntact_And_1WithTheLine_When_AnEntryWasEdited()
    {
        await using (var log = new AuditLog(_lake, TimeProvider.System))
        {
            for (var i = 0; i < 3; i++)
            {
                log.Append(new AuditEvent("psb", "user", "why", "query", ["population.persons"], null, [], i, "allowed", 200));
            }

            await log.FlushAsync();
        }

        var intact = await CliRunner.RunInProcessAsync(["audit", "verify", "--lake", _lake]);
        var file = Directory.GetFiles(Path.Combine(_lake, AuditLog.FolderName), "*.jsonl").Single();
        var lines = await File.ReadAllLinesAsync(file);
        lines[1] = lines[1].Replace("\"rows\":1", "\"rows\":1000", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(file, lines);
        var broken = await CliRunner.RunInProcessAsync(["audit", "verify", "--lake", _lake]);

        Assert.Equal(0, intact.ExitCode);
        Assert.StartsWith("OK: 3 entries", intact.Out, StringComparison.Ordinal);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"{file}:2", broken.Out, StringComparison.Ordinal);
        Assert.Contains("edited", broken.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdministrativeCommands_Should_BeAudited_InTheSameChain()
    {
        var added = await CliRunner.RunInProcessAsync(["agency", "add", "--code", "audited", "--name-zh", "审计测试", "--kind", "consumer", "--lake", _lake]);
        var rotated = await CliRunner.RunInProcessAsync(["agency", "rotate-key", "audited", "--lake", _lake]);

        var actions = AuditLog.Read(_lake).Select(e => e.Entry!).Select(e => (e.Event.Agency, e.Event.Action, Resource: e.Event.Resources.Single())).ToList();
        Assert.Equal(0, added.ExitCode);
        Assert.Equal(0, rotated.ExitCode);
        Assert.Equal([("cli", "agency.add", "agency/audited"), ("cli", "agency.rotate-key", "agency/audited")], actions);
        Assert.True(AuditLog.Verify(_lake).Ok);
        Assert.DoesNotContain("gsl_", string.Concat(Directory.GetFiles(Path.Combine(_lake, AuditLog.FolderName), "*.jsonl").Select(File.ReadAllText)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditSeal_Should_SealAFinishedDayOnce_And_AuditVerify_Should_FindItsCutTail()
    {
        // Two days ago in China: over whatever the hour, and no writer was running at its midnight to seal it.
        var dayBefore = DateTimeOffset.UtcNow.AddDays(-2);
        await using (var log = new AuditLog(_lake, new PastClock(dayBefore)))
        {
            for (var i = 0; i < 3; i++)
            {
                log.Append(new AuditEvent("psb", "user", "why", "query", ["population.persons"], null, [], i, "allowed", 200));
            }

            await log.FlushAsync();
        }

        var unsealed = await CliRunner.RunInProcessAsync(["audit", "verify", "--lake", _lake]);
        var seal = await CliRunner.RunInProcessAsync(["audit", "seal", "--lake", _lake]);
        var again = await CliRunner.RunInProcessAsync(["audit", "seal", "--lake", _lake]);
        var verified = await CliRunner.RunInProcessAsync(["audit", "verify", "--lake", _lake]);
        var withPublishedKey = await CliRunner.RunInProcessAsync(["audit", "verify", "--lake", _lake, "--public-key", Path.Combine(_lake, "keys", "platform-sm2.pub.pem")]);
        var file = Directory.GetFiles(Path.Combine(_lake, AuditLog.FolderName), "*.jsonl").Single();
        await File.WriteAllLinesAsync(file, (await File.ReadAllLinesAsync(file))[..^1]);
        var cut = await CliRunner.RunInProcessAsync(["audit", "verify", "--lake", _lake]);

        Assert.Equal(0, unsealed.ExitCode);
        Assert.StartsWith("OK: 3 entries, chain intact; 0 day digests verified.", unsealed.Out, StringComparison.Ordinal);
        Assert.Contains("WARNING: ", unsealed.Out, StringComparison.Ordinal);
        Assert.Contains("not sealed yet", unsealed.Out, StringComparison.Ordinal);
        Assert.Equal(0, seal.ExitCode);
        Assert.StartsWith($"SEALED {ChinaTime.ToChina(dayBefore):yyyy-MM-dd}: {Path.GetFileName(file)}, 3 entries (1-3)", seal.Out, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(_lake, AuditLog.FolderName), "*.digest.json"));
        Assert.Equal(0, again.ExitCode);
        Assert.StartsWith("Nothing to seal", again.Out, StringComparison.Ordinal);
        Assert.Equal(0, verified.ExitCode);
        Assert.Equal("OK: 3 entries, chain intact; 1 day digests verified.", verified.Out.Trim());
        Assert.Equal(0, withPublishedKey.ExitCode);
        Assert.Equal(1, cut.ExitCode);
        Assert.Contains($"BROKEN at {file}: ", cut.Out, StringComparison.Ordinal);
        Assert.Contains("entry 3 was deleted from the end of the day", cut.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seal", "digest")]
    [InlineData("verify", "--public-key")]
    public async Task AuditHelp_Should_DescribeEachSubcommand(string subcommand, string mentioned)
    {
        var result = await CliRunner.RunInProcessAsync(["audit", subcommand, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(mentioned, result.Out, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);

    private sealed class PastClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
