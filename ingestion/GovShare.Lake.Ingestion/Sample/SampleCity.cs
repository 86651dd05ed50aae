using System.Globalization;
using GovShare.Lake.Divisions;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>What happens to one row of a delivery.</summary>
internal enum RowFate
{
    Normal,
    Duplicate,
    InvalidIdentifier,
    InvalidDate,
    ImplausibleDate,
    MissingRequired,
    InvalidEnum,
}

/// <summary>The probabilities of each deliberate error in one file (each well under 1 %; together about
/// 0.5–1 % of rows, far from the 5 % at which a delivery is refused). Zero where the file cannot have it.</summary>
internal sealed record FateRates(
    double Duplicate = 0, double InvalidIdentifier = 0, double InvalidDate = 0, double ImplausibleDate = 0,
    double MissingRequired = 0, double InvalidEnum = 0)
{
    public RowFate Draw(ref SampleRandom random)
    {
        var u = random.NextDouble();
        if ((u -= Duplicate) < 0)
        {
            return RowFate.Duplicate;
        }

        if ((u -= InvalidIdentifier) < 0)
        {
            return RowFate.InvalidIdentifier;
        }

        if ((u -= InvalidDate) < 0)
        {
            return RowFate.InvalidDate;
        }

        if ((u -= ImplausibleDate) < 0)
        {
            return RowFate.ImplausibleDate;
        }

        if ((u -= MissingRequired) < 0)
        {
            return RowFate.MissingRequired;
        }

        return u - InvalidEnum < 0 ? RowFate.InvalidEnum : RowFate.Normal;
    }
}

/// <summary>The synthetic city: its population and entities, and the decisions several files must agree on
/// (which household rows are broken, which deaths the police have not recorded yet).</summary>
internal sealed class SampleCity
{
    public static readonly FateRates HouseholdRates = new(Duplicate: 0.0015, InvalidIdentifier: 0.002, InvalidDate: 0.001,
        ImplausibleDate: 0.0005, MissingRequired: 0.001, InvalidEnum: 0.0008);

    public static readonly FateRates EntityRates = new(Duplicate: 0.0015, InvalidIdentifier: 0.0025, InvalidDate: 0.001,
        MissingRequired: 0.001, InvalidEnum: 0.001);

    /// <summary>Six-digit codes that never were divisions: the "impossible region" of a broken identity number.</summary>
    private static readonly string[] ImpossibleRegions = new[] { "410199", "410177", "419900", "410166", "410190", "419999", "410000" }
        .Where(code => !DivisionRegistry.Embedded.Exists(code)).ToArray();

    public SampleCity(long seed, DateOnly asOf, long persons, long entities, long licences, long places)
    {
        Seed = seed;
        AsOf = asOf;
        Persons = new PersonSpace(seed, persons, asOf);
        Entities = new EntitySpace(seed, entities, Persons);
        LicenceCount = licences;
        PlaceCount = places;
    }

    public long Seed { get; }

    public DateOnly AsOf { get; }

    public PersonSpace Persons { get; }

    public EntitySpace Entities { get; }

    public long LicenceCount { get; }

    public long PlaceCount { get; }

    /// <summary>The fate of person <paramref name="index"/>'s row in the household register (the first draw of
    /// the register's stream, so other files can ask without writing it).</summary>
    public RowFate HouseholdFate(long index)
    {
        var random = SampleRandom.For(Seed, Streams.Household, index);
        return HouseholdRates.Draw(ref random);
    }

    /// <summary>The fate of entity <paramref name="index"/>'s row in the market register.</summary>
    public RowFate EntityFate(long index)
    {
        var random = SampleRandom.For(Seed, Streams.EntityRecord, index);
        return EntityRates.Draw(ref random);
    }

    /// <summary>A death the hospital reported but the household register still shows as alive (about 5 %).</summary>
    public bool DeathUnreported(Person person) =>
        person.Status == LifeStatus.Deceased && SampleRandom.For(Seed, Streams.DeathReport, person.Index).Chance(0.05);

    /// <summary>An identity number that fails validation: a wrong check character (most) or a region code that
    /// never existed, with the check character recomputed so that the region is the only fault.</summary>
    public static string BrokenCitizenId(string id, ref SampleRandom random, HashSet<string> used)
    {
        if (random.Chance(0.3) && ImpossibleRegions.Length > 0)
        {
            var body = random.Pick(ImpossibleRegions) + id[6..17];
            var candidate = body + CitizenIdNumber.ComputeCheckCharacter(body);
            if (used.Add(candidate))
            {
                return candidate;
            }
        }

        const string Checks = "0123456789X";
        var wrong = Checks[(Checks.IndexOf(id[17], StringComparison.Ordinal) + 1 + random.Next(10)) % 11];
        var broken = id[..17] + wrong;
        used.Add(broken);
        return broken;
    }

    /// <summary>The identity number with one digit of the sequence mistyped and the check character
    /// recomputed, so that it passes validation: the hard case of a record filed under someone else's key.
    /// Null when every such typo would hit a real person or another typo.</summary>
    public string? TypoCitizenId(string id, ref SampleRandom random, HashSet<string> used)
    {
        var start = random.Next(20);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var choice = (start + attempt) % 20;
            var position = 14 + (choice / 10);
            var digit = (char)('0' + (choice % 10));
            if (id[position] == digit)
            {
                continue;
            }

            var body = string.Concat(id.AsSpan(0, position), digit.ToString(), id.AsSpan(position + 1, 16 - position));
            var typo = body + CitizenIdNumber.ComputeCheckCharacter(body);
            if (Persons.IndexOf(typo) < 0 && used.Add(typo))
            {
                return typo;
            }
        }

        return null;
    }

    /// <summary>A credit code with a wrong check character.</summary>
    public static string BrokenUscc(string uscc, ref SampleRandom random)
    {
        var alphabet = UnifiedSocialCreditCode.Alphabet;
        var wrong = alphabet[(alphabet.IndexOf(uscc[17], StringComparison.Ordinal) + 1 + random.Next(alphabet.Length - 1)) % alphabet.Length];
        return uscc[..17] + wrong;
    }

    /// <summary>A date that does not exist (30 February, 31 April, month 13) in the given pattern.</summary>
    public static string ImpossibleDate(DateOnly near, string pattern, ref SampleRandom random)
    {
        var (month, day) = random.Next(4) switch
        {
            0 => (2, 30),
            1 => (4, 31),
            2 => (2, 29 + (near.Year % 4 == 0 ? 1 : 0)),
            _ => (13, near.Day),
        };
        var year = near.Year.ToString("D4", CultureInfo.InvariantCulture);
        var mm = month.ToString("D2", CultureInfo.InvariantCulture);
        var dd = day.ToString("D2", CultureInfo.InvariantCulture);
        return pattern == "yyyyMMdd" ? year + mm + dd : $"{year}-{mm}-{dd}";
    }

    /// <summary>A birth date one month to four years after the city's reference date.</summary>
    public DateOnly FutureDate(ref SampleRandom random) => AsOf.AddDays(30 + random.Next(4 * 365));

    /// <summary>A different but plausible birth date: the lunar-calendar birthday written instead of the
    /// solar one, a slip of a day or two, or the year mistyped; never on or after the reference date.</summary>
    public DateOnly OtherBirthDate(DateOnly birthDate, ref SampleRandom random)
    {
        var other = random.Next(3) switch
        {
            0 => birthDate.AddDays(-(20 + random.Next(31))),
            1 => birthDate.AddDays(random.Chance(0.5) ? 1 + random.Next(3) : -1 - random.Next(3)),
            _ => birthDate.AddYears(random.Chance(0.5) ? 1 : -1),
        };
        return other >= AsOf || other == birthDate ? birthDate.AddDays(-1 - random.Next(60)) : other;
    }

    /// <summary>Another person's name, as a clerk who typed the record next in the pile writes it: a person of the city
    /// drawn from the person's own hash (a few tries, in case the first has the same name); null when every try has it.</summary>
    public string? OtherName(Person person)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var other = Persons.Derive(SampleRandom.Hash(Seed, Streams.OtherName, (person.Index * 4) + attempt, Persons.Count));
            if (other.Name != person.Name)
            {
                return other.Name;
            }
        }

        return null;
    }

    /// <summary>The birth date with two adjacent digits of its yyyyMMdd form swapped (19850312 → 19850321, 1985 →
    /// 1958), picked among the swaps that give a real date from 1900 on and before the reference date; null when none
    /// does. A typing slip to look at, but the date is wrong all the same.</summary>
    public DateOnly? DigitsSwapped(DateOnly birthDate, ref SampleRandom random)
    {
        var digits = Compact(birthDate);
        Span<DateOnly> swaps = stackalloc DateOnly[7];
        var count = 0;
        for (var i = 0; i < 7; i++)
        {
            if (digits[i] == digits[i + 1])
            {
                continue;
            }

            var swapped = string.Concat(digits.AsSpan(0, i), digits.AsSpan(i + 1, 1), digits.AsSpan(i, 1), digits.AsSpan(i + 2));
            if (DateOnly.TryParseExact(swapped, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                && date.Year >= 1900 && date < AsOf)
            {
                swaps[count++] = date;
            }
        }

        return count == 0 ? null : swaps[random.Next(count)];
    }

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Compact(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
