using GovShare.Lake.Divisions;

namespace GovShare.Lake.Tests.Divisions;

public sealed class DivisionRegistryTests
{
    private static readonly DivisionRegistry Registry = DivisionRegistry.Embedded;

    [Fact]
    public void Embedded_Should_HoldTheWholeShippedTable()
    {
        Assert.Equal(6823, Registry.RecordCount);
        Assert.Equal(1981, Registry.FirstYear);
        Assert.True(Registry.Exists("410100"));
        Assert.False(Registry.Exists("999999"));
    }

    [Fact]
    public void Find_Should_ReturnTheNameTheCodeHeld_InTheYearAsked()
    {
        // 410108 was 邙山区 from 1987 and has been 惠济区 since 2003.
        Assert.Equal("邙山区", Registry.Find("410108", 1990)!.Name);
        Assert.Equal("惠济区", Registry.Find("410108", 2003)!.Name);
        Assert.Equal("惠济区", Registry.Find("410108", new DateOnly(2024, 5, 1))!.Name);
        Assert.Null(Registry.Find("410108", 1985));
    }

    [Fact]
    public void Find_Should_KeepARetiredCode_InItsLastYear()
    {
        var row = Registry.Find("110103", 2010);

        Assert.NotNull(row);
        Assert.Equal("崇文区", row.Name);
        Assert.Equal(DivisionStatus.Retired, row.Status);
        Assert.Null(Registry.Find("110103", 2011));
    }

    [Fact]
    public void Parent_Should_GoFromCountyToPrefectureToProvince()
    {
        var county = Registry.Find("410103", 2020)!;

        var prefecture = Registry.Parent(county, 2020)!;
        var province = Registry.Parent(prefecture, 2020)!;

        Assert.Equal(("410100", DivisionLevel.Prefecture), (prefecture.Code, prefecture.Level));
        Assert.Equal(("410000", DivisionLevel.Province), (province.Code, province.Level));
        Assert.Null(Registry.Parent(province, 2020));
    }

    [Fact]
    public void Parent_Should_BeTheMunicipality_When_ADistrictIsDirectlyAdministered()
    {
        var district = Registry.Find("110101", 2020)!;

        Assert.Null(district.Prefecture);
        Assert.Equal("110000", Registry.Parent(district, 2020)!.Code);
        Assert.Equal("北京市东城区", district.FullName);
    }

    [Fact]
    public void History_Should_ListEveryPeriodOfAReusedCode_OldestFirst()
    {
        var history = Registry.History("410108");

        Assert.Equal(["邙山区", "惠济区"], history.Select(row => row.Name));
        Assert.Equal(DivisionStatus.Changed, history[0].Status);
        Assert.Equal([new DivisionReplacement("410108", null)], history[0].Replacements);
    }

    [Fact]
    public void CurrentSuccessors_Should_FollowReplacements_ToCodesInUse()
    {
        Assert.Equal(["110101"], Registry.CurrentSuccessors("110103"));
        Assert.Equal(["410108"], Registry.CurrentSuccessors("410108"));
        Assert.Equal(["130281"], Registry.CurrentSuccessors("130228"));
    }

    [Fact]
    public void Load_Should_ReadReplacementYears_InBrackets()
    {
        var history = Registry.History("130123");

        Assert.Contains(new DivisionReplacement("130102", 2001), history[^1].Replacements);
    }

    [Fact]
    public void Load_Should_NameTheSourceLineAndField_When_ARowIsMalformed()
    {
        const string csv = "代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码\n" +
            "110000,北京市,,北京市,省级,在用,1981,,\n" +
            "110101,北京市,直辖,东城区,乡级,在用,1981,,\n";

        var ex = Assert.Throws<LakeException>(() => DivisionRegistry.Load(new StringReader(csv), "codes.csv"));

        Assert.Equal(LakeErrorKind.Corrupt, ex.Kind);
        Assert.Equal("codes.csv, line 3, field 'level': unknown level '乡级'.", ex.Message);
    }

    [Fact]
    public void Load_Should_Refuse_When_AnEndYearComesBeforeTheStart()
    {
        const string csv = "header\n110103,北京市,直辖,崇文区,县级,弃用,1981,1979,110101\n";

        var ex = Assert.Throws<LakeException>(() => DivisionRegistry.Load(new StringReader(csv), "codes.csv"));

        Assert.Contains("line 2, field 'ended'", ex.Message, StringComparison.Ordinal);
    }
}
