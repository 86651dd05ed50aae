using System.Collections.Frozen;
using GovShare.Lake.Divisions;
using GovShare.Lake.Identifiers;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>Population status of a synthetic person.</summary>
internal enum LifeStatus
{
    Alive,
    Deceased,
    Emigrated,
}

/// <summary>One synthetic resident, re-derived from the city's seed and the person's index whenever a file needs it.</summary>
internal sealed class Person
{
    public required long Index { get; init; }

    /// <summary>The 18-character resident identity number.</summary>
    public required string Id { get; init; }

    /// <summary>The region code in the identity number: where the number was first issued.</summary>
    public required string RegionCode { get; init; }

    public required DateOnly BirthDate { get; init; }

    public required bool IsMale { get; init; }

    public required string Surname { get; init; }

    public required string GivenName { get; init; }

    public string Name => Surname + GivenName;

    public required string? FormerName { get; init; }

    public required string Ethnicity { get; init; }

    /// <summary>Today's code of the Zhengzhou county the household is registered in.</summary>
    public required string HouseholdDivision { get; init; }

    public required LifeStatus Status { get; init; }

    public required DateOnly? StatusDate { get; init; }

    public required string? Education { get; init; }

    public required string? Phone { get; init; }

    /// <summary>Completed years of age on the city's reference date.</summary>
    public required int Age { get; init; }
}

/// <summary>The city's population: person <i>i</i> of <i>N</i> is derived from (seed, i) alone. Identity
/// numbers are unique by construction: every possible (region, birth date, sequence) triple of the city's
/// birth-year and region mix is one slot of a numbered space whose size follows the age pyramid and the
/// regions' populations, and a keyed permutation gives each person a distinct slot. The same arithmetic
/// run backwards tells, for any identity number, whether it belongs to a person of the city and to whom.</summary>
internal sealed class PersonSpace
{
    public const int FirstBirthYear = 1930;
    private const int MaxSlotsPerDay = 998;
    private static readonly DateOnly FirstDay = new(FirstBirthYear, 1, 1);

    /// <summary>Shares of people whose identity number was issued in Zhengzhou, elsewhere in Henan, and in a
    /// neighbouring province (Hebei, Shanxi, Anhui, Shandong, Hubei, Shaanxi).</summary>
    private const double ZhengzhouShare = 0.65;
    private const double HenanShare = 0.27;
    private const double NeighbourShare = 0.08;
    private static readonly string[] NeighbourProvinces = ["13", "14", "34", "37", "42", "61"];

    private static readonly Weighted<string> Ethnicities = new(
    [
        ("汉族", 98.3), ("回族", 1.2), ("满族", 0.15), ("蒙古族", 0.1), ("壮族", 0.05), ("土家族", 0.05), ("苗族", 0.05),
        ("朝鲜族", 0.03), ("维吾尔族", 0.03), ("彝族", 0.02), ("藏族", 0.02),
    ]);

    private static readonly string[] MobilePrefixes =
    [
        "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
        "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189",
        "191", "198", "199",
    ];

    private readonly long _seed;
    private readonly long[] _dayStart;
    private readonly YearRegions[] _years;
    private readonly IndexPermutation _order;

    public PersonSpace(long seed, long count, DateOnly asOf)
    {
        _seed = seed;
        AsOf = asOf;
        Count = count;
        var registry = DivisionRegistry.Embedded;
        var counties = registry.All.Where(r => r.Level == DivisionLevel.County).Select(r => r.Code).Distinct().ToArray();
        _years = new YearRegions[asOf.Year - FirstBirthYear + 1];
        for (var year = FirstBirthYear; year <= asOf.Year; year++)
        {
            _years[year - FirstBirthYear] = BuildYear(registry, counties, seed, year);
        }

        var days = asOf.DayNumber - FirstDay.DayNumber;
        _dayStart = new long[days + 1];
        for (var d = 0; d < days; d++)
        {
            _dayStart[d + 1] = _dayStart[d] + YearOf(d).Total;
        }

        Capacity = _dayStart[days];
        if (count < 1 || count > Capacity)
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"the synthetic city holds between 1 and {Capacity:N0} persons (unique identity numbers run out beyond that); {count:N0} were asked for.");
        }

        _order = new IndexPermutation((ulong)Capacity, SampleRandom.Mix((ulong)seed ^ Streams.PersonOrder));
    }

    /// <summary>The city's reference date: nobody is born on or after it.</summary>
    public DateOnly AsOf { get; }

    /// <summary>How many persons the city has.</summary>
    public long Count { get; }

    /// <summary>How many distinct identity numbers the city's mix of regions and birth dates allows.</summary>
    public long Capacity { get; }

    /// <summary>Where person <paramref name="index"/> sits in the numbered space: birth date, region code
    /// and sequence number (cheap: no names, no strings beyond the code).</summary>
    public (DateOnly BirthDate, string RegionCode, int Sequence, string? Successor) Locate(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var slot = (long)_order.Forward((ulong)index);
        var day = Array.BinarySearch(_dayStart, slot);
        day = day >= 0 ? day : ~day - 1;
        var year = YearOf(day);
        var offset = (int)(slot - _dayStart[day]);
        var region = Array.BinarySearch(year.Start, offset);
        region = region >= 0 ? region : ~region - 1;
        return (FirstDay.AddDays(day), year.Codes[region], offset - year.Start[region] + 1 + SequenceShift(day, region), year.Successors[region]);
    }

    /// <summary>The person's population status and its date (drawn from its own stream, so that the vital
    /// statistics file can find the deceased without deriving everyone's name).</summary>
    public (LifeStatus Status, DateOnly? Date) StatusOf(long index, DateOnly birthDate)
    {
        var random = SampleRandom.For(_seed, Streams.PersonStatus, index);
        return DrawStatus(ref random, birthDate, AgeOn(birthDate, AsOf));
    }

    public Person Derive(long index)
    {
        var (birthDate, regionCode, sequence, successor) = Locate(index);
        var isMale = sequence % 2 == 1;

        var random = SampleRandom.For(_seed, Streams.Person, index);
        var surname = ChineseNames.Surnames.Pick(ref random);
        var givenName = ChineseNames.GivenName(ref random, isMale);
        string? formerName = null;
        if (random.Chance(0.025))
        {
            var other = ChineseNames.GivenName(ref random, isMale);
            formerName = other == givenName ? null : surname + other;
        }

        var ethnicity = Ethnicities.Pick(ref random);
        var household = successor is not null && random.Chance(0.8)
            ? successor
            : Zhengzhou.ByPopulation.Pick(ref random).Code;
        var age = AgeOn(birthDate, AsOf);
        var (status, statusDate) = StatusOf(index, birthDate);
        var education = DrawEducation(ref random, birthDate.Year, age);
        string? phone = null;
        if (age >= 12)
        {
            phone = random.Pick(MobilePrefixes) + random.Next(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
        }

        return new Person
        {
            Index = index,
            Id = BuildId(regionCode, birthDate, sequence),
            RegionCode = regionCode,
            BirthDate = birthDate,
            IsMale = isMale,
            Surname = surname,
            GivenName = givenName,
            FormerName = formerName,
            Ethnicity = ethnicity,
            HouseholdDivision = household,
            Status = status,
            StatusDate = statusDate,
            Education = education,
            Phone = phone,
            Age = age,
        };
    }

    /// <summary>The index of the person holding this identity number, or -1 when it is nobody's in this city.</summary>
    public long IndexOf(string id)
    {
        if (id.Length != 18 || !DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var birthDate))
        {
            return -1;
        }

        var day = birthDate.DayNumber - FirstDay.DayNumber;
        if (day < 0 || day >= _dayStart.Length - 1
            || !int.TryParse(id.AsSpan(14, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
        {
            return -1;
        }

        var year = YearOf(day);
        if (!year.IndexOf.TryGetValue(id[..6], out var region))
        {
            return -1;
        }

        var position = sequence - 1 - SequenceShift(day, region);
        if (position < 0 || position >= year.Start[region + 1] - year.Start[region])
        {
            return -1;
        }

        var slot = _dayStart[day] + year.Start[region] + position;
        var index = (long)_order.Inverse((ulong)slot);
        return index < Count && Derive(index).Id == id ? index : -1;
    }

    /// <summary>The address where the person's household is registered.</summary>
    public Address HouseholdAddress(Person person)
    {
        var random = SampleRandom.For(_seed, Streams.HouseholdAddress, person.Index);
        return Zhengzhou.NewAddress(Zhengzhou.ByCode[person.HouseholdDivision], ref random);
    }

    /// <summary>Where the person lives: the household address for about two thirds, another address otherwise.</summary>
    public Address ResidenceAddress(Person person)
    {
        var random = SampleRandom.For(_seed, Streams.ResidenceAddress, person.Index);
        if (random.Chance(0.65))
        {
            return HouseholdAddress(person);
        }

        var county = random.Chance(0.5) ? Zhengzhou.ByCode[person.HouseholdDivision] : Zhengzhou.ByPopulation.Pick(ref random);
        return Zhengzhou.NewAddress(county, ref random);
    }

    public static int AgeOn(DateOnly birthDate, DateOnly day)
    {
        var age = day.Year - birthDate.Year;
        return birthDate.AddYears(age) > day ? age - 1 : age;
    }

    public static string BuildId(string region, DateOnly birthDate, int sequence) =>
        string.Create(18, (region, birthDate, sequence), static (span, parts) =>
        {
            parts.region.AsSpan().CopyTo(span);
            parts.birthDate.TryFormat(span[6..], out _, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
            parts.sequence.TryFormat(span[14..], out _, "D3", System.Globalization.CultureInfo.InvariantCulture);
            span[17] = CitizenIdNumber.ComputeCheckCharacter(span[..17]);
        });

    /// <summary>Relative size of a birth cohort still alive: China's age pyramid (the famine dip around 1960,
    /// the booms of the 1960s and late 1980s, the falling births since 2017), thinned by mortality at the top.</summary>
    internal static double YearWeight(int year)
    {
        ReadOnlySpan<(int Year, double Weight)> points =
        [
            (1930, 0.04), (1935, 0.08), (1940, 0.15), (1945, 0.25), (1950, 0.45), (1955, 0.60), (1959, 0.55),
            (1961, 0.42), (1963, 0.95), (1968, 1.00), (1972, 0.92), (1977, 0.72), (1982, 0.80), (1987, 0.98),
            (1990, 0.95), (1995, 0.72), (2000, 0.62), (2005, 0.60), (2010, 0.62), (2014, 0.66), (2016, 0.70),
            (2017, 0.68), (2019, 0.55), (2021, 0.42), (2023, 0.36), (2026, 0.33),
        ];
        if (year <= points[0].Year)
        {
            return points[0].Weight;
        }

        for (var i = 1; i < points.Length; i++)
        {
            if (year <= points[i].Year)
            {
                var (y0, w0) = points[i - 1];
                var (y1, w1) = points[i];
                return w0 + ((w1 - w0) * (year - y0) / (y1 - y0));
            }
        }

        return points[^1].Weight;
    }

    /// <summary>Sequence numbers of a (day, region) cell start at 1 or 2, so that the sexes (odd sequence =
    /// male) stay balanced in cells of only a few slots.</summary>
    private int SequenceShift(int day, int region) =>
        (int)(SampleRandom.Mix((ulong)_seed ^ ((ulong)day << 24) ^ (ulong)region) & 1);

    private YearRegions YearOf(int day) => _years[FirstDay.AddDays(day).Year - FirstBirthYear];

    /// <summary>The regions whose codes a person born in <paramref name="year"/> can carry (codes that held
    /// in that year, or in 1984 for people born before numbers were issued), with a slot count each.</summary>
    private static YearRegions BuildYear(DivisionRegistry registry, string[] counties, long seed, int year)
    {
        var codeYear = Math.Max(year, IdentifierValidator.FirstIssueYear);
        var zhengzhou = new List<(string Code, double Weight)>();
        var henan = new List<string>();
        var neighbours = new List<string>();
        foreach (var code in counties)
        {
            if (registry.Find(code, codeYear) is not { Level: DivisionLevel.County })
            {
                continue;
            }

            if (code.StartsWith("4101", StringComparison.Ordinal))
            {
                var weight = Zhengzhou.ByCode.TryGetValue(code, out var county) ? county.Weight : Zhengzhou.HistoricalWeights.GetValueOrDefault(code);
                if (weight > 0)
                {
                    zhengzhou.Add((code, weight));
                }
            }
            else if (code.StartsWith("41", StringComparison.Ordinal))
            {
                henan.Add(code);
            }
            else if (NeighbourProvinces.Contains(code[..2]))
            {
                neighbours.Add(code);
            }
        }

        var zhengzhouTotal = zhengzhou.Sum(z => z.Weight);
        var henanEach = HenanShare / ZhengzhouShare * zhengzhouTotal / Math.Max(1, henan.Count);
        var neighbourEach = NeighbourShare / ZhengzhouShare * zhengzhouTotal / Math.Max(1, neighbours.Count);
        var yearWeight = YearWeight(year);
        var codes = new List<string>();
        var widths = new List<int>();
        var successors = new List<string?>();
        void Add(string code, double weight)
        {
            // Stochastic rounding keeps small regions' expected share right without giving each a full slot.
            var exact = MaxSlotsPerDay * weight * yearWeight;
            var jitter = SampleRandom.For(seed, Streams.PersonOrder, (year * 1_000_000L) + long.Parse(code, System.Globalization.CultureInfo.InvariantCulture)).NextDouble();
            var width = (int)Math.Min(MaxSlotsPerDay, Math.Floor(exact + jitter));
            if (width <= 0)
            {
                return;
            }

            codes.Add(code);
            widths.Add(width);
            successors.Add(code.StartsWith("4101", StringComparison.Ordinal) ? CurrentZhengzhouCode(registry, code) : null);
        }

        foreach (var (code, weight) in zhengzhou)
        {
            Add(code, weight);
        }

        foreach (var code in henan)
        {
            Add(code, henanEach);
        }

        foreach (var code in neighbours)
        {
            Add(code, neighbourEach);
        }

        var start = new int[codes.Count + 1];
        for (var i = 0; i < codes.Count; i++)
        {
            start[i + 1] = start[i] + widths[i];
        }

        return new YearRegions(
            [.. codes], start, [.. successors],
            codes.Select((code, i) => (code, i)).ToFrozenDictionary(p => p.code, p => p.i, StringComparer.Ordinal));
    }

    private static string? CurrentZhengzhouCode(DivisionRegistry registry, string code) =>
        registry.CurrentSuccessors(code).FirstOrDefault(Zhengzhou.ByCode.ContainsKey);

    private (LifeStatus Status, DateOnly? Date) DrawStatus(ref SampleRandom random, DateOnly birthDate, int age)
    {
        var mortality = age switch
        {
            < 1 => 0.004,
            < 40 => 0.0008,
            < 50 => 0.002,
            < 60 => 0.005,
            < 70 => 0.012,
            < 80 => 0.03,
            < 90 => 0.08,
            _ => 0.18,
        };
        if (random.Chance(mortality))
        {
            var date = AsOf.AddDays(-1 - random.Next(365));
            return (LifeStatus.Deceased, date < birthDate ? birthDate : date);
        }

        if (age >= 18 && random.Chance(0.0015))
        {
            var date = AsOf.AddDays(-1 - random.Next(5 * 365));
            return (LifeStatus.Emigrated, date < birthDate ? birthDate : date);
        }

        return (LifeStatus.Alive, null);
    }

    private static string? DrawEducation(ref SampleRandom random, int birthYear, int age)
    {
        if (age < 6)
        {
            return null;
        }

        if (age < 19)
        {
            return age < 12 ? "小学" : age < 15 ? "初中" : "高中";
        }

        var u = random.NextDouble();
        string[] levels = ["研究生", "大学本科", "大学专科", "中等专科", "高中", "初中", "小学", "文盲或半文盲"];
        double[] shares = birthYear >= 1985
            ? [0.08, 0.30, 0.22, 0.08, 0.17, 0.13, 0.02, 0.0]
            : birthYear >= 1965
                ? [0.03, 0.15, 0.15, 0.10, 0.22, 0.28, 0.07, 0.0]
                : [0.005, 0.05, 0.05, 0.05, 0.15, 0.30, 0.30, 0.095];
        for (var i = 0; i < levels.Length; i++)
        {
            u -= shares[i];
            if (u < 0)
            {
                return levels[i];
            }
        }

        return levels[^1];
    }

    /// <summary>The regions of one birth year: codes, cumulative slot starts (one more than codes), the code
    /// in use today for Zhengzhou codes, and the position of each code.</summary>
    private sealed record YearRegions(string[] Codes, int[] Start, string?[] Successors, FrozenDictionary<string, int> IndexOf)
    {
        public int Total => Start[^1];
    }
}
