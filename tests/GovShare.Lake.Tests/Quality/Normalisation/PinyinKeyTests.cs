using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class PinyinKeyTests
{
    [Theory]
    [InlineData("张伟")]
    [InlineData("張偉")]
    [InlineData("Zhang Wei")]
    [InlineData("ZHANG wei")]
    [InlineData("zhāng wěi")]
    [InlineData("ＺＨＡＮＧ　ＷＥＩ")]
    [InlineData("zhang1 wei3")]
    [InlineData("Zhang-Wei")]
    public void Of_Should_GiveOneKey_When_TheSameNameIsWrittenInCharactersOrPinyin(string name)
    {
        Assert.Equal("zhangwei", PinyinKey.Of(name));
    }

    [Theory]
    [InlineData("吕")]
    [InlineData("呂")]
    [InlineData("lǚ")]
    [InlineData("lü")]
    [InlineData("LÜ")]
    [InlineData("lu:")]
    [InlineData("lv")]
    public void Of_Should_SpellUmlautAsV_When_FromCharactersOrLatin(string name)
    {
        Assert.Equal("lv", PinyinKey.Of(name));
    }

    [Fact]
    public void Of_Should_KeepPlainLuApart_FromLv()
    {
        Assert.Equal("lu", PinyinKey.Of("路"));
        Assert.Equal("lu", PinyinKey.Of("Lu"));
        Assert.NotEqual(PinyinKey.Of("吕伟"), PinyinKey.Of("Lu Wei"));
    }

    [Theory]
    [InlineData("刘德华", "liudehua")]
    [InlineData("劉德華", "liudehua")]
    [InlineData("买买提·艾力", "maimaitiaili")]
    [InlineData("张Wei", "zhangwei")]
    public void Of_Should_UseTheMostCommonReading(string name, string key)
    {
        Assert.Equal(key, PinyinKey.Of(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" · ")]
    [InlineData("123")]
    public void Of_Should_ReturnNull_When_NoLetters(string? name)
    {
        Assert.Null(PinyinKey.Of(name));
    }

    [Fact]
    public void Of_Should_KeepCharactersWithoutAReading_SoThatTheyNeverMatchByVanishing()
    {
        Assert.Equal("wangк", PinyinKey.Of("王К"));
        Assert.NotEqual(PinyinKey.Of("王"), PinyinKey.Of("王К"));
    }

    [Fact]
    public void Keys_Should_ListEveryReadingOfAHeteronymSurname_MostCommonFirst()
    {
        Assert.Equal(["danwei", "chanwei", "shanwei"], PinyinKey.Keys("单伟"));
        Assert.Equal(["cengwei", "zengwei"], PinyinKey.Keys("曾伟"));
        Assert.Equal(["zhangwei"], PinyinKey.Keys("Zhang Wei"));
        Assert.Empty(PinyinKey.Keys(null));
    }

    [Fact]
    public void Keys_Should_StopAtTheCap_When_ManyHeteronyms()
    {
        // 朴 has 4 tone-less readings (pu, piao, po, ...), 行 and 重 several more: 4 × 3 × 3 combinations.
        var keys = PinyinKey.Keys("朴行重");

        Assert.Equal(PinyinKey.MaxKeys, keys.Count);
        Assert.Equal(PinyinKey.Of("朴行重"), keys[0]);
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("单伟", "Shan Wei")]
    [InlineData("單偉", "shan wei")]
    [InlineData("曾伟", "Zeng Wei")]
    [InlineData("张伟", "ZHANG wei")]
    [InlineData("翟军", "Zhai Jun")]
    public void Matches_Should_BeTrue_When_AnyReadingAgrees(string characters, string pinyin)
    {
        Assert.True(PinyinKey.Matches(characters, pinyin));
        Assert.True(PinyinKey.Matches(pinyin, characters));
    }

    [Theory]
    [InlineData("张伟", "Zhang Wen")]
    [InlineData("单伟", "Tan Wei")]
    [InlineData("张伟", null)]
    [InlineData(null, null)]
    public void Matches_Should_BeFalse_When_NoReadingAgrees(string? a, string? b)
    {
        Assert.False(PinyinKey.Matches(a, b));
    }
}
