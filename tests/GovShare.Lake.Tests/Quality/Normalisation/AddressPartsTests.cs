using GovShare.Lake.Divisions;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class AddressPartsTests
{
    private static readonly DivisionRegistry Divisions = DivisionRegistry.Embedded;

    [Theory]
    [InlineData("河南省郑州市金水区花园路12号")]
    [InlineData("郑州市金水区花园路12号")]
    [InlineData("郑州金水区花园路12号")]
    [InlineData("河南郑州金水区花园路12号")]
    [InlineData("金水区花园路１２号")]
    [InlineData("河南省 郑州市 金水区 花园路 12 号")]
    [InlineData("河南省鄭州市金水區花園路12號")]
    [InlineData("河南省金水区花园路12号")]
    [InlineData("中国河南省郑州市金水区花园路12号")]
    public void Split_Should_GiveTheSameDivisionAndRest_When_PrefixesDiffer(string address)
    {
        var parts = AddressParts.Split(address, Divisions);

        Assert.Equal(new AddressParts("410105", "花园路12号"), parts);
    }

    [Theory]
    [InlineData("郑州市中原区建设路1号", "410102", "建设路1号")]
    [InlineData("二七区大学路80号", "410103", "大学路80号")]
    [InlineData("郑州市管城回族区东大街1号", "410104", "东大街1号")]
    [InlineData("郑州管城区东大街1号", "410104", "东大街1号")]
    [InlineData("河南省郑州市", "410100", null)]
    [InlineData("河南郑州", "410100", null)]
    [InlineData("北京市朝阳区建国路1号", "110105", "建国路1号")]
    [InlineData("吉林省吉林市船营区1号", "220204", "1号")]
    [InlineData("吉林吉林市船营区1号", "220204", "1号")]
    [InlineData("吉林船营区1号", "220204", "1号")]
    public void Split_Should_ReadTheMostSpecificDivision(string address, string code, string? rest)
    {
        Assert.Equal(new AddressParts(code, rest), AddressParts.Split(address, Divisions));
    }

    [Fact]
    public void Split_Should_NotReadAShortNameAsADivision_When_ARoadCarriesIt()
    {
        // 金水路 runs through several districts: without 区 and with no division after it, 金水 is the road's name.
        Assert.Equal(new AddressParts("410100", "金水路1号"), AddressParts.Split("郑州市金水路1号", Divisions));
        Assert.Equal(new AddressParts(null, "金水路1号"), AddressParts.Split("金水路1号", Divisions));
    }

    [Fact]
    public void Split_Should_StopAtAnAmbiguousName_Unless_TheContextDecides()
    {
        // 鼓楼区 is a district of Nanjing, Xuzhou, Fuzhou and Kaifeng; 朝阳区 of Beijing and Changchun.
        Assert.Equal(new AddressParts(null, "鼓楼区中山路1号"), AddressParts.Split("鼓楼区中山路1号", Divisions));
        Assert.Equal("320106", AddressParts.Split("鼓楼区中山路1号", Divisions, contextCode: "320100").DivisionCode);
        Assert.Equal("410204", AddressParts.Split("鼓楼区中山路1号", Divisions, contextCode: "410000").DivisionCode);
        Assert.Equal("320106", AddressParts.Split("南京市鼓楼区中山路1号", Divisions).DivisionCode);
        Assert.Null(AddressParts.Split("朝阳区建国路1号", Divisions).DivisionCode);
        Assert.Equal("110105", AddressParts.Split("朝阳区建国路1号", Divisions, contextCode: "110000").DivisionCode);
    }

    [Fact]
    public void Split_Should_KeepAUniqueNameOutsideTheContext()
    {
        Assert.Equal("410105", AddressParts.Split("金水区花园路12号", Divisions, contextCode: "320100").DivisionCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ，")]
    public void Split_Should_GiveNothing_When_TheAddressIsBlank(string? address)
    {
        Assert.Equal(new AddressParts(null, null), AddressParts.Split(address, Divisions));
    }

    [Theory]
    [InlineData("河南省郑州市金水区花园路12号", "金水区花园路１２号")]
    [InlineData("郑州市花园路12号", "金水区花园路12号")]
    [InlineData("花园路12号", "河南省郑州市金水区花园路12号")]
    [InlineData("鄭州市金水區花園路12號", "郑州金水区花园路12号")]
    public void Same_Should_BeTrue_When_OnlyTheWayOfWritingDiffers(string a, string b)
    {
        Assert.True(AddressParts.Same(a, b, Divisions));
    }

    [Theory]
    [InlineData("郑州市金水区花园路12号", "郑州市二七区花园路12号")]
    [InlineData("郑州市金水区花园路12号", "郑州市金水区花园路21号")]
    [InlineData("河南省郑州市金水区花园路12号", "江苏省南京市鼓楼区花园路12号")]
    public void Same_Should_BeFalse_When_DivisionOrRestDiffer(string a, string b)
    {
        Assert.False(AddressParts.Same(a, b, Divisions));
    }

    [Theory]
    [InlineData("410000", "410105", true)]
    [InlineData("410100", "410105", true)]
    [InlineData("410105", "410105", true)]
    [InlineData("410105", null, true)]
    [InlineData("410105", "410103", false)]
    [InlineData("410100", "410200", false)]
    [InlineData("110000", "110105", true)]
    public void Compatible_Should_AcceptADivisionWithinTheOther(string? a, string? b, bool expected)
    {
        Assert.Equal(expected, AddressParts.Compatible(a, b));
        Assert.Equal(expected, AddressParts.Compatible(b, a));
    }

    [Theory]
    [InlineData("郑州市", "郑州")]
    [InlineData("管城回族区", "管城")]
    [InlineData("延边朝鲜族自治州", "延边")]
    [InlineData("新疆维吾尔自治区", "新疆")]
    [InlineData("广西壮族自治区", "广西")]
    [InlineData("西藏自治区", "西藏")]
    [InlineData("内蒙古自治区", "内蒙古")]
    [InlineData("双江拉祜族佤族布朗族傣族自治县", "双江")]
    [InlineData("龙胜各族自治县", "龙胜")]
    [InlineData("郊区", null)]
    public void ShortName_Should_DropSuffixAndNationalities(string full, string? expected)
    {
        Assert.Equal(expected, DivisionNames.ShortName(full));
    }

    [Theory]
    [InlineData("管城回族区", "管城区")]
    [InlineData("延边朝鲜族自治州", "延边州")]
    [InlineData("长阳土家族自治县", "长阳县")]
    [InlineData("新疆维吾尔自治区", null)]
    [InlineData("金水区", null)]
    public void OtherNames_Should_GiveTheInformalName_When_NationalitiesAreDropped(string full, string? expected)
    {
        Assert.Equal(expected, DivisionNames.OtherNames(full).Informal);
    }
}
