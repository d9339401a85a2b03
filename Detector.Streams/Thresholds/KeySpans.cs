using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// Search and one-place shifts over sorted runs of integer keys, written for the per-record path of
/// <see cref="SortedScores"/>: no data-dependent branches (random scores would mispredict half of them) and no call
/// into the runtime's memmove, which takes a slow path for overlapping ranges.
/// </summary>
internal static class KeySpans
{
    /// <summary>Below this many candidates a lower bound stops halving and counts them with vectors.</summary>
    private const int CountBelow = 32;

    /// <summary>
    /// The first index in [0, length) whose key is ≥ <paramref name="key"/>, or length (keys ascending). Halving is
    /// branch-free: (entry − key), widened so it cannot overflow, is negative exactly when entry &lt; key, and its sign
    /// spread by an arithmetic shift selects the half step or nothing. The last ≤ 32 candidates are counted at once
    /// (those below key form a prefix), which replaces five dependent steps with a few independent compares.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LowerBound(ref int first, int length, int key)
    {
        var lo = 0;
        while (length > CountBelow)
        {
            var half = length >> 1;
            lo += half & (int)(((long)Unsafe.Add(ref first, lo + half - 1) - key) >> 63);
            length -= half;
        }
        return lo + CountLess(ref Unsafe.Add(ref first, lo), length, key);
    }

    /// <summary>How many of the <paramref name="length"/> keys from <paramref name="first"/> are below <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CountLess(ref int first, int length, int key)
    {
        var count = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var probe = Vector256.Create(key);
            for (; i + 8 <= length; i += 8)
            {
                var less = Vector256.LessThan(Vector256.LoadUnsafe(ref first, (nuint)i), probe);
                count += BitOperations.PopCount(less.ExtractMostSignificantBits());
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var probe = Vector128.Create(key);
            for (; i + 4 <= length; i += 4)
            {
                var less = Vector128.LessThan(Vector128.LoadUnsafe(ref first, (nuint)i), probe);
                count += BitOperations.PopCount(less.ExtractMostSignificantBits());
            }
        }
        for (; i < length; i++)
        {
            count += (int)((ulong)((long)Unsafe.Add(ref first, i) - key) >> 63);
        }
        return count;
    }

    /// <summary>Moves keys [at, end) one place right, to [at + 1, end + 1); the array must have room.</summary>
    public static void ShiftRight(int[] keys, int at, int end)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)end, (uint)keys.Length, nameof(end));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)at, (uint)end, nameof(at));
        ref var start = ref keys[at];
        var i = end - at;
        // Back to front, a vector at a time: each load is taken before any store lands on it.
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i >= 8; i -= 8)
            {
                Vector256.LoadUnsafe(ref start, (nuint)(i - 8)).StoreUnsafe(ref start, (nuint)(i - 7));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i >= 4; i -= 4)
            {
                Vector128.LoadUnsafe(ref start, (nuint)(i - 4)).StoreUnsafe(ref start, (nuint)(i - 3));
            }
        }
        for (; i > 0; i--)
        {
            Unsafe.Add(ref start, i) = Unsafe.Add(ref start, i - 1);
        }
    }

    /// <summary>Moves keys [at + 1, end) one place left, to [at, end − 1), overwriting the key at <paramref name="at"/>.</summary>
    public static void ShiftLeft(int[] keys, int at, int end)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)end, (uint)keys.Length, nameof(end));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)at, (uint)end, nameof(at));
        ref var start = ref keys[at];
        var length = end - at - 1;
        var i = 0;
        // Front to back: each load is taken before any store lands on it.
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= length; i += 8)
            {
                Vector256.LoadUnsafe(ref start, (nuint)(i + 1)).StoreUnsafe(ref start, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= length; i += 4)
            {
                Vector128.LoadUnsafe(ref start, (nuint)(i + 1)).StoreUnsafe(ref start, (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            Unsafe.Add(ref start, i) = Unsafe.Add(ref start, i + 1);
        }
    }
}
