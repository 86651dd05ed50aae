using GovShare.Lake.Catalogue;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class EnumerationMapsTests
{
    private static readonly CatalogueEntry Entities = new()
    {
        Id = "amr.entities",
        Name = new LocalizedName("市场主体", "Market entities"),
        Agency = new AgencyRef("amr", new LocalizedName("市场监管局", "Market regulation")),
        Target = "legal_entity.entities",
        KeyColumn = "统一社会信用代码",
        Fields =
        [
            new FieldMapping { Source = "统一社会信用代码", Target = "uscc", Type = "string", Required = true },
            new FieldMapping { Source = "名称", Target = "name", Type = "string" },
            new FieldMapping
            {
                Source = "登记状态", Target = "status", Type = "string",
                Map = new Dictionary<string, string> { ["存续"] = "active", ["在业"] = "active", ["吊销"] = "revoked", ["注销"] = "cancelled", ["迁出"] = "moved_out" },
            },
        ],
    };

    private static readonly CatalogueEntry Taxpayers = Entities with
    {
        Id = "tax.taxpayers",
        Fields =
        [
            Entities.Fields[0],
            new FieldMapping
            {
                Source = "纳税人状态", Target = "status", Type = "string",
                Map = new Dictionary<string, string> { ["正常"] = "active", ["非正常"] = "revoked", ["注销"] = "cancelled" },
            },
        ],
    };

    [Fact]
    public void Map_Should_ListTheProvidersCodes_ForEachAttribute()
    {
        var maps = EnumerationMaps.For(Entities);

        Assert.Equal("revoked", maps.Map("amr.entities", "status")["吊销"]);
        Assert.Equal(5, maps.Map("amr.entities", "status").Count);
        Assert.Empty(maps.Map("amr.entities", "name"));
        Assert.Empty(maps.Map("amr.entities", "registered_capital"));
        Assert.Empty(maps.Map("nobody.data", "status"));
    }

    [Theory]
    [InlineData("注销", "cancelled")]
    [InlineData(" 在业 ", "active")]
    [InlineData("（迁出）", "moved_out")]
    [InlineData("註銷", "cancelled")]
    [InlineData("revoked", "revoked")]
    [InlineData("Moved_Out", "moved_out")]
    [InlineData("MOVED OUT", "moved_out")]
    public void Canonical_Should_GiveTheBaseValue_When_TheCodeIsWrittenDifferently(string raw, string expected)
    {
        Assert.Equal(expected, EnumerationMaps.For(Entities).Canonical("amr.entities", "status", raw));
    }

    [Theory]
    [InlineData("amr.entities", "status", "非正常")]
    [InlineData("amr.entities", "status", "  ")]
    [InlineData("amr.entities", "status", null)]
    [InlineData("amr.entities", "sex", "男")]
    [InlineData("nobody.data", "status", "注销")]
    public void Canonical_Should_ReturnNull_When_TheValueOrAttributeIsUnknown(string entry, string attribute, string? raw)
    {
        Assert.Null(EnumerationMaps.For([Entities, Taxpayers]).Canonical(entry, attribute, raw));
    }

    [Fact]
    public void Canonical_Should_UseEachProvidersOwnCodes()
    {
        var maps = EnumerationMaps.For([Entities, Taxpayers]);

        Assert.Equal("revoked", maps.Canonical("tax.taxpayers", "status", "非正常"));
        Assert.Null(maps.Canonical("tax.taxpayers", "status", "吊销"));
        Assert.Equal("revoked", maps.Canonical("amr.entities", "status", "吊销"));
    }

    [Fact]
    public void Canonical_Should_KeepTheValue_When_TheAttributeIsNoEnumeration()
    {
        Assert.Equal("郑州某某有限公司", EnumerationMaps.For(Entities).Canonical("amr.entities", "name", " 郑州某某有限公司 "));
    }

    [Fact]
    public void Canonical_Should_NotGuess_When_TwoCodesWrittenAlikeMeanDifferentValues()
    {
        var entry = Entities with
        {
            Fields =
            [
                Entities.Fields[0],
                new FieldMapping
                {
                    Source = "状态", Target = "status", Type = "string",
                    Map = new Dictionary<string, string> { ["A"] = "active", ["a"] = "cancelled" },
                },
            ],
        };
        var maps = EnumerationMaps.For(entry);

        Assert.Equal("active", maps.Canonical("amr.entities", "status", "A"));
        Assert.Equal("cancelled", maps.Canonical("amr.entities", "status", "a"));
        Assert.Null(maps.Canonical("amr.entities", "status", "Ａ"));
    }

    [Fact]
    public void For_Should_Refuse_When_AnEntryIsGivenTwice()
    {
        Assert.Throws<ArgumentException>(() => EnumerationMaps.For([Entities, Entities]));
    }
}
