using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Cli.Tests;

public sealed class LakeCommandTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "govshare-cli-lake-" + Guid.NewGuid().ToString("N"));

    private static string Golden(string table)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "GovShare.Lake.Tests", "TestData", "delta-golden", table);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(table);
    }

    [Fact]
    public async Task Show_Should_PrintCsvWithAHeader_AndEmptyNulls()
    {
        var result = await CliRunner.RunInProcessAsync(["lake", "show", Golden("data-reader-primitives"), "--limit", "20"]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("as_int,as_long,as_byte,as_short,as_boolean,as_float,as_double,as_string,as_binary,as_big_decimal", result.OutLines[0], StringComparison.Ordinal);
        Assert.Equal(12, result.OutLines.Length);
        Assert.Contains(",,,,,,,,,", result.OutLines, StringComparer.Ordinal);
    }

    [Fact]
    public async Task Show_Should_ReadAnOlderVersion_AsJson()
    {
        var result = await CliRunner.RunInProcessAsync(["lake", "show", Golden("snapshot-data2"), "--version", "1", "--format", "json"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(20, result.OutLines.Length);
        Assert.Contains("{\"col1\":0,\"col2\":\"data-0-0\"}", result.OutLines);
    }

    [Theory]
    [InlineData("versions-not-contiguous", "version 1 is missing")]
    [InlineData("deltalog-invalid-protocol-version", "reader version 99")]
    public async Task Show_Should_RefuseUnreadableTables_WithTheReason_AndExitCode1(string table, string reason)
    {
        var result = await CliRunner.RunInProcessAsync(["lake", "show", Golden(table)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task History_Files_Changes_Should_DescribeTheGoldenTable()
    {
        var table = Golden("snapshot-data2-deleted");

        var history = await CliRunner.RunInProcessAsync(["lake", "history", table]);
        var files = await CliRunner.RunInProcessAsync(["lake", "files", table, "--version", "3"]);
        var changes = await CliRunner.RunInProcessAsync(["lake", "changes", table, "--from", "3", "--to", "4"]);

        Assert.Equal(6, history.OutLines.Length);
        Assert.StartsWith("4,", history.OutLines[^1], StringComparison.Ordinal);
        Assert.Contains(",DELETE,", history.OutLines[^1], StringComparison.Ordinal);
        Assert.Equal(5, files.OutLines.Length);
        Assert.Equal(11, changes.OutLines.Length);
        Assert.All(changes.OutLines.Skip(1), line => Assert.StartsWith("delete,", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Optimize_And_Vacuum_Should_CompactAndClean_AWrittenTable()
    {
        var path = Path.Combine(_scratch, "t");
        var table = DeltaTable.Create(path, new DeltaSchema([new DeltaField("id", "long")]));
        using (var duck = LakeDuckDb.OpenInMemory())
        {
            table.Append(duck, "SELECT range AS id FROM range(10)");
            table.Append(duck, "SELECT range AS id FROM range(10, 20)");
        }

        var optimize = await CliRunner.RunInProcessAsync(["lake", "optimize", path]);
        var refused = await CliRunner.RunInProcessAsync(["lake", "vacuum", path, "--retain", "0"]);
        var vacuum = await CliRunner.RunInProcessAsync(["lake", "vacuum", path, "--retain", "0", "--force"]);
        var show = await CliRunner.RunInProcessAsync(["lake", "show", path]);

        Assert.Equal("compacted 2 files into 1; version 3", optimize.OutLines.Single());
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("add --force", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, vacuum.ExitCode);
        Assert.Contains("deleted 2 files", vacuum.Error, StringComparison.Ordinal);
        Assert.Equal(21, show.OutLines.Length);
    }

    [Fact]
    public async Task Lake_Should_Exit1_When_ThePathIsNoTable()
    {
        var result = await CliRunner.RunInProcessAsync(["lake", "history", Path.GetTempPath()]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a Delta table", result.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}
