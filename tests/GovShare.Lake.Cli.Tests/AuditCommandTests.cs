using GovShare.Lake.Audit;

namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare audit verify</c> on a real log.</summary>
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

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
