namespace Detector.Streams.Decoding;

/// <summary>
/// Exact fast paths for the two field shapes nearly every record has: a plain decimal ("-123.45") and an ISO-8601
/// UTC instant ("2025-01-01T00:00:24.682Z"). Each either gives the very result the general .NET parser would give, or
/// declines (returns false) so that the caller runs the general parser: they change speed, never results.
/// </summary>
internal static class FastPaths
{
    /// <summary>Most significant digits taken: 10^15 &lt; 2^53, so the digits are exact as a double.</summary>
    private const int MaxDigits = 15;

    /// <summary>Most fraction digits taken: 10^22 is the largest power of ten exact as a double.</summary>
    private const int MaxFractionDigits = 22;

    /// <summary>10^0 … 10^22, built by multiplying by ten: every step is exact, whatever the platform's Math.Pow does.</summary>
    private static readonly double[] PowersOfTen = BuildPowersOfTen();

    /// <summary>
    /// Parses [-]digits[.digits] with at most 15 significant digits and 22 fraction digits, correctly rounded to float.
    /// The digits m and the power 10^k are exact doubles, so m / 10^k is the correctly rounded double of the decimal
    /// (one IEEE division); rounding that double to float gives the correctly rounded float unless the double lies
    /// exactly halfway between two floats (it cannot cross a halfway point, which is itself a double), and that one
    /// case is declined. Values stay within [1e-22, 1e15], far inside float's normal range.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> utf8, out float value)
    {
        value = 0;
        var i = utf8.Length > 0 && utf8[0] == (byte)'-' ? 1 : 0;
        var negative = i == 1;
        ulong digits = 0;
        int significant = 0, fraction = 0, seen = 0;
        var dot = false;
        for (; i < utf8.Length; i++)
        {
            var d = (uint)(utf8[i] - (byte)'0');
            if (d <= 9)
            {
                seen++;
                if (significant > 0 || d != 0)
                {
                    if (++significant > MaxDigits)
                    {
                        return false;
                    }
                }
                digits = digits * 10 + d;
                if (dot && ++fraction > MaxFractionDigits)
                {
                    return false;
                }
            }
            else if (utf8[i] == (byte)'.' && !dot)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }
        return seen > 0 && TryFromDigits(digits, fraction, negative, out value);
    }

    /// <summary>
    /// The float nearest ±<paramref name="digits"/> / 10^<paramref name="fraction"/>, for digits below 10^15 and at most
    /// 22 fraction digits (the caller's guarantee); declines the one case a double cannot settle (see <see cref="TryParseDecimal"/>).
    /// </summary>
    public static bool TryFromDigits(ulong digits, int fraction, bool negative, out float value)
    {
        var exact = digits / PowersOfTen[fraction];
        if ((BitConverter.DoubleToUInt64Bits(exact) & 0x1FFF_FFFF) == 0x1000_0000)
        {
            value = 0;
            return false; // halfway between two floats: only the full parser knows which way the decimal lies
        }
        var rounded = (float)exact;
        value = negative ? -rounded : rounded;
        return true;
    }

    /// <summary>
    /// Parses yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|±HH:mm) with every part in range; declines any other shape (lower-case
    /// letters, a space for 'T', no zone, leap seconds, more than 7 fraction digits) for the general parser to judge.
    /// </summary>
    public static bool TryParseIsoInstant(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':'
            || !TryDigits(s, 0, 4, out var year) || !TryDigits(s, 5, 2, out var month) || !TryDigits(s, 8, 2, out var day)
            || !TryDigits(s, 11, 2, out var hour) || !TryDigits(s, 14, 2, out var minute) || !TryDigits(s, 17, 2, out var second))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var i = 19;
        long fractionTicks = 0;
        if (s[i] == '.')
        {
            var start = ++i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                i++;
            }
            var count = i - start;
            if (count is 0 or > 7 || !TryDigits(s, start, count, out var f))
            {
                return false;
            }
            fractionTicks = f * (long)PowersOfTen[7 - count];
        }
        TimeSpan offset;
        if (i == s.Length - 1 && s[i] == 'Z')
        {
            offset = TimeSpan.Zero;
        }
        else if (i == s.Length - 6 && s[i] is (byte)'+' or (byte)'-' && s[i + 3] == ':'
            && TryDigits(s, i + 1, 2, out var offsetHours) && TryDigits(s, i + 4, 2, out var offsetMinutes)
            && offsetHours <= 14 && offsetMinutes <= 59 && offsetHours * 60 + offsetMinutes <= 14 * 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        value = new DateTimeOffset(local, offset);
        return true;
    }

    private static double[] BuildPowersOfTen()
    {
        var powers = new double[MaxFractionDigits + 1];
        powers[0] = 1;
        for (var e = 1; e < powers.Length; e++)
        {
            powers[e] = powers[e - 1] * 10;
        }
        return powers;
    }

    private static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }
            value = value * 10 + (int)d;
        }
        return true;
    }
}
