using System.Diagnostics;
using System.Globalization;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Tests.Delta;

/// <summary>A writer process killed with SIGKILL at random moments while it commits, many times over.</summary>
public sealed class CrashSafetyTests : IDisposable
{
    /// <summary>More batches than the writer can commit before it is killed: every kill lands mid-run.</summary>
    private const int EndlessBatches = 1_000_000;
    private const int RowsPerBatch = 2_000;
    private const int Kills = 15;

    private readonly ScratchFolder _scratch = new("govshare-crash");

    [Fact]
    public async Task KilledWriter_Should_LeaveACommittedVersion_AndRerunsShouldCommitEveryBatchExactlyOnce()
    {
        var table = _scratch.Combine("batches");
        var random = new Random(20261122);
        var killedMidRun = 0;

        for (var trial = 0; trial < Kills; trial++)
        {
            using var writer = StartWriter(table, EndlessBatches);
            await Task.Delay(random.Next(250, 1500));
            if (!writer.HasExited)
            {
                writer.Kill(); // SIGKILL: no finally blocks, no flushing
                killedMidRun++;
            }

            await writer.WaitForExitAsync();

            // After every kill the table opens at a committed version, with whole batches only.
            if (DeltaTable.Exists(table))
            {
                var snapshot = DeltaTable.Open(table).Snapshot();
                AssertWholeBatches(snapshot, snapshot.Transactions.GetValueOrDefault("crash-writer"));
            }
        }

        // Re-run every batch up to two past the last committed one: the one a kill interrupted (and any
        // committed ones) must land exactly once.
        // On a loaded machine the kills may all land before version 10, so the re-run goes at least that far: the
        // checkpoint is then written (and read back) with the interrupted batches' leftovers around it.
        var batches = Math.Max(12, (int)(DeltaTable.Exists(table) ? DeltaTable.Open(table).Snapshot().Transactions.GetValueOrDefault("crash-writer") : 0) + 2);
        using (var finisher = StartWriter(table, batches))
        {
            await finisher.WaitForExitAsync();
            Assert.Equal(0, finisher.ExitCode);
        }

        var final = DeltaTable.Open(table).Snapshot();
        Assert.Equal(batches, final.Transactions["crash-writer"]);
        AssertWholeBatches(final, batches);
        Assert.True(final.Version >= 10, "the table never reached a checkpoint");
        Assert.Equal(Kills, killedMidRun);

        // Vacuum with no retention removes what the kills left behind, and nothing the table needs.
        var vacuum = DeltaTable.Open(table).Vacuum(TimeSpan.Zero, clock: new FixedClock(DateTimeOffset.UtcNow.AddSeconds(1)));
        var referenced = Enumerable.Range(0, (int)final.Version + 1)
            .SelectMany(v => DeltaTable.Open(table).Snapshot(v).Files.Keys).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(vacuum.Files, referenced.Contains);
        Assert.Empty(Directory.GetDirectories(table, ".staging-*"));
        Assert.Empty(Directory.GetFiles(Path.Combine(table, "_delta_log"), ".*"));
        var dataFiles = Directory.GetFiles(table, "*.parquet", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(table, file).Replace('\\', '/'))
            .Where(file => !file.StartsWith("_delta_log/", StringComparison.Ordinal));
        Assert.All(dataFiles, file => Assert.Contains(file, referenced));
        AssertWholeBatches(DeltaTable.Open(table).Snapshot(), batches);
    }

    public void Dispose() => _scratch.Dispose();

    private static void AssertWholeBatches(DeltaSnapshot snapshot, long committedBatches)
    {
        using var duck = LakeDuckDb.OpenInMemory();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT batch, count(*), count(DISTINCT id) FROM ({snapshot.ToDuckDbQuery()}) t GROUP BY batch ORDER BY batch";
        using var reader = command.ExecuteReader();
        var batches = new List<int>();
        while (reader.Read())
        {
            batches.Add(reader.GetInt32(0));
            Assert.Equal(RowsPerBatch, Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture));
            Assert.Equal(RowsPerBatch, Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture));
        }

        Assert.Equal(Enumerable.Range(1, (int)committedBatches), batches);
    }

    private static Process StartWriter(string table, int batches)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GovShare.Lake.CrashWriter.dll"));
        startInfo.ArgumentList.Add(table);
        startInfo.ArgumentList.Add(batches.ToString(CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add(RowsPerBatch.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
