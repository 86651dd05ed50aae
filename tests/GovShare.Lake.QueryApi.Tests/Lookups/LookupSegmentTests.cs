using GovShare.Lake.Engine;
using GovShare.Lake.QueryApi.Lookups;

namespace GovShare.Lake.QueryApi.Tests.Lookups;

/// <summary>The lookup segment against a real DuckDB result: every row findable by its key and by its search values,
/// several providers of one key all returned, absent values finding nothing.</summary>
public sealed class LookupSegmentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("govshare-segment-").FullName;

    [Fact]
    public void Segment_Should_FindEveryProvidersRow_ByKeyAndBySearchColumn()
    {
        using var duck = LakeDuckDb.OpenInMemory();
        const string rows = """
            SELECT printf('K%06d', i) AS key, CASE WHEN i % 2 = 0 THEN 'a.one' ELSE 'b.two' END AS dataset,
                   CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END AS agency, CAST(i % 5 AS BIGINT) AS table_version,
                   CAST(to_json({'name': '名字' || i, 'n': i}) AS VARCHAR) AS payload,
                   CASE WHEN i % 3 = 0 THEN NULL ELSE printf('H%04d', i % 1000) END AS holder
            FROM range(50000) t(i)
            UNION ALL SELECT 'K000007', 'c.three', 'c', 9, '{"name":"另一个"}', NULL
            """;

        using var segment = LookupSegment.Build(duck, rows, ["holder"], Path.Combine(_folder, "t.seg"), CancellationToken.None);

        Assert.Equal(50001, segment.Rows);
        var seven = segment.Find("self", "key", "K000007");
        Assert.Equal(["b.two", "c.three"], seven.Select(r => r.Dataset).Order());
        Assert.Equal("名字7", seven.Single(r => r.Dataset == "b.two").Payload.GetProperty("name").GetString());
        Assert.Equal(2, seven.Single(r => r.Dataset == "b.two").TableVersion);
        Assert.Equal("self", seven[0].Part);
        for (var i = 0; i < 50000; i += 997)
        {
            Assert.Single(segment.Find("self", "key", $"K{i:D6}"));
        }

        var held = segment.Find("licence", "holder", "H0005");
        Assert.Equal(Enumerable.Range(0, 50).Select(k => k * 1000 + 5).Where(i => i % 3 != 0).Select(i => $"K{i:D6}"), held.Select(r => r.Key).Order());
        Assert.Empty(segment.Find("self", "key", "K999999"));
        Assert.Empty(segment.Find("licence", "holder", ""));
    }

    [Fact]
    public void Segment_Should_OpenAgainFromItsFiles_When_BuiltBefore_AndRefuseFilesThatDoNotMatch()
    {
        using var duck = LakeDuckDb.OpenInMemory();
        const string rows = """
            SELECT printf('K%06d', i) AS key, 'a.one' AS dataset, 'a' AS agency, CAST(3 AS BIGINT) AS table_version,
                   CAST(to_json({'n': i}) AS VARCHAR) AS payload, printf('H%03d', i % 100) AS holder
            FROM range(20000) t(i)
            """;
        var path = Path.Combine(_folder, "persons-abc.seg");
        LookupSegment.Build(duck, rows, ["holder"], path, CancellationToken.None).Dispose();
        Assert.Empty(Directory.EnumerateFiles(_folder, "*.part"));

        using (var reopened = LookupSegment.Open(path))
        {
            Assert.NotNull(reopened);
            Assert.Equal(20000, reopened.Rows);
            Assert.Equal(12345, reopened.Find("self", "key", "K012345").Single().Payload.GetProperty("n").GetInt32());
            Assert.Equal(200, reopened.Find("licence", "holder", "H045").Count);
        }

        // A data file that is not the one the index was written for (here: cut short) is not read; nor is a missing index.
        using (var data = new FileStream(path, FileMode.Open))
        {
            data.SetLength(data.Length - 1);
        }

        Assert.Null(LookupSegment.Open(path));
        File.Delete(LookupSegment.IndexPath(path));
        Assert.Null(LookupSegment.Open(path));
        Assert.Null(LookupSegment.Open(Path.Combine(_folder, "never-built.seg")));
    }

    [Fact]
    public void Segment_Should_FailWithObjectDisposed_NotReadFreedMemory_When_ReadAfterDispose()
    {
        using var duck = LakeDuckDb.OpenInMemory();
        var segment = LookupSegment.Build(duck, "SELECT 'K1' AS key, 'a.one' AS dataset, 'a' AS agency, CAST(1 AS BIGINT) AS table_version, '{}' AS payload",
            [], Path.Combine(_folder, "t.seg"), CancellationToken.None);
        Assert.Single(segment.Find("self", "key", "K1"));

        segment.Dispose();

        Assert.Throws<ObjectDisposedException>(() => segment.Find("self", "key", "K1"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
