using GovShare.Lake.Quality.Normalisation;

namespace GovShare.Lake.Tests.Quality.Normalisation;

public sealed class AmountsTests
{
    [Theory]
    [InlineData("100万元", "1000000")]
    [InlineData("100 万元", "1000000")]
    [InlineData("1,000,000.00元", "1000000")]
    [InlineData("1000000", "1000000")]
    [InlineData("1.5亿元", "150000000")]
    [InlineData("１００万元", "1000000")]
    [InlineData("￥1,000", "1000")]
    [InlineData("¥ 1,000.50", "1000.50")]
    [InlineData("人民币100万元整", "1000000")]
    [InlineData("100万元人民币", "1000000")]
    [InlineData("RMB 500", "500")]
    [InlineData("3千万", "30000000")]
    [InlineData("2万亿元", "2000000000000")]
    [InlineData("-50元", "-50")]
    [InlineData("0.5万", "5000")]
    public void TryParse_Should_ReadYuan(string text, string expected)
    {
        Assert.True(Amounts.TryParse(text, out var amount));
        Assert.Equal(new Amount(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), "CNY"), amount);
    }

    [Theory]
    [InlineData("100万美元", "1000000", "USD")]
    [InlineData("USD 2.5万", "25000", "USD")]
    [InlineData("US$1,200", "1200", "USD")]
    [InlineData("50万港元", "500000", "HKD")]
    [InlineData("1000 eur", "1000", "EUR")]
    [InlineData("3亿日元", "300000000", "JPY")]
    public void TryParse_Should_KeepTheCurrency_When_TheTextNamesOne(string text, string value, string currency)
    {
        Assert.True(Amounts.TryParse(text, out var amount));
        Assert.Equal(new Amount(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), currency), amount);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1,0000")]
    [InlineData("10,00,000")]
    [InlineData("壹佰万元")]
    [InlineData("about 100")]
    [InlineData("100元5")]
    [InlineData("US$100元")]
    [InlineData("万元")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("99999999999999999999999999999亿")]
    public void TryParse_Should_Refuse_When_NotAnAmount(string? text)
    {
        Assert.False(Amounts.TryParse(text, out _));
    }
}
