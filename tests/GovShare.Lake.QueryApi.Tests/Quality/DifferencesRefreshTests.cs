using System.Diagnostics;
using System.Net;
using System.Text.Json;
using GovShare.Lake.Consistency;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Quality;

/// <summary><c>quality.differences</c> before the consistency check's first run and after each run, on a lake of its
/// own: empty with the check's column types, then each new version of the table once the engine's refresh (the host's
/// background tick) has seen it, whatever lake version a statement pins.</summary>
public sealed class DifferencesRefreshTests
{
    private const string AllDifferences = "SELECT * FROM quality.differences ORDER BY base_table, attribute";

    [Fact]
    public async Task View_Should_BeEmptyBeforeTheFirstCheck_AndShowEachNewVersionOfTheTable_AfterTheRefresh()
    {
        using var host = new DemoCityHost();
        using var operatorClient = host.As("operator");
        using var hrss = host.As("hrss");
        var person = (string)CheckOutput.FirstRow(host.Layout, "SELECT id_number FROM {psb.household} WHERE record_status = 'current' ORDER BY id_number")[0];
        var licence = (string)CheckOutput.FirstRow(host.Layout, "SELECT licence_no FROM {amr.business_licence} WHERE record_status = 'current' ORDER BY licence_no")[0];
        var name = new Difference("population.persons", person, "name", "hrss.insured", "王小明", "psb.household", "王晓明");
        var holder = new Difference("licence.licences", licence, "holder_name", "amr.business_licence", "某某餐饮店", "hurd.qualification", "某某建筑公司", "mis_keyed", 0.6);

        // The view reads where the check writes, and the check has not run.
        Assert.Equal(new ConsistencyCheck(host.Layout, host.Store, DivisionRegistry.Embedded).DifferencesTable, host.Layout.DifferencesTable);
        Assert.False(DeltaTable.Exists(host.Layout.DifferencesTable));
        var (status, empty) = await Sql(operatorClient, AllDifferences);
        var (agencyStatus, agencyEmpty) = await Sql(hrss, AllDifferences);
        Assert.True(status == HttpStatusCode.OK, empty.ToString());
        Assert.True(agencyStatus == HttpStatusCode.OK, agencyEmpty.ToString());
        Assert.Empty(Rows(empty));
        Assert.Empty(Rows(agencyEmpty));
        Assert.Equal(ConsistencyCheck.DifferencesSchema.Fields.Select(f => f.Name), Columns(empty).Select(c => c.Name));
        Assert.Equal(Columns(empty), Columns(agencyEmpty));

        // The first run: seen after a refresh, with the column types the empty view had.
        CheckOutput.Append(host.Layout, name, holder);
        var first = await Until(operatorClient, answer => Rows(answer).Count == 2);
        Assert.Equal([holder, name], Difference.Read(first));
        Assert.Equal(Columns(empty), Columns(first));
        Assert.Equal([holder], Difference.Read((await Sql(hrss, AllDifferences)).Body));

        // The next run rewrites the table: the view follows, and shows the latest run at an earlier lake version too.
        var renamed = name with { ValueB = "王晓鸣", Score = 0.8 };
        CheckOutput.Overwrite(host.Layout, renamed);
        var second = await Until(operatorClient, answer => Rows(answer).Count == 1);
        var (pinnedStatus, pinned) = await Post(operatorClient, "/api/query", new { sql = AllDifferences, asOf = "1" });
        Assert.Equal([renamed], Difference.Read(second));
        Assert.True(pinnedStatus == HttpStatusCode.OK, pinned.ToString());
        Assert.Equal(1, pinned.GetProperty("version").GetInt64());
        Assert.Equal([renamed], Difference.Read(pinned));
        Assert.Empty(Rows((await Sql(hrss, AllDifferences)).Body));
    }

    // The refresh runs on the host's own tick (200 ms in the tests): the answer once it satisfies the condition, or the
    // last one after a generous wait, for the assertions to report.
    private static async Task<JsonElement> Until(HttpClient client, Func<JsonElement, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (status, answer) = await Sql(client, AllDifferences);
            Assert.True(status == HttpStatusCode.OK, answer.ToString());
            if (done(answer) || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }

    private static List<JsonElement> Rows(JsonElement answer) => answer.GetProperty("rows").EnumerateArray().ToList();

    private static List<(string? Name, string? Type)> Columns(JsonElement answer) =>
        answer.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("type").GetString())).ToList();
}
