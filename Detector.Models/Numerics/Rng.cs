using System.Numerics;
using System.Runtime.InteropServices;

namespace Detector.Models.Numerics;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, reproducible across runs and platforms for a given seed, which is what
/// bit-for-bit reproducible training needs (System.Random makes no such promise). A mutable struct: pass by ref.
/// </summary>
public struct Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>Seeds the four state words from <paramref name="seed"/> with SplitMix64.</summary>
    public Rng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
        _spare = 0;
        _hasSpare = false;
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((NextUInt64() >> 33) % (ulong)n);

    /// <summary>Standard normal by the polar Box–Muller method (pairs cached).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Fills with standard normal samples.</summary>
    public void FillGaussian<T>(Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] = T.CreateTruncating(NextGaussian());
        }
    }

    /// <summary>Fisher–Yates shuffle.</summary>
    public void Shuffle(Span<int> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// A seed drawn from the bits of <paramref name="values"/> and <paramref name="salt"/> (SplitMix64 over each 8-byte
    /// word): the same values always give the same seed, so noise seeded by a record's own content is the same whatever
    /// batch, position or scorer the record meets.
    /// </summary>
    public static ulong SeedFrom<T>(ReadOnlySpan<T> values, ulong salt) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        var h = salt;
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            h ^= MemoryMarshal.Read<ulong>(bytes[i..]);
            h = SplitMix(ref h);
        }
        for (; i < bytes.Length; i++)
        {
            h ^= bytes[i];
            h = SplitMix(ref h);
        }
        return h;
    }
}
