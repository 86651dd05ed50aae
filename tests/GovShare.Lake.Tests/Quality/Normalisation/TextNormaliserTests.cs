using System.Text;
using FsCheck.Xunit;
using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class TextNormaliserTests
{
    [Theory]
    [InlineData("張偉", "张伟")]
    [InlineData("劉德華", "刘德华")]
    [InlineData("鄭州市金水區", "郑州市金水区")]
    [InlineData("頭髮", "头发")]
    public void Normalise_Should_SimplifyTraditionalCharacters(string traditional, string simplified)
    {
        Assert.Equal(simplified, TextNormaliser.Normalise(traditional));
    }

    [Fact]
    public void Normalise_Should_PreferAPhraseOverItsCharacters_When_OpenCCListsOne()
    {
        // 乾 alone is 干 (dry), but the emperor 乾隆 keeps it: the phrase table wins over the character table.
        Assert.Equal("干净", TextNormaliser.Normalise("乾淨"));
        Assert.Equal("乾隆年间", TextNormaliser.Normalise("乾隆年間"));
    }

    [Theory]
    [InlineData("ＡＢＣ１２３", "abc123")]
    [InlineData("张　伟", "张伟")]
    [InlineData("花园路１２号", "花园路12号")]
    [InlineData(" Zhang  Wei\t", "zhangwei")]
    public void Normalise_Should_FoldFullWidthAndRemoveSpaces(string raw, string expected)
    {
        Assert.Equal(expected, TextNormaliser.Normalise(raw));
    }

    [Theory]
    [InlineData("（北京）科技有限公司", "北京科技有限公司")]
    [InlineData("【郑州】《数据》“共享”‘平台’", "郑州数据共享平台")]
    [InlineData("阿卜杜·艾尼", "阿卜杜艾尼")]
    [InlineData("金水区，花园路；12号。", "金水区花园路12号")]
    [InlineData("A-1/2 (east), #3", "a12east3")]
    [InlineData("一—二～三…", "一二三")]
    public void Normalise_Should_RemovePunctuation_When_ASCIIOrCJK(string raw, string expected)
    {
        Assert.Equal(expected, TextNormaliser.Normalise(raw));
    }

    [Theory]
    [InlineData("⽇本", "日本")]
    [InlineData("①号楼", "1号楼")]
    [InlineData("\uF9B5", "例")]
    [InlineData("zha\u0304ng", "zhāng")]
    [InlineData("ＡＢ㎡", "abm2")]
    public void Normalise_Should_ApplyNFKC_When_ACompatibilityCharacterAppears(string raw, string expected)
    {
        Assert.Equal(expected, TextNormaliser.Normalise(raw));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("　，。、")]
    public void Normalise_Should_ReturnNull_When_NothingButSpacesAndPunctuation(string? raw)
    {
        Assert.Null(TextNormaliser.Normalise(raw));
    }

    [Fact]
    public void Normalise_Should_HandleLongValues_When_BeyondTheStackBuffer()
    {
        var raw = string.Concat(Enumerable.Repeat("張偉，", 200));

        Assert.Equal(string.Concat(Enumerable.Repeat("张伟", 200)), TextNormaliser.Normalise(raw));
    }

    [Fact]
    public void Normalise_Should_KeepSupplementaryIdeographs_And_NotCrashOnLoneSurrogates()
    {
        Assert.Equal("王𠀀", TextNormaliser.Normalise("王 𠀀"));
        Assert.Equal("a\uD800b", TextNormaliser.Normalise("A\uD800 B"));
        // The runtime refuses NFKC over ill-formed UTF-16, so such a value is compared without it.
        Assert.Equal("a\uD800b①", TextNormaliser.Normalise("A\uD800 B①"));
    }

    [Fact]
    public void Normalise_Should_BeIdempotent()
    {
        foreach (var raw in new[] { "張偉", "ＡＢＣ １２３", "河南省鄭州市金水區花園路１２號", "⽇本①" })
        {
            var once = TextNormaliser.Normalise(raw);
            Assert.Equal(once, TextNormaliser.Normalise(once));
        }
    }

    [Property(MaxTest = 500)]
    public bool Normalise_Should_AgreeWithTheRuntimesNFKC_When_TheFastPathSkipsIt(string? generated)
    {
        // The fast path skips NFKC for the ranges it believes stable; normalising with the runtime first must not
        // change the outcome.
        var text = new string([.. (generated ?? "").Select(c => Alphabet[c % Alphabet.Length])]);
        return TextNormaliser.Normalise(text) == TextNormaliser.Normalise(text.Normalize(NormalizationForm.FormKC));
    }

    private const string Alphabet = "張偉乾隆淨ＡＢ１２　 ，。、·（）【】《》“”‘’—-~|ÀéüǚĲǅ①⽇\uF9B5㑯㐀가ｶ ﹐‥…";
}
