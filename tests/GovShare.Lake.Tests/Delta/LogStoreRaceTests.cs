using System.Text.Json.Nodes;
using GovShare.Lake.Delta;

namespace GovShare.Lake.Tests.Delta;

/// <summary>Regression: two concurrent appends once both committed version 2 (the later commit file silently replaced
/// the earlier), because the commit's put-if-absent went through File.Move, which on Linux may check and rename.</summary>
public sealed class LogStoreRaceTests : IDisposable
{
    private readonly string _table = Path.Combine(Path.GetTempPath(), "govshare-race-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void TryWriteCommit_Should_LetExactlyOneWriterWin_EachVersion()
    {
        var store = new DeltaLogStore(_table);
        for (var version = 0; version < 40; version++)
        {
            var v = version;
            var winners = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
                .Select(writer => store.TryWriteCommit(v, [new DeltaAction { CommitInfo = new JsonObject { ["writer"] = writer } }]))
                .Count(won => won);

            Assert.Equal(1, winners);
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_table, "_delta_log"), "*.tmp"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_table))
        {
            Directory.Delete(_table, recursive: true);
        }
    }
}
