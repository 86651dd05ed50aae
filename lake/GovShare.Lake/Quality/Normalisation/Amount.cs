namespace GovShare.Lake.Quality.Normalisation;

/// <summary>A sum of money in units of its currency (yuan, dollars), not in ten-thousands.</summary>
/// <param name="Value">The sum: <c>100万元</c> is 1 000 000.</param>
/// <param name="Currency">The ISO 4217 code: <see cref="Yuan"/> unless the text named another currency.</param>
public sealed record Amount(decimal Value, string Currency)
{
    /// <summary>Renminbi, the currency of an amount that names none.</summary>
    public const string Yuan = "CNY";
}
