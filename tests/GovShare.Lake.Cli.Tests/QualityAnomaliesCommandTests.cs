using GovShare.Lake.Platform;
using GovShare.Lake.Quality;

namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare quality anomalies</c> through the real command line, over a lake whose store holds anomalies.</summary>
public sealed class QualityAnomaliesCommandTests : IDisposable
{
    private static readonly DateTimeOffset Detected = new(2031, 9, 27, 10, 15, 0, ChinaTime.Offset);

    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-anomalies-cli-").FullName;

    [Fact]
    public async Task Anomalies_Should_ListTheAgencysAnomaliesSinceTheDay_NewestFirst()
    {
        DuckDbPlatformStore.Open(_lake).RecordFeedJudgements([],
        [
            Anomaly("mca.marriage", "mca", "mca-b1", Detected.AddDays(-2)),
            Anomaly("mca.marriage", "mca", "mca-b2", Detected),
            Anomaly("amr.entities", "amr", "amr-b1", Detected),
        ]);

        var result = await CliRunner.RunInProcessAsync(["quality", "anomalies", "--agency", "mca", "--since", "2031-09-26", "--lake", _lake]);
        var bad = await CliRunner.RunInProcessAsync(["quality", "anomalies", "--since", "yesterday", "--lake", _lake]);

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.OutLines, l => l.StartsWith("2031-", StringComparison.Ordinal));
        Assert.StartsWith("2031-09-27 10:15     mca        mca.marriage               rows_read                   3           40     -7.4  本次投递 3 行", line, StringComparison.Ordinal);
        Assert.Equal("1 anomalies.", result.OutLines[^1]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--since 'yesterday'", bad.Error, StringComparison.Ordinal);
    }

    private static FeedAnomaly Anomaly(string entry, string agency, string batch, DateTimeOffset at) =>
        new(FeedAnomaly.IdOf(batch, FeedMetric.RowsRead), entry, agency, batch, FeedMetric.RowsRead, 3, 40, 2, -7.4, "drop", at.AddMinutes(-15), at,
            "本次投递 3 行，往常约 40 行（中位数），骤降 92.5%。", "This delivery brought 3 rows where about 40 is usual (the median): a drop of 92.5%.");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_lake, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder.
        }
    }
}
