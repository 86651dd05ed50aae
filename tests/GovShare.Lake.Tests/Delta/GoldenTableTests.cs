using GovShare.Lake.Delta;

namespace GovShare.Lake.Tests.Delta;

/// <summary>The delta-io golden tables, written by Spark, read exactly as their README says.</summary>
public sealed class GoldenTableTests
{
    private static string[] Col2(string table, long? version = null) =>
        DeltaReader.ReadAsText(DeltaTable.Open(TestData.Golden(table)).Snapshot(version), orderBy: "col2")
            .Select(row => row[1]!).ToArray();

    private static string[] Expected(int data, int count) =>
        Enumerable.Range(0, count).Select(i => $"data-{data}-{i}").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void SnapshotData0_Should_HoldTenRows()
    {
        var snapshot = DeltaTable.Open(TestData.Golden("snapshot-data0")).Snapshot();
        var rows = DeltaReader.ReadAsText(snapshot, orderBy: "col1").ToList();

        Assert.Equal(0, snapshot.Version);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => new[] { $"{i}", $"data-0-{i}" }), rows);
    }

    [Fact]
    public void SnapshotData1_Should_AppendTenRows_AtVersion1()
    {
        Assert.Equal(Expected(0, 10).Concat(Expected(1, 10)).Order(StringComparer.Ordinal), Col2("snapshot-data1"));
        Assert.Equal(Expected(0, 10), Col2("snapshot-data1", version: 0));
    }

    [Fact]
    public void SnapshotData2_Should_ShowTheOverwrite_AndTheOlderVersions()
    {
        Assert.Equal(Expected(2, 10), Col2("snapshot-data2"));
        Assert.Equal(10, Col2("snapshot-data2", 0).Length);
        Assert.Equal(20, Col2("snapshot-data2", 1).Length);
    }

    [Fact]
    public void SnapshotData3_Should_HoldThirtyRows()
    {
        Assert.Equal(Expected(2, 10).Concat(Expected(3, 20)).Order(StringComparer.Ordinal), Col2("snapshot-data3"));
    }

    [Fact]
    public void SnapshotData2Deleted_Should_HoldOnlyData3_AfterTheDelete()
    {
        Assert.Equal(Expected(3, 20), Col2("snapshot-data2-deleted"));
        Assert.Equal(30, Col2("snapshot-data2-deleted", 3).Length);
    }

    [Fact]
    public void SnapshotRepartitioned_Should_HoldTheSameRows_InTwoFiles()
    {
        var snapshot = DeltaTable.Open(TestData.Golden("snapshot-repartitioned")).Snapshot();

        Assert.Equal(Expected(3, 20), Col2("snapshot-repartitioned"));
        Assert.Equal(2, snapshot.Files.Count);
        Assert.All(snapshot.Files.Values, file => Assert.False(file.DataChange));
    }

    [Fact]
    public void Checkpoint_Should_StartFromTheCheckpoint_AndReplayLaterCommits()
    {
        var table = DeltaTable.Open(TestData.Golden("checkpoint"));

        Assert.Equal(["15"], table.Snapshot().Files.Keys);
        Assert.Equal(["11"], table.Snapshot(10).Files.Keys);
        Assert.Equal(["4"], table.Snapshot(3).Files.Keys);
    }

    [Fact]
    public void Checkpoint_Should_StillRead_When_LastCheckpointIsMissingOrCorrupt()
    {
        using var scratch = new ScratchFolder();
        var copy = scratch.CopyFrom(TestData.Golden("checkpoint"), "checkpoint");
        var lastCheckpoint = Path.Combine(copy, "_delta_log", "_last_checkpoint");

        File.WriteAllText(lastCheckpoint, "{ not json");
        Assert.Equal(["15"], DeltaTable.Open(copy).Snapshot().Files.Keys);
        File.Delete(lastCheckpoint);
        Assert.Equal(["15"], DeltaTable.Open(copy).Snapshot().Files.Keys);
    }

    [Fact]
    public void BasicWithInsertsDeletesCheckpoint_Should_Hold41Ids()
    {
        var ids = DeltaReader.ReadAsText(DeltaTable.Open(TestData.Golden("basic-with-inserts-deletes-checkpoint")).Snapshot(), orderBy: "id")
            .Select(row => long.Parse(row[0]!, System.Globalization.CultureInfo.InvariantCulture));
        var expected = new[] { 0, 10, 20, 30, 40 }.SelectMany(start => Enumerable.Range(start, 5)).Concat(Enumerable.Range(50, 16)).Select(i => (long)i);

        Assert.Equal(expected, ids);
    }

    [Fact]
    public void BasicWithInsertsUpdates_Should_ShowTheUpdatedValues()
    {
        var rows = DeltaReader.ReadAsText(DeltaTable.Open(TestData.Golden("basic-with-inserts-updates")).Snapshot(), orderBy: "id").ToList();

        Assert.Equal(100, rows.Count);
        Assert.All(rows, row =>
        {
            var id = int.Parse(row[0]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(id < 50 ? "N/A" : $"val={id}", row[1]);
        });
    }

    [Fact]
    public void BasicWithInsertsMerge_Should_ShowTheMergedRows()
    {
        var rows = DeltaReader.ReadAsText(DeltaTable.Open(TestData.Golden("basic-with-inserts-merge")).Snapshot(), orderBy: "id").ToList();

        Assert.Equal(140, rows.Count);
        Assert.All(rows, row =>
        {
            var id = int.Parse(row[0]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(id < 50 ? $"val={id}" : id < 100 ? "N/A" : "EXT", row[1]);
        });
        Assert.Equal(10, int.Parse(rows[0][0]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DataReaderPrimitives_Should_ReadEveryPrimitiveType_AndTheAllNullRow()
    {
        var snapshot = DeltaTable.Open(TestData.Golden("data-reader-primitives")).Snapshot();
        var rows = DeltaReader.ReadAsText(snapshot, orderBy: "as_int NULLS FIRST").ToList();

        Assert.Equal(11, rows.Count);
        Assert.All(rows[0], Assert.Null);
        var names = snapshot.Schema.Fields.Select(f => f.Name).ToList();
        for (var i = 0; i < 10; i++)
        {
            var row = rows[i + 1];
            Assert.Equal($"{i}", row[names.IndexOf("as_int")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_long")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_byte")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_short")]);
            Assert.Equal(i % 2 == 0 ? "true" : "false", row[names.IndexOf("as_boolean")]);
            Assert.Equal($"{i}.0", row[names.IndexOf("as_float")]);
            Assert.Equal($"{i}.0", row[names.IndexOf("as_double")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_string")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_big_decimal")]);
        }
    }

    [Fact]
    public void DataReaderPartitionValues_Should_TypePartitionValuesFromTheLog()
    {
        var snapshot = DeltaTable.Open(TestData.Golden("data-reader-partition-values")).Snapshot();
        var names = snapshot.Schema.Fields.Select(f => f.Name).ToList();
        var rows = DeltaReader.ReadAsText(snapshot, orderBy: "as_int NULLS LAST").ToList();

        Assert.Equal(3, rows.Count);
        for (var i = 0; i < 2; i++)
        {
            var row = rows[i];
            Assert.Equal($"{i}", row[names.IndexOf("as_int")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_long")]);
            Assert.Equal(i == 0 ? "true" : "false", row[names.IndexOf("as_boolean")]);
            Assert.Equal($"{i}.0", row[names.IndexOf("as_double")]);
            Assert.Equal($"{i}", row[names.IndexOf("as_string")]);
            Assert.Equal("null", row[names.IndexOf("as_string_lit_null")]);
            Assert.Equal("2021-09-08", row[names.IndexOf("as_date")]);
            Assert.StartsWith("2021-09-08 11:11:11", row[names.IndexOf("as_timestamp")], StringComparison.Ordinal);
            Assert.Equal($"{i}", row[names.IndexOf("as_big_decimal")]);
        }

        var nullRow = rows[2];
        foreach (var column in snapshot.PartitionColumns)
        {
            Assert.Null(nullRow[names.IndexOf(column)]);
        }
    }

    [Fact]
    public void VersionsNotContiguous_Should_BeRefused_NamingTheMissingVersion()
    {
        var ex = Assert.Throws<LakeException>(() => DeltaTable.Open(TestData.Golden("versions-not-contiguous")).Snapshot());

        Assert.Equal(LakeErrorKind.Corrupt, ex.Kind);
        Assert.Contains("version 1 is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidProtocolVersion_Should_BeRefused_NamingTheVersion()
    {
        var ex = Assert.Throws<LakeException>(() => DeltaTable.Open(TestData.Golden("deltalog-invalid-protocol-version")).Snapshot());

        Assert.Equal(LakeErrorKind.Unsupported, ex.Kind);
        Assert.Contains("reader version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_Should_AppendToASparkTable_AndSparkRowsStayReadable()
    {
        using var scratch = new ScratchFolder();
        var copy = scratch.CopyFrom(TestData.Golden("basic-with-inserts-updates"), "t");
        using var duck = GovShare.Lake.Engine.LakeDuckDb.OpenInMemory();

        var result = DeltaTable.Open(copy).Append(duck, "SELECT CAST(1000 AS BIGINT) AS id, 'ours' AS str");

        Assert.Equal(2, result.Version);
        var rows = DeltaReader.ReadAsText(DeltaTable.Open(copy).Snapshot(), orderBy: "id").ToList();
        Assert.Equal(101, rows.Count);
        Assert.Equal(new string?[] { "1000", "ours" }, rows[^1]);
    }

    [Fact]
    public void History_Should_ListEveryCommit_WithItsOperation()
    {
        var history = DeltaTable.Open(TestData.Golden("snapshot-data2-deleted")).History();

        Assert.Equal([0L, 1, 2, 3, 4], history.Select(c => c.Version));
        Assert.Equal("DELETE", history[4].Operation);
        Assert.True(history.Zip(history.Skip(1)).All(pair => pair.First.Timestamp <= pair.Second.Timestamp));
    }
}
