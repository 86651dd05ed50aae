using GovShare.Lake.Quality.Linkage;

namespace GovShare.Lake.Tests.Quality.Linkage;

/// <summary>Type inference from sample values, and each type's comparison levels.</summary>
public sealed class FieldComparisonTests
{
    [Fact]
    public void Infer_Should_RecogniseEachType_When_MostValuesHaveItsShape()
    {
        Assert.Equal(FieldType.Name, FieldTypes.Infer(["张伟", "王秀英", "欧阳娜娜", "Zhang Wei", "", null, "阿依古丽·买买提"]));
        Assert.Equal(FieldType.Date, FieldTypes.Infer(["1985-03-12", "19900701", "2001/2/3", "１９８５-０３-１２", "不详"]));
        Assert.Equal(FieldType.Code, FieldTypes.Infer(["13800138000", "91410100MA44XXXX1K", "１３９００００００００", "410102"]));
        Assert.Equal(FieldType.Text, FieldTypes.Infer(["河南省郑州市金水区花园路12号", "郑州市中原区建设路1号院3号楼", "无"]));
        Assert.Equal(FieldType.Text, FieldTypes.Infer(["", "  ", null]));
    }

    [Fact]
    public void Infer_Should_TakeTheCommonType_When_AFewValuesAreOdd()
    {
        var dates = Enumerable.Repeat("1985-03-12", 9).Append("unknown");
        var mixed = new[] { "1985-03-12", "张伟", "13800138000", "河南省郑州市" };

        Assert.Equal(FieldType.Date, FieldTypes.Infer(dates));
        Assert.Equal(FieldType.Text, FieldTypes.Infer(mixed));
    }

    [Theory]
    [InlineData("张伟", "张伟", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("张伟", "張偉", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("张伟", "张玮", ComparisonLevel.Close, ComparisonReason.SamePinyin)]
    [InlineData("Zhang Wei", "zhang  wei", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("Zhang Weiming", "Zhang Weimin", ComparisonLevel.Close, ComparisonReason.SimilarSpelling)]
    [InlineData("张伟", "张强", ComparisonLevel.Different, ComparisonReason.Differs)]
    [InlineData("张伟", "", ComparisonLevel.Missing, ComparisonReason.Missing)]
    public void Name_Should_CompareAtTheRightLevel(string left, string right, ComparisonLevel level, ComparisonReason reason) =>
        AssertCompares(FieldType.Name, left, right, level, reason);

    [Theory]
    [InlineData("1985-03-12", "19850312", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("1985-03-12", "１９８５/３/１２", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("1985-03-12", "1985-03-21", ComparisonLevel.Close, ComparisonReason.DigitsTransposed)]
    [InlineData("1985-03-12", "1958-03-12", ComparisonLevel.Close, ComparisonReason.DigitsTransposed)]
    [InlineData("1985-03-12", "1985-12-03", ComparisonLevel.Close, ComparisonReason.DayMonthSwapped)]
    [InlineData("1985-03-12", "1986-03-12", ComparisonLevel.Close, ComparisonReason.OneDigitDifferent)]
    [InlineData("1985-03-12", "1987-04-12", ComparisonLevel.Different, ComparisonReason.Differs)]
    [InlineData("1985-03-12", "不详", ComparisonLevel.Missing, ComparisonReason.Missing)]
    public void Date_Should_CompareAtTheRightLevel(string left, string right, ComparisonLevel level, ComparisonReason reason) =>
        AssertCompares(FieldType.Date, left, right, level, reason);

    [Theory]
    [InlineData("13800138000", "１３８００１３８０００", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("138-0013-8000", "13800138000", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("13800138000", "13800183000", ComparisonLevel.Close, ComparisonReason.DigitsTransposed)]
    [InlineData("13800138000", "13800138001", ComparisonLevel.Close, ComparisonReason.OneCharacterDifferent)]
    [InlineData("13800138000", "1380013800", ComparisonLevel.Close, ComparisonReason.OneCharacterDifferent)]
    [InlineData("13800138000", "13900139000", ComparisonLevel.Different, ComparisonReason.Differs)]
    [InlineData("M", "F", ComparisonLevel.Different, ComparisonReason.Differs)]
    public void Code_Should_CompareAtTheRightLevel(string left, string right, ComparisonLevel level, ComparisonReason reason) =>
        AssertCompares(FieldType.Code, left, right, level, reason);

    [Theory]
    [InlineData("河南省郑州市金水区花园路12号", "河南省郑州市金水区花园路12号", ComparisonLevel.Exact, ComparisonReason.Equal)]
    [InlineData("河南省郑州市金水区花园路12号", "郑州市金水区花园路12号", ComparisonLevel.Close, ComparisonReason.WordsShared)]
    [InlineData("河南省郑州市金水区花园路12号", "河南省郑州市中原区建设路7号", ComparisonLevel.Different, ComparisonReason.Differs)]
    public void Text_Should_CompareAtTheRightLevel(string left, string right, ComparisonLevel level, ComparisonReason reason) =>
        AssertCompares(FieldType.Text, left, right, level, reason);

    [Fact]
    public void BlockingRule_Should_ReadItsWrittenForm()
    {
        var rule = BlockingRule.Parse("姓名:initial + 出生日期:year");

        Assert.Equal([new BlockingPart("姓名", BlockingKeyPart.Initial), new BlockingPart("出生日期", BlockingKeyPart.Year)], rule.Parts);
        Assert.Equal("姓名:initial+出生日期:year", rule.ToString());
        Assert.Throws<LakeException>(() => BlockingRule.Parse("姓名:soundex"));
    }

    private static void AssertCompares(FieldType type, string left, string right, ComparisonLevel level, ComparisonReason reason)
    {
        var comparer = IFieldComparer.For(type);

        var comparison = comparer.Compare(comparer.Prepare(left), comparer.Prepare(right));
        var reverse = comparer.Compare(comparer.Prepare(right), comparer.Prepare(left));

        Assert.Equal((level, reason), (comparison.Level, comparison.Reason));
        Assert.Equal(comparison.Level, reverse.Level);
    }
}
