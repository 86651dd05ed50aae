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

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
