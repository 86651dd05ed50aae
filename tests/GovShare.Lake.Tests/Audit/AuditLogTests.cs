using GovShare.Lake.Audit;

namespace GovShare.Lake.Tests.Audit;

/// <summary>The hash-chained audit log on disk: appends from several writers form one chain, and an edit, a deletion and
/// a swap are each found at the entry where they happened.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly string _lake = Directory.CreateTempSubdirectory("govshare-audit-").FullName;

    [Fact]
    public async Task Verify_Should_PassEveryEntry_When_TwoWritersAppendAtOnce()
    {
        await using (var first = new AuditLog(_lake, TimeProvider.System))
        await using (var second = new AuditLog(_lake, TimeProvider.System))
        {
            var writers = new[] { first, second }.Select((log, w) => Task.Run(async () =>
            {
                for (var i = 0; i < 300; i++)
                {
                    log.Append(Event($"agency{w}", i));
                    if (i % 50 == 0)
                    {
                        await log.FlushAsync();
                    }
                }

                await log.FlushAsync();
            }));
            await Task.WhenAll(writers);
        }

        var result = AuditLog.Verify(_lake);

        Assert.True(result.Ok, result.Problem);
        Assert.Equal(600, result.Entries);
        var entries = AuditLog.Read(_lake).Select(e => e.Entry!).ToList();
        Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), entries.Select(e => e.Seq));
        Assert.Equal(300, entries.Count(e => e.Event.Agency == "agency1"));
    }

    [Fact]
    public async Task Verify_Should_FindTheEditedEntry_When_AFieldWasChanged()
    {
        await Write(10);
        var (file, lines) = Lines();
        lines[6] = lines[6].Replace("\"agency\":\"psb\"", "\"agency\":\"tax\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(file, lines);

        var result = AuditLog.Verify(_lake);

        Assert.False(result.Ok);
        Assert.Equal(7, result.Line);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Should_FindTheGap_When_AnEntryWasDeleted()
    {
        await Write(10);
        var (file, lines) = Lines();
        lines.RemoveAt(4);
        await File.WriteAllLinesAsync(file, lines);

        var result = AuditLog.Verify(_lake);

        Assert.False(result.Ok);
        Assert.Equal(5, result.Line);
        Assert.Contains("entry 5 is missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Should_FindTheSwap_When_TwoEntriesTradedPlaces()
    {
        await Write(10);
        var (file, lines) = Lines();
        (lines[2], lines[3]) = (lines[3], lines[2]);
        await File.WriteAllLinesAsync(file, lines);

        var result = AuditLog.Verify(_lake);

        Assert.False(result.Ok);
        Assert.Equal(3, result.Line);
    }

    [Fact]
    public async Task Verify_Should_FindTheRenumberedEdit_When_SeqAndHashWereRecomputedForOneEntryOnly()
    {
        await Write(5);
        var (file, lines) = Lines();
        var entries = lines.Select(l => System.Text.Json.JsonSerializer.Deserialize<AuditEntry>(l, AuditEntry.Json)!).ToList();

        // A forger rewrites entry 3 and gives it a valid hash of its own: entry 4 no longer follows it.
        var forged = entries[2] with { Event = entries[2].Event with { Agency = "forger" } };
        forged = forged with { Hash = forged.ComputeHash() };
        lines[2] = System.Text.Json.JsonSerializer.Serialize(forged, AuditEntry.Json);
        await File.WriteAllLinesAsync(file, lines);

        var result = AuditLog.Verify(_lake);

        Assert.False(result.Ok);
        Assert.Equal(4, result.Line);
        Assert.Contains("does not follow", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void SubjectHash_Should_BeStableWithinALake_And_DifferBetweenLakes()
    {
        var other = Directory.CreateTempSubdirectory("govshare-audit-other-").FullName;
        try
        {
            Assert.Equal(AuditLog.SubjectHash(_lake, "11010519491231002x"), AuditLog.SubjectHash(_lake, "11010519491231002X"));
            Assert.NotEqual(AuditLog.SubjectHash(_lake, "11010519491231002X"), AuditLog.SubjectHash(other, "11010519491231002X"));
            Assert.DoesNotContain("11010519491231002X", AuditLog.SubjectHash(_lake, "11010519491231002X"), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    private async Task Write(int count)
    {
        await using var log = new AuditLog(_lake, TimeProvider.System);
        for (var i = 0; i < count; i++)
        {
            log.Append(Event("psb", i));
        }

        await log.FlushAsync();
    }

    private (string File, List<string> Lines) Lines()
    {
        var file = Directory.GetFiles(Path.Combine(_lake, AuditLog.FolderName), "audit-*.jsonl").Single();
        return (file, File.ReadAllLines(file).ToList());
    }

    private static AuditEvent Event(string agency, int i) =>
        new(agency, "张三", "test", "query", ["population.persons"], $"hash{i}", [], i, "allowed", 200);

    [Fact]
    public async Task Dispose_Should_WriteWhatIsQueued_AndReturn_When_TheClockStandsStill()
    {
        // A test clock that never moves: the writer's 100 ms batch window never closes by itself (a jobs test hung so).
        var log = new AuditLog(_lake, new StillClock(new DateTimeOffset(2031, 9, 22, 10, 0, 0, TimeSpan.FromHours(8))));
        log.Append(new AuditEvent("psb", null, null, "test", [], null, [], null, "allowed", 200));

        var closed = Task.Run(log.Dispose);

        Assert.Same(closed, await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Single(AuditLog.Read(_lake));
    }

    private sealed class StillClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public void Dispose() => Directory.Delete(_lake, recursive: true);
}
