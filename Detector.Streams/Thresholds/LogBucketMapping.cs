namespace Detector.Streams.Thresholds;

/// <summary>
/// The DDSketch logarithmic bucket mapping over every float, as positions ordered like the values they hold. With
/// γ = (1 + a)/(1 − a), a magnitude m ≥ <see cref="MinMagnitude"/> falls in bucket i = ⌈log_γ m⌉, which holds
/// (γ^(i−1), γ^i], and the bucket's representative is r = 2γ^i/(γ + 1): for every m in the bucket,
/// r/m ∈ [2/(γ + 1), 2γ/(γ + 1)] = [1 − a, 1 + a], so |r − m| ≤ a·m. Negative scores take the mirrored buckets, a
/// magnitude below <see cref="MinMagnitude"/> the zero bucket (representative 0) and ±∞ a bucket each at the ends.
/// <para>
/// Positions, ascending: 0 holds −∞; 1 … M the negative buckets from the largest magnitude down; M + 1 the zero bucket;
/// M + 2 … 2M + 1 the positive buckets from the smallest magnitude up; 2M + 2 holds +∞. M = ⌈log_γ float.MaxValue⌉ −
/// ⌈log_γ MinMagnitude⌉ + 1, about 116.4 / (2a), so a = 0.001 gives some 117,000 positions.
/// </para>
/// <para>
/// The mapping works with a = <see cref="RelativeError"/>·(1 − 1/256), not the stated error itself: the margin of
/// RelativeError/256 absorbs rounding the representative to a float (at most 2⁻²⁴ relative) and the rounding of the
/// logarithm that can put a score a hair across a bucket boundary (about 1e-14 relative), so the stated bound holds
/// for the float that is returned. The representative of the top bucket is clamped to float.MaxValue, which only
/// brings it nearer the scores it holds.
/// </para>
/// </summary>
internal sealed class LogBucketMapping
{
    /// <summary>Magnitudes below this share the zero bucket; the relative bound holds from here up.</summary>
    public const double MinMagnitude = 1e-12;

    /// <summary>ln γ of the working mapping.</summary>
    private readonly double _lnGamma;

    /// <summary>1 / ln γ, so a bucket costs one logarithm and one multiplication.</summary>
    private readonly double _inverseLnGamma;

    /// <summary>2 / (γ + 1): a bucket's upper bound γ^i times this is its representative.</summary>
    private readonly double _representativeFactor;

    /// <summary>The bucket index i of <see cref="MinMagnitude"/>, the lowest non-zero bucket.</summary>
    private readonly int _minIndex;

    /// <summary>The bucket index i of float.MaxValue, the highest finite bucket.</summary>
    private readonly int _maxIndex;

    /// <summary>The zero bucket's position, M + 1.</summary>
    private readonly int _zero;

    /// <summary>A mapping whose representatives are within <paramref name="relativeError"/> of every score ≥ <see cref="MinMagnitude"/> they stand for.</summary>
    public LogBucketMapping(double relativeError)
    {
        if (!(relativeError >= SketchPercentile.MinRelativeError && relativeError <= SketchPercentile.MaxRelativeError))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeError), relativeError,
                $"relativeError must be in [{SketchPercentile.MinRelativeError}, {SketchPercentile.MaxRelativeError}]");
        }
        RelativeError = relativeError;
        var a = relativeError * (1 - 1.0 / 256);
        var gamma = (1 + a) / (1 - a);
        _lnGamma = Math.Log(gamma);
        _inverseLnGamma = 1 / _lnGamma;
        _representativeFactor = 2 / (gamma + 1);
        _minIndex = (int)Math.Ceiling(Math.Log(MinMagnitude) * _inverseLnGamma);
        _maxIndex = (int)Math.Ceiling(Math.Log(float.MaxValue) * _inverseLnGamma);
        _zero = _maxIndex - _minIndex + 2;
        Positions = 2 * _zero + 1;
    }

    /// <summary>The stated relative error.</summary>
    public double RelativeError { get; }

    /// <summary>Positions in all, 2M + 3.</summary>
    public int Positions { get; }

    /// <summary>The position of <paramref name="score"/>'s bucket (the score is never NaN).</summary>
    public int Position(float score)
    {
        double magnitude = Math.Abs(score);
        if (magnitude < MinMagnitude)
        {
            return _zero;
        }
        if (magnitude > float.MaxValue)
        {
            return score > 0 ? Positions - 1 : 0;
        }
        // Rounding can only move a score lying within about 1e-14 of a boundary, and the clamp only such scores at the
        // two ends: either way into a neighbouring bucket, whose representative is still within the margin.
        var index = Math.Clamp((int)Math.Ceiling(Math.Log(magnitude) * _inverseLnGamma), _minIndex, _maxIndex);
        var offset = index - _minIndex + 1;
        return score > 0 ? _zero + offset : _zero - offset;
    }

    /// <summary>The value returned for every score in the bucket at <paramref name="position"/>.</summary>
    public float Representative(int position)
    {
        if (position == _zero)
        {
            return 0f;
        }
        if (position == 0 || position == Positions - 1)
        {
            return position == 0 ? float.NegativeInfinity : float.PositiveInfinity;
        }
        var offset = position - _zero;
        var index = Math.Abs(offset) - 1 + _minIndex;
        var magnitude = (float)Math.Min(Math.Exp(index * _lnGamma) * _representativeFactor, float.MaxValue);
        return offset > 0 ? magnitude : -magnitude;
    }
}
