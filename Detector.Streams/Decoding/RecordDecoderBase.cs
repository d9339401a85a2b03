using System.Buffers;
using System.Text.Unicode;
using Detector.Streams.Records;

namespace Detector.Streams.Decoding;

/// <summary>
/// What every decoder does around its format: the size and UTF-8 checks, assembling the features and metadata, and the
/// scratch for unescaping (on the stack, or rented when a value is longer). Subclasses parse the format in <see cref="TryRead"/>.
/// </summary>
public abstract class RecordDecoderBase : IRecordDecoder
{
    /// <summary>Stack scratch for unescaped values; longer ones rent from the shared pool.</summary>
    private protected const int ScratchBytes = 256;

    private protected RecordDecoderBase(SchemaLayout layout)
    {
        Layout = layout;
    }

    /// <summary>The schema's fields, resolved.</summary>
    private protected SchemaLayout Layout { get; }

    /// <inheritdoc />
    public int FeatureCount => Layout.FeatureCount;

    /// <summary>True: a decoder keeps no state between records (its scratch is per call).</summary>
    public bool IsThreadSafe => true;

    /// <inheritdoc />
    public bool TryDecode(ReadOnlySpan<byte> payload, SourcePosition position, Span<float> features, out RecordInfo info, out DecodeError error)
    {
        if (features.Length < FeatureCount)
        {
            throw new ArgumentException($"The feature buffer holds {features.Length} values; the schema has {FeatureCount}", nameof(features));
        }
        info = default;
        if (payload.Length > Layout.MaxRecordBytes)
        {
            error = DecodeDetail.Oversized(payload.Length, Layout.MaxRecordBytes);
            return false;
        }
        if (!Utf8.IsValid(payload))
        {
            error = DecodeDetail.InvalidUtf8(payload);
            return false;
        }
        var record = new RecordAssembler(Layout, features[..FeatureCount]);
        byte[]? rented = null;
        try
        {
            if (!TryRead(payload, ref record, stackalloc byte[ScratchBytes], ref rented, out error))
            {
                return false;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        return record.TryFinish(position, out info, out error);
    }

    /// <summary>Parses the format, feeding every field to record; false with the error on the first problem.</summary>
    private protected abstract bool TryRead(ReadOnlySpan<byte> payload, ref RecordAssembler record, scoped Span<byte> scratch,
        scoped ref byte[]? rented, out DecodeError error);
}
