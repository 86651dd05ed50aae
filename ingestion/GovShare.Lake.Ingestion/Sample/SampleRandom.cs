namespace GovShare.Lake.Ingestion.Sample;

/// <summary>SplitMix64: a tiny, fast generator whose whole state is one number, so that every person,
/// entity or licence gets its own stream derived from (seed, purpose, index) and can be re-derived on
/// demand without keeping anything in memory. A mutable struct: pass it by <c>ref</c>.</summary>
internal struct SampleRandom
{
    private ulong _state;

    private SampleRandom(ulong state) => _state = state;

    /// <summary>The stream of one purpose (a <see cref="Streams"/> constant) for one index.</summary>
    public static SampleRandom For(long seed, ulong stream, long index) =>
        new(Mix(Mix((ulong)seed ^ (stream * 0xD6E8FEB86659FD93UL)) + ((ulong)index * 0x9E3779B97F4A7C15UL)));

    /// <summary>A well-mixed 64-bit hash of a value (the SplitMix64 finaliser).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A hash of (seed, purpose, index) in [0, <paramref name="modulus"/>).</summary>
    public static long Hash(long seed, ulong stream, long index, long modulus) =>
        (long)(For(seed, stream, index).NextUInt64() % (ulong)modulus);

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A number in [0, <paramref name="count"/>).</summary>
    public int Next(int count) => (int)(((NextUInt64() >> 32) * (ulong)count) >> 32);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}

/// <summary>The purposes random streams are drawn for; one constant each, so that adding a draw to one
/// purpose leaves every other stream (and so every other file) unchanged.</summary>
internal static class Streams
{
    public const ulong PersonOrder = 1;
    public const ulong Person = 2;
    public const ulong HouseholdAddress = 3;
    public const ulong ResidenceAddress = 4;
    public const ulong PersonStatus = 5;
    public const ulong DeathReport = 6;
    public const ulong Household = 10;
    public const ulong Marriage = 11;
    public const ulong Insured = 12;
    public const ulong Vital = 13;
    public const ulong MarriageRegistered = 14;
    public const ulong MarriageVariant = 15;
    public const ulong InsuredVariant = 16;
    public const ulong OtherName = 17;
    public const ulong Entity = 20;
    public const ulong EntityOrder = 21;
    public const ulong LegalRep = 22;
    public const ulong EntityRecord = 23;
    public const ulong Taxpayer = 24;
    public const ulong OtherLegalRep = 25;
    public const ulong TaxpayerVariant = 26;
    public const ulong Place = 30;
    public const ulong BusinessLicence = 40;
    public const ulong PractisingCert = 41;
    public const ulong Qualification = 42;
    public const ulong LicenceHolder = 43;
}

/// <summary>Items drawn with fixed relative weights (binary search over cumulative weights).</summary>
internal sealed class Weighted<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    public Weighted(IEnumerable<(T Item, double Weight)> items)
    {
        var list = items.Where(i => i.Weight > 0).ToArray();
        _items = list.Select(i => i.Item).ToArray();
        _cumulative = new double[list.Length];
        var total = 0.0;
        for (var i = 0; i < list.Length; i++)
        {
            total += list[i].Weight;
            _cumulative[i] = total;
        }

        for (var i = 0; i < list.Length; i++)
        {
            _cumulative[i] /= total;
        }
    }

    public IReadOnlyList<T> Items => _items;

    public T Pick(ref SampleRandom random)
    {
        var u = random.NextDouble();
        var index = Array.BinarySearch(_cumulative, u);
        index = index < 0 ? ~index : index + 1;
        return _items[Math.Min(index, _items.Length - 1)];
    }
}
