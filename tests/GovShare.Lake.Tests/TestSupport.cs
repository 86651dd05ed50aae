using GovShare.Lake.Divisions;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Tests;

/// <summary>Runs SQL on a DuckDB connection and returns every row as text (null stays null).</summary>
internal static class DuckRows
{
    public static List<string?[]> Query(DuckDB.NET.Data.DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))
                .ToArray());
        }

        return rows;
    }
}

/// <summary>A clock that always says the same instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}

/// <summary>Builds valid identifiers from their parts, the way a provider's system would.</summary>
internal static class ValidIds
{
    /// <summary>"Today" for every identifier test: 2026-11-22 in China.</summary>
    public static readonly DateTimeOffset Today = new(2026, 11, 22, 10, 0, 0, ChinaTime.Offset);

    public static IdentifierValidator Validator { get; } = new(DivisionRegistry.Embedded, new FixedClock(Today));

    public static string Citizen(string region, DateOnly birthDate, int sequence)
    {
        var body = $"{region}{birthDate:yyyyMMdd}{sequence:D3}";
        return body + CitizenIdNumber.ComputeCheckCharacter(body);
    }

    public static string Uscc(char authority, char type, string division, string orgBody)
    {
        var org = orgBody + OrganisationCode.ComputeCheckCharacter(orgBody);
        var body = $"{authority}{type}{division}{org}";
        return body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);
    }

    public static string Org(string body) => body + OrganisationCode.ComputeCheckCharacter(body);

    public static string Licence(string first14) => first14 + BusinessLicenceNumber.ComputeCheckDigit(first14);

    /// <summary>A random valid resident identity number: a region that held in the birth year
    /// (born 1984 or later, so the birth year decides), a real date, a random sequence.</summary>
    public static string RandomCitizen(Random random)
    {
        var countyCodes = DivisionRegistry.Embedded.All.Where(row => row.Level == DivisionLevel.County).ToArray();
        while (true)
        {
            var birthDate = new DateOnly(1984, 1, 1).AddDays(random.Next(0, 365 * 40));
            var region = countyCodes[random.Next(countyCodes.Length)];
            if (DivisionRegistry.Embedded.Find(region.Code, birthDate.Year) is not null)
            {
                return Citizen(region.Code, birthDate, random.Next(0, 1000));
            }
        }
    }

    public static string RandomUscc(Random random)
    {
        var division = InUseCodes[random.Next(InUseCodes.Length)];
        var orgBody = RandomString(random, "0123456789ABCDEFGHJKLMNPQRTUWXY", 8);
        var authority = UnifiedSocialCreditCode.RegistrationAuthorities[random.Next(UnifiedSocialCreditCode.RegistrationAuthorities.Length)];
        return Uscc(authority, "1239"[random.Next(4)], division, orgBody);
    }

    public static string RandomOrg(Random random) => Org(RandomString(random, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 8));

    public static string RandomLicence(Random random) =>
        Licence(InUseCodes[random.Next(InUseCodes.Length)] + RandomString(random, "0123456789", 8));

    public static string RandomString(Random random, string alphabet, int length) =>
        new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

    private static readonly string[] InUseCodes = DivisionRegistry.Embedded.All
        .Where(row => row.Status == DivisionStatus.InUse).Select(row => row.Code).Distinct().ToArray();
}
