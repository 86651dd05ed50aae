using DuckDB.NET.Data;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Tests.Delta;

public sealed class DeltaWriteTests : IDisposable
{
    private static readonly DeltaSchema PersonSchema = new(
    [
        new DeltaField("id_number", "string", Nullable: false),
        new DeltaField("name", "string"),
        new DeltaField("birth_date", "date"),
        new DeltaField("household_division", "string"),
        new DeltaField("capital", "decimal(18,2)"),
    ]);

    private readonly ScratchFolder _scratch = new("govshare-delta");
    private readonly DuckDBConnection _duck = LakeDuckDb.OpenInMemory();

    private string TablePath => _scratch.Combine("persons");

    [Fact]
    public void Append_Should_RoundTrip_ThroughTheLake_AndThroughPlainDuckDbReadParquet()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);

        var result = table.Append(_duck, Rows(0, 1000));

        Assert.Equal(1, result.Version);
        Assert.Equal(1000, result.RowsInserted);
        var snapshot = table.Snapshot();
        var viaLake = DeltaReader.ReadAsText(snapshot, orderBy: "id_number").ToList();
        Assert.Equal(1000, viaLake.Count);
        Assert.Equal(new string?[] { "P00000", "name-0", "1980-01-01", "410103", "0.00" }, viaLake[0]);

        // DuckDB alone, given only the live file paths from the log: no lake code in the read.
        var files = "[" + string.Join(", ", snapshot.Files.Values.Select(f => LakeDuckDb.Literal(snapshot.FullPath(f)))) + "]";
        var viaDuckDb = Query(_duck, $"SELECT id_number, name, CAST(birth_date AS VARCHAR), household_division, CAST(capital AS VARCHAR) FROM read_parquet({files}) ORDER BY id_number");
        Assert.Equal(viaLake, viaDuckDb);
    }

    [Fact]
    public void Commit_Should_WriteTheProtocolsActions_WithStatistics()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);
        table.Append(_duck, Rows(0, 10), new CommitOptions { BatchId = "batch-1" });

        var log = File.ReadAllLines(Path.Combine(TablePath, "_delta_log", "00000000000000000001.json"));
        var stats = FileStatistics.Parse(table.Snapshot().Files.Values.Single().Stats)!;

        Assert.Contains(log, line => line.StartsWith("{\"commitInfo\":", StringComparison.Ordinal) && line.Contains("\"govshareBatchId\":\"batch-1\"", StringComparison.Ordinal));
        Assert.Contains(log, line => line.StartsWith("{\"add\":{\"path\":", StringComparison.Ordinal));
        Assert.Equal(10, stats.NumRecords);
        Assert.Equal("P00000", stats.MinValues["id_number"]!.GetValue<string>());
        Assert.Equal("P00009", stats.MaxValues["id_number"]!.GetValue<string>());
        Assert.Equal("1980-01-01", stats.MinValues["birth_date"]!.GetValue<string>());
        Assert.Equal(0, stats.NullCount["name"]);
        Assert.Equal("batch-1", table.History()[^1].BatchId);
    }

    [Fact]
    public void FooterStatistics_Should_EqualStatisticsFromReadingTheFile()
    {
        var file = _scratch.Combine("mixed.parquet");
        LakeDuckDb.Execute(_duck, $"""
            COPY (SELECT printf('P%05d', i) AS id_number, CASE WHEN i % 3 = 0 THEN NULL ELSE repeat('名', (i % 40)::INTEGER) END AS name,
                         DATE '1950-01-01' + (i * 7)::INTEGER AS birth_date, i::BIGINT * 1000003 % 977 AS amount,
                         (i / 7)::DECIMAL(18,2) AS capital, i % 2 = 0 AS flag,
                         TIMESTAMPTZ '2021-09-08 11:11:11+00' + to_seconds(i) AS at
                  FROM range(300000) t(i)) TO '{file}' (FORMAT parquet, COMPRESSION zstd)
            """);
        DeltaField[] fields =
        [
            new("id_number", "string"), new("name", "string"), new("birth_date", "date"), new("amount", "long"),
            new("capital", "decimal(18,2)"), new("flag", "boolean"), new("at", "timestamp"),
        ];

        var footer = DeltaFileWriter.FromFooter(_duck, file, fields);
        var scan = DeltaFileWriter.FromScan(_duck, file, fields);

        Assert.NotNull(footer);
        Assert.Equal(scan.ToJson(), footer.ToJson());
    }

    [Fact]
    public void Transaction_Should_ApplyABatchOnce_When_CommittedTwice()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);
        var options = new CommitOptions { Transaction = new TxnAction("population.public-security", 7) };

        var first = table.Append(_duck, Rows(0, 5), options);
        var second = table.Append(_duck, Rows(0, 5), options);

        Assert.False(first.AlreadyApplied);
        Assert.True(second.AlreadyApplied);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal(5, DeltaReader.ReadAsText(table.Snapshot()).Count());
        Assert.Equal(7, table.Snapshot().Transactions["population.public-security"]);
    }

    [Fact]
    public void TimeTravel_Should_ReadEveryVersion_AndTheVersionCurrentAtATimestamp()
    {
        var clock = new SteppingClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1));
        var table = DeltaTable.Create(TablePath, PersonSchema, clock: clock);
        table.Append(_duck, Rows(0, 10), new CommitOptions { Clock = clock });   // v1 at 01:00
        table.Append(_duck, Rows(10, 20), new CommitOptions { Clock = clock });  // v2 at 02:00
        table.Overwrite(_duck, Rows(100, 103), new CommitOptions { Clock = clock }); // v3 at 03:00

        Assert.Equal(10, DeltaReader.ReadAsText(table.Snapshot(1)).Count());
        Assert.Equal(20, DeltaReader.ReadAsText(table.Snapshot(2)).Count());
        Assert.Equal(3, DeltaReader.ReadAsText(table.Snapshot()).Count());
        Assert.Equal(2, table.SnapshotAt(new DateTimeOffset(2026, 1, 1, 2, 30, 0, TimeSpan.Zero)).Version);
        Assert.Equal(3, table.SnapshotAt(new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.Zero)).Version);
        var early = Assert.Throws<LakeException>(() => table.SnapshotAt(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Contains("no version existed", early.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<LakeException>(() => table.Snapshot(9)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_Should_RewriteOnlyTheFilesThatHoldMatchingRows()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);
        table.Append(_duck, Rows(0, 100));
        table.Append(_duck, Rows(100, 200));
        var untouched = table.Snapshot().Files.Values.Single(f => FileStatistics.Parse(f.Stats)!.MinValues["id_number"]!.GetValue<string>() == "P00100");

        var result = table.Delete("id_number < 'P00010'");

        Assert.Equal(10, result.RowsDeleted);
        Assert.Equal(1, result.FilesRemoved);
        var snapshot = table.Snapshot();
        Assert.Equal(190, DeltaReader.ReadAsText(snapshot).Count());
        Assert.Contains(untouched.Path, snapshot.Files.Values.Select(f => f.Path));
        Assert.Equal(100, DeltaReader.ReadAsText(table.Snapshot(2)).Count(row => string.CompareOrdinal(row[0], "P00100") < 0));
    }

    [Fact]
    public void Merge_Should_UpdateInsertAndDelete_ByKey_SkippingFilesThatCannotHoldTheKeys()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);
        table.Append(_duck, Rows(0, 100));
        table.Append(_duck, Rows(100, 200));
        var untouched = table.Snapshot().Files.Values.Single(f => FileStatistics.Parse(f.Stats)!.MinValues["id_number"]!.GetValue<string>() == "P00000");
        var source = """
            SELECT * FROM (VALUES
              ('P00150', 'renamed', DATE '1990-01-01', '410105', 1.5, false),
              ('P00160', 'gone', NULL, NULL, NULL, true),
              ('P00300', 'newcomer', DATE '2000-02-02', '410103', 2.0, false)
            ) v(id_number, name, birth_date, household_division, capital, is_deleted)
            """;

        var result = table.Merge(_duck, source, ["id_number"], deleteWhen: "is_deleted");

        Assert.Equal((1L, 1L, 1L), (result.RowsInserted, result.RowsUpdated, result.RowsDeleted));
        Assert.Equal(1, result.FilesRemoved);
        var rows = DeltaReader.ReadAsText(table.Snapshot(), orderBy: "id_number").ToDictionary(r => r[0]!);
        Assert.Equal(200, rows.Count);
        Assert.Equal("renamed", rows["P00150"][1]);
        Assert.False(rows.ContainsKey("P00160"));
        Assert.Equal("newcomer", rows["P00300"][1]);
        Assert.Contains(untouched.Path, table.Snapshot().Files.Values.Select(f => f.Path));
        Assert.Equal("name-150", DeltaReader.ReadAsText(table.Snapshot(2)).Single(r => r[0] == "P00150")[1]);
    }

    [Fact]
    public void Merge_Should_Refuse_When_TheSourceRepeatsAKey_WithoutShowingIt()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);
        var source = "SELECT * FROM (VALUES ('41010519900307123X', 'a', NULL::DATE, NULL, NULL), ('41010519900307123X', 'b', NULL::DATE, NULL, NULL)) v(id_number, name, birth_date, household_division, capital)";

        var ex = Assert.Throws<LakeException>(() => table.Merge(_duck, source, ["id_number"]));

        Assert.Equal(LakeErrorKind.InvalidInput, ex.Kind);
        Assert.Contains("4101**********123X", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("41010519900307123X", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_Should_BeWrittenEveryTenCommits_AndReadBackIdentically()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema, partitionColumns: ["household_division"]);
        for (var i = 0; i < 12; i++)
        {
            table.Append(_duck, Rows(i * 10, (i + 1) * 10));
        }

        Assert.True(File.Exists(Path.Combine(TablePath, "_delta_log", "00000000000000000010.checkpoint.parquet")));
        Assert.Contains("\"version\":10", File.ReadAllText(Path.Combine(TablePath, "_delta_log", "_last_checkpoint")), StringComparison.Ordinal);

        // Reading version 10 from the checkpoint alone gives what replaying the JSON gave.
        var fromCheckpoint = DeltaReader.ReadAsText(table.Snapshot(10), orderBy: "id_number").ToList();
        foreach (var json in Directory.GetFiles(Path.Combine(TablePath, "_delta_log"), "0000000000000000000*.json"))
        {
            File.Delete(json); // versions 0-9 gone: only the checkpoint can answer
        }

        Assert.Equal(fromCheckpoint, DeltaReader.ReadAsText(DeltaTable.Open(TablePath).Snapshot(10), orderBy: "id_number"));
        Assert.Equal(120, DeltaReader.ReadAsText(DeltaTable.Open(TablePath).Snapshot()).Count());

        // The checkpoint carries the tombstones of recently removed files, for other engines' vacuum.
        table.Delete("id_number = 'P00000'");
        table.WriteCheckpoint(13);
        Assert.Single(DeltaTable.Open(TablePath).Snapshot(13).Tombstones);
    }

    [Fact]
    public void Partitions_Should_ComeFromTheLog_AndSurviveNullsAndChineseValues()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema, partitionColumns: ["household_division"]);
        var source = "SELECT * FROM (VALUES ('A1', '张三', DATE '1990-01-01', '郑州/金水', 1.0), ('A2', '李四', NULL, NULL, NULL)) v(id_number, name, birth_date, household_division, capital)";

        table.Append(_duck, source);

        var rows = DeltaReader.ReadAsText(table.Snapshot(), orderBy: "id_number").ToList();
        Assert.Equal(new string?[] { "A1", "张三", "1990-01-01", "郑州/金水", "1.00" }, rows[0]);
        Assert.Null(rows[1][3]);
        Assert.Contains(table.Snapshot().Files.Values, f => f.PartitionValues["household_division"] is null);
    }

    [Fact]
    public void ConcurrentAppends_Should_BothCommit_WithDistinctVersions()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);

        var results = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(i =>
        {
            using var duck = LakeDuckDb.OpenInMemory();
            return DeltaTable.Open(TablePath).Append(duck, Rows(i * 10, (i + 1) * 10));
        }).ToList();

        Assert.Equal([1L, 2, 3, 4], results.Select(r => r.Version).Order());
        Assert.Equal(40, DeltaReader.ReadAsText(table.Snapshot()).Count());
    }

    [Fact]
    public void ConflictingMerges_Should_FailCleanly_WithAConflict()
    {
        var table = DeltaTable.Create(TablePath, PersonSchema);
        table.Append(_duck, Rows(0, 10));
        var source = "SELECT * FROM (VALUES ('P00001', 'x', NULL::DATE, NULL, NULL)) v(id_number, name, birth_date, household_division, capital)";
        var stale = table.Snapshot();

        // Another writer merges the same key after we read, before we commit.
        DeltaTable.Open(TablePath).Merge(_duck, source.Replace("'x'", "'first'", StringComparison.Ordinal), ["id_number"]);
        var ex = Assert.Throws<LakeException>(() => table.Merge(_duck, stale, source, ["id_number"], null, new CommitOptions()));

        Assert.Equal(LakeErrorKind.Conflict, ex.Kind);
        Assert.Equal("first", DeltaReader.ReadAsText(table.Snapshot()).Single(r => r[0] == "P00001")[1]);
        Assert.Equal(2, table.Snapshot().Version);
    }

    public void Dispose()
    {
        _duck.Dispose();
        _scratch.Dispose();
    }

    private static string Rows(int from, int to) =>
        $"""
        SELECT printf('P%05d', i) AS id_number, 'name-' || i AS name, DATE '1980-01-01' + CAST(i AS INTEGER) AS birth_date,
               '410103' AS household_division, CAST(i AS DECIMAL(18,2)) AS capital
        FROM range({from}, {to}) t(i)
        """;

    private static List<string?[]> Query(DuckDBConnection connection, string sql) => DuckRows.Query(connection, sql);

    private sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private DateTimeOffset _next = start;

        public override DateTimeOffset GetUtcNow()
        {
            var now = _next;
            _next += step;
            return now;
        }
    }
}
