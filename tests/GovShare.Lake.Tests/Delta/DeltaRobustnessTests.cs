using DuckDB.NET.Data;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Tests.Delta;

/// <summary>Regression tests for what a review of the lake found.</summary>
public sealed class DeltaRobustnessTests : IDisposable
{
    private readonly ScratchFolder _scratch = new("govshare-robust");
    private readonly DuckDBConnection _duck = LakeDuckDb.OpenInMemory();

    [Fact]
    public void Schema_Should_RefuseATypeThatSmugglesSql_FromAHandMadeLog()
    {
        // Regression: a decimal type was copied into SQL as written, so a log could run any query.
        var ex = Assert.Throws<LakeException>(() => DeltaTypes.ToDuckDb("decimal(1,0)) AS x, (SELECT 1) AS leak) q --"));

        Assert.Equal(LakeErrorKind.Unsupported, ex.Kind);
        Assert.Equal("DECIMAL(18,2)", DeltaTypes.ToDuckDb("decimal(18,2)"));
        Assert.Equal("DECIMAL(38,0)", DeltaTypes.ToDuckDb("decimal(38, 0)"));
        Assert.Throws<LakeException>(() => DeltaTypes.ToDuckDb("decimal(39,0)"));
    }

    [Fact]
    public void PartitionedWrite_Should_RunTheSourceOnce_When_ItIsNotRepeatable()
    {
        // Regression: each partition re-ran the source, so random() lost and duplicated rows.
        var table = DeltaTable.Create(_scratch.Combine("t"), new DeltaSchema([new DeltaField("id", "long"), new DeltaField("bucket", "integer")]),
            partitionColumns: ["bucket"]);

        table.Append(_duck, "SELECT (random() * 1e12)::BIGINT AS id, (range % 5)::INTEGER AS bucket FROM range(3000)");

        var rows = DuckRows.Query(_duck, $"SELECT count(*), count(DISTINCT id) FROM ({table.Snapshot().ToDuckDbQuery()})").Single();
        Assert.Equal(new string?[] { "3000", "3000" }, rows);
    }

    [Fact]
    public void Write_Should_RefuseNullsInARequiredColumn_AndWriteNothing()
    {
        var path = _scratch.Combine("t");
        var table = DeltaTable.Create(path, new DeltaSchema([new DeltaField("key", "string", Nullable: false), new DeltaField("v", "string")]), keyColumns: ["key"]);

        var ex = Assert.Throws<LakeException>(() => table.Merge(_duck, "SELECT NULL::VARCHAR AS key, 'x' AS v", ["key"]));

        Assert.Equal(LakeErrorKind.InvalidInput, ex.Kind);
        Assert.Contains("required column 'key'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, table.Snapshot().Version);
        Assert.DoesNotContain(Directory.GetFiles(path, "*.parquet", SearchOption.AllDirectories), f => !f.Contains("_delta_log", StringComparison.Ordinal));
    }

    [Fact]
    public void Snapshot_Should_FallBackToJsonReplay_When_TheCheckpointIsDamaged()
    {
        var copy = _scratch.CopyFrom(TestData.Golden("checkpoint"), "checkpoint");
        File.WriteAllBytes(Path.Combine(copy, "_delta_log", "00000000000000000010.checkpoint.parquet"), [0x50, 0x41, 0x52, 0x31]);

        Assert.Equal(["15"], DeltaTable.Open(copy).Snapshot().Files.Keys);
    }

    [Fact]
    public void Snapshot_Should_ReadFromTheCheckpoint_When_TheJsonItReplacesIsGone()
    {
        var copy = _scratch.CopyFrom(TestData.Golden("basic-with-inserts-deletes-checkpoint"), "t");
        foreach (var json in Directory.GetFiles(Path.Combine(copy, "_delta_log"), "0000000000000000000*.json"))
        {
            File.Delete(json);
        }

        Assert.Equal(41, DeltaReader.ReadAsText(DeltaTable.Open(copy).Snapshot()).Count());
        Assert.Contains("missing", Assert.Throws<LakeException>(() => DeltaTable.Open(copy).Snapshot(5)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_Should_ReadAColumnNoFileHasYet_AsNull()
    {
        // Spark's ADD COLUMNS commits a new schema without rewriting files: the new column reads as NULL.
        var path = _scratch.Combine("t");
        var table = DeltaTable.Create(path, new DeltaSchema([new DeltaField("id", "long")]));
        table.Append(_duck, "SELECT range AS id FROM range(3)");
        var widened = table.Snapshot().Metadata with
        {
            SchemaString = new DeltaSchema([new DeltaField("id", "long"), new DeltaField("note", "string")]).ToJson(),
        };
        Assert.True(table.Log.TryWriteCommit(2, [new DeltaAction { Metadata = widened }]));

        var rows = DeltaReader.ReadAsText(DeltaTable.Open(path).Snapshot(), orderBy: "id").ToList();

        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Null(row[1]));
    }

    [Fact]
    public void Schema_Should_KeepChineseColumnComments_ThroughTheLog()
    {
        var schema = new DeltaSchema([new DeltaField("name", "string", Metadata: new Dictionary<string, string> { ["comment"] = "姓名 \"x\"" })]);

        var back = DeltaSchema.Parse(schema.ToJson());

        Assert.Equal("姓名 \"x\"", back.Fields[0].Metadata!["comment"]);
    }

    [Fact]
    public void Changes_Should_IgnoreProvenance_When_ARowIsDeliveredAgainUnchanged()
    {
        var table = DeltaTable.Create(_scratch.Combine("t"),
            new DeltaSchema([new DeltaField("key", "string", Nullable: false), new DeltaField("v", "string"), new DeltaField("batch_id", "string")]),
            keyColumns: ["key"]);
        table.Append(_duck, "SELECT 'k1' AS key, 'same' AS v, 'b1' AS batch_id UNION ALL SELECT 'k2', 'old', 'b1'");
        table.Merge(_duck, "SELECT 'k1' AS key, 'same' AS v, 'b2' AS batch_id UNION ALL SELECT 'k2', 'new', 'b2'", ["key"]);

        var rows = DuckRows.Query(_duck, table.Changes(1, 2).Query);

        Assert.Equal("k2", rows.Single()[1]);
    }

    [Fact]
    public void Append_Should_Commit_When_ManyOtherWritersGetThereFirst()
    {
        // Regression: one retry per lost version made a slow append fail as a "conflict" after 20 versions.
        var path = _scratch.Combine("t");
        var table = DeltaTable.Create(path, new DeltaSchema([new DeltaField("id", "long")]));
        var stale = table.Snapshot();
        for (var i = 0; i < 25; i++)
        {
            DeltaTable.Open(path).Append(_duck, $"SELECT {i}::BIGINT AS id");
        }

        // An append planned on version 0 that loses version 1 must land after version 25 on its second try.
        var appended = table.Write(_duck, "SELECT 1000::BIGINT AS id", new CommitOptions { MaxAttempts = 2 }, overwrite: false, basis: stale);

        Assert.Equal(26, appended.Version);
        Assert.Equal(26, DeltaReader.ReadAsText(DeltaTable.Open(path).Snapshot()).Count());
    }

    public void Dispose()
    {
        _duck.Dispose();
        _scratch.Dispose();
    }
}
