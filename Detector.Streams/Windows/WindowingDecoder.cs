using Detector.Streams.Decoding;
using Detector.Streams.Records;

namespace Detector.Streams.Windows;

/// <summary>
/// The windowing transform as a decoder: it decodes each record's S sensors with an inner decoder, appends them to the
/// record's entity window (<see cref="SlidingWindowAssembler"/>), and yields the window's T·S values as the record's
/// features. Scoring, thresholds, alerts and training then see ordinary rows, one per record, so windowed models use
/// the one pipeline. A record the inner decoder rejects is rejected with the same reason and leaves the window as it
/// was. Stateful and not thread-safe (<see cref="IRecordDecoder.IsThreadSafe"/> is false): the pipeline decodes its records on one worker, in source order.
/// </summary>
public sealed class WindowingDecoder : IRecordDecoder
{
    private readonly IRecordDecoder _inner;
    private readonly float[] _row;

    /// <summary>Wraps a decoder of S sensors into one of windows of steps × S.</summary>
    public WindowingDecoder(IRecordDecoder inner, int steps, int maxEntities = 100_000)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        Assembler = new SlidingWindowAssembler(steps, inner.FeatureCount, maxEntities);
        _row = new float[inner.FeatureCount];
    }

    /// <summary>The per-entity windows.</summary>
    public SlidingWindowAssembler Assembler { get; }

    /// <inheritdoc />
    public int FeatureCount => Assembler.WindowSize;

    /// <inheritdoc />
    public bool TryDecode(ReadOnlySpan<byte> payload, SourcePosition position, Span<float> features, out RecordInfo info, out DecodeError error)
    {
        if (features.Length < FeatureCount)
        {
            throw new ArgumentException($"The feature buffer holds {features.Length} values; the window has {FeatureCount}", nameof(features));
        }
        if (!_inner.TryDecode(payload, position, _row, out info, out error))
        {
            return false;
        }
        Assembler.Push(info.EntityKey, _row, features);
        return true;
    }
}
