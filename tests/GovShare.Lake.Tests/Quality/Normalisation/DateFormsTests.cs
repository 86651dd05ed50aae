using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class DateFormsTests
{
    [Theory]
    [InlineData("2023-05-01")]
    [InlineData("2023-5-1")]
    [InlineData("2023/05/01")]
    [InlineData("2023/5/1")]
    [InlineData("20230501")]
    [InlineData("2023.5.1")]
    [InlineData("2023.05.01")]
    [InlineData("2023年5月1日")]
    [InlineData("2023年05月01日")]
    [InlineData("2023年5月1")]
    [InlineData("2023 年 5 月 1 日")]
    [InlineData("２０２３年５月１日")]
    [InlineData("２０２３－０５－０１")]
    [InlineData("２０２３０５０１")]
    [InlineData("  2023-05-01 ")]
    [InlineData("2023-05-01T12:30:00")]
    [InlineData("2023-05-01T23:59:59.1234567+08:00")]
    [InlineData("2023-05-01T00:00:00Z")]
    [InlineData("2023-05-01T08:00-0500")]
    [InlineData("2023-05-01 12:30")]
    [InlineData("2023/5/1 0:00:00")]
    public void TryParse_Should_ReadEveryCommonForm(string text)
    {
        Assert.True(DateForms.TryParse(text, out var date));
        Assert.Equal(new DateOnly(2023, 5, 1), date);
    }

    [Fact]
    public void TryParse_Should_TakeTheDateAsWritten_When_ADateTimeCarriesAnOffset()
    {
        // 23:30 in China is 15:30 UTC the same day, but 01:30 in China is the day before in UTC: the written date wins.
        Assert.True(DateForms.TryParse("2023-05-01T01:30:00+08:00", out var date));
        Assert.Equal(new DateOnly(2023, 5, 1), date);
    }

    [Theory]
    [InlineData("2023-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("20230230")]
    [InlineData("2023-13-01")]
    [InlineData("2023-00-10")]
    [InlineData("2023年2月30日")]
    [InlineData("2023-05-1x")]
    [InlineData("2023-05/01")]
    [InlineData("2023年5-1")]
    [InlineData("23-05-01")]
    [InlineData("2023-5")]
    [InlineData("2023-05-01T25:00")]
    [InlineData("2023-05-01 noon")]
    [InlineData("2023-05-01T12")]
    [InlineData("01/05/2023")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_Should_Refuse_When_NotADateOrTheDateDoesNotExist(string? text)
    {
        Assert.False(DateForms.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Should_AcceptTheLeapDay_When_TheYearHasOne()
    {
        Assert.True(DateForms.TryParse("2024-02-29", out var date));
        Assert.Equal(new DateOnly(2024, 2, 29), date);
    }

    [Theory]
    [InlineData("44927")]
    [InlineData("45000")]
    [InlineData("45000.5")]
    public void TryParse_Should_RefuseExcelSerials_When_NotAskedFor(string text)
    {
        Assert.False(DateForms.TryParse(text, out _));
    }

    [Theory]
    [InlineData("44927", 2023, 1, 1)]
    [InlineData("45000", 2023, 3, 15)]
    [InlineData("45000.75", 2023, 3, 15)]
    [InlineData("1", 1900, 1, 1)]
    [InlineData("59", 1900, 2, 28)]
    [InlineData("61", 1900, 3, 1)]
    [InlineData("20230501", 2023, 5, 1)]
    public void TryParse_Should_ReadExcelSerials_When_AskedFor(string text, int year, int month, int day)
    {
        Assert.True(DateForms.TryParse(text, acceptExcelSerial: true, out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("60")]
    [InlineData("2958466")]
    public void TryParse_Should_RefuseExcelSerials_When_OutOfRangeOrTheMissingLeapDay(string text)
    {
        Assert.False(DateForms.TryParse(text, acceptExcelSerial: true, out _));
    }
}
