using DuckDB.NET.Data;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Tests.Delta;

public sealed class DeltaMaintenanceTests : IDisposable
{
    private static readonly DeltaSchema Schema = new(
    [
        new DeltaField("licence_no", "string", Nullable: false),
        new DeltaField("holder_key", "string"),
        new DeltaField("status", "string"),
    ]);

    private readonly ScratchFolder _scratch = new("govshare-maint");
    private readonly DuckDBConnection _duck = LakeDuckDb.OpenInMemory();

    private string TablePath => _scratch.Combine("licences");

    [Fact]
    public void Changes_Should_ReportInsertsUpdatesAndDeletes_WithBeforeAndAfterValues()
    {
        var table = DeltaTable.Create(TablePath, Schema, keyColumns: ["licence_no"]);
        table.Append(_duck, Rows(0, 50, "valid"));                   // v1
        table.Merge(_duck, """
            SELECT * FROM (VALUES ('L00003', 'H3', 'revoked', false), ('L00004', 'H4', 'valid', true), ('L00099', 'H99', 'valid', false))
            v(licence_no, holder_key, status, gone)
            """, ["licence_no"], deleteWhen: "gone");                // v2

        var changes = table.Changes(1, 2);
        var rows = Query(changes.Query + " ORDER BY licence_no");

        Assert.Equal(["licence_no"], changes.KeyColumns);
        Assert.Equal(3, rows.Count);
        Assert.Equal(new string?[] { "update", "L00003", "H3", "valid", "H3", "revoked" }, rows[0]);
        Assert.Equal(new string?[] { "delete", "L00004", "H4", "valid", null, null }, rows[1]);
        Assert.Equal(new string?[] { "insert", "L00099", null, null, "H99", "valid" }, rows[2]);
    }

    [Fact]
    public void Changes_Should_BeEmpty_AcrossAnOptimize()
    {
        var table = DeltaTable.Create(TablePath, Schema, keyColumns: ["licence_no"]);
        for (var i = 0; i < 3; i++)
        {
            table.Append(_duck, Rows(i * 10, (i + 1) * 10, "valid"));
        }

        var optimize = table.Optimize();

        Assert.Equal(3, optimize.FilesRemoved);
        Assert.Equal(1, optimize.FilesAdded);
        Assert.Single(table.Snapshot().Files);
        Assert.All(table.Snapshot().Files.Values, f => Assert.False(f.DataChange));
        Assert.Empty(Query(table.Changes(3, 4).Query));
        Assert.Equal(30, DeltaReader.ReadAsText(table.Snapshot()).Count());
        Assert.Equal("OPTIMIZE", table.History()[^1].Operation);
    }

    [Fact]
    public void Changes_Should_CompareWholeRows_When_TheTableHasNoKey()
    {
        var table = DeltaTable.Create(TablePath, Schema);
        table.Append(_duck, Rows(0, 5, "valid"));
        table.Delete("licence_no = 'L00001'");

        var rows = Query(table.Changes(1, 2).Query);

        Assert.Equal(new string?[] { "delete", "L00001", "H1", "valid" }, rows.Single());
    }

    [Fact]
    public void Vacuum_Should_KeepFilesRetainedVersionsNeed_AndDeleteTheRest()
    {
        var table = DeltaTable.Create(TablePath, Schema);
        table.Append(_duck, Rows(0, 10, "valid"));
        table.Overwrite(_duck, Rows(0, 10, "expired"));
        var overwritten = DeltaTable.Open(TablePath).Snapshot(1).Files.Keys.Single();

        var kept = table.Vacuum(TimeSpan.FromDays(7));
        Assert.Empty(kept.Files);
        Assert.Equal(10, DeltaReader.ReadAsText(table.Snapshot(1)).Count());

        var later = new FixedClock(DateTimeOffset.UtcNow.AddDays(8));
        var dry = table.Vacuum(TimeSpan.FromDays(7), dryRun: true, clock: later);
        Assert.Equal([overwritten], dry.Files);
        Assert.True(File.Exists(Path.Combine(TablePath, overwritten)));

        var removed = table.Vacuum(TimeSpan.FromDays(7), clock: later);
        Assert.Equal([overwritten], removed.Files);
        Assert.False(File.Exists(Path.Combine(TablePath, overwritten)));
        Assert.Equal(10, DeltaReader.ReadAsText(table.Snapshot()).Count());
    }

    [Fact]
    public void Vacuum_Should_RemoveLeftoversOfInterruptedWrites()
    {
        var table = DeltaTable.Create(TablePath, Schema);
        table.Append(_duck, Rows(0, 10, "valid"));
        var orphan = Path.Combine(TablePath, "part-orphan.zstd.parquet");
        var staging = Path.Combine(TablePath, ".staging-dead", "all", "x.parquet");
        var tempCommit = Path.Combine(TablePath, "_delta_log", ".00000000000000000002.json.dead.tmp");
        File.WriteAllText(orphan, "x");
        Directory.CreateDirectory(Path.GetDirectoryName(staging)!);
        File.WriteAllText(staging, "x");
        File.WriteAllText(tempCommit, "x");

        var result = table.Vacuum(TimeSpan.Zero, clock: new FixedClock(DateTimeOffset.UtcNow.AddMinutes(1)));

        Assert.Equal(3, result.Files.Count);
        Assert.False(File.Exists(orphan));
        Assert.False(Directory.Exists(Path.Combine(TablePath, ".staging-dead")));
        Assert.False(File.Exists(tempCommit));
        Assert.Equal(10, DeltaReader.ReadAsText(table.Snapshot()).Count());
    }

    public void Dispose()
    {
        _duck.Dispose();
        _scratch.Dispose();
    }

    private static string Rows(int from, int to, string status) =>
        $"SELECT printf('L%05d', i) AS licence_no, 'H' || i AS holder_key, '{status}' AS status FROM range({from}, {to}) t(i)";

    private List<string?[]> Query(string sql) => DuckRows.Query(_duck, sql);
}
