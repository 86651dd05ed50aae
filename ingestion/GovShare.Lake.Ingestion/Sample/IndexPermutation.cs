namespace GovShare.Lake.Ingestion.Sample;

/// <summary>A keyed pseudo-random permutation of [0, size): a four-round Feistel network over the
/// smallest even number of bits that covers the size, with cycle walking to stay inside it. Both
/// directions cost a few hashes, so the generator can map a person's index to a unique slot among all
/// possible identity numbers and, for a given number, find whose it is, without any table.</summary>
internal sealed class IndexPermutation
{
    private const int Rounds = 4;
    private readonly ulong _size;
    private readonly int _halfBits;
    private readonly ulong _halfMask;
    private readonly ulong[] _keys = new ulong[Rounds];

    public IndexPermutation(ulong size, ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfZero(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1UL << 62);
        var bits = 2;
        while (bits < 62 && (1UL << bits) < size)
        {
            bits += 2;
        }

        _size = size;
        _halfBits = bits / 2;
        _halfMask = (1UL << _halfBits) - 1;
        for (var r = 0; r < Rounds; r++)
        {
            _keys[r] = SampleRandom.Mix(key + (ulong)r * 0x9E3779B97F4A7C15UL);
        }
    }

    public ulong Size => _size;

    public ulong Forward(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, _size);
        do
        {
            value = Encrypt(value);
        }
        while (value >= _size);
        return value;
    }

    public ulong Inverse(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, _size);
        do
        {
            value = Decrypt(value);
        }
        while (value >= _size);
        return value;
    }

    private ulong Encrypt(ulong value)
    {
        var left = value >> _halfBits;
        var right = value & _halfMask;
        for (var r = 0; r < Rounds; r++)
        {
            (left, right) = (right, left ^ (SampleRandom.Mix(right ^ _keys[r]) & _halfMask));
        }

        return (left << _halfBits) | right;
    }

    private ulong Decrypt(ulong value)
    {
        var left = value >> _halfBits;
        var right = value & _halfMask;
        for (var r = Rounds - 1; r >= 0; r--)
        {
            (left, right) = (right ^ (SampleRandom.Mix(left ^ _keys[r]) & _halfMask), left);
        }

        return (left << _halfBits) | right;
    }
}
