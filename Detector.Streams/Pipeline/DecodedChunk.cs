using System.Buffers;
using Detector.Streams.Decoding;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// A chunk of raw records with each one's decoding: its features (in pooled memory), its info, or why it failed.
/// Made on the thread pool by <see cref="DecodeFlow"/>; the admit step dead-letters the failures, then
/// <see cref="BatcherStage"/> copies the rows into batches and <see cref="Release"/>s the chunk.
/// </summary>
internal sealed class DecodedChunk
{
    private readonly int _featureCount;
    private float[] _features;
    private RecordInfo[] _info;

    /// <summary>Per record, why it failed; null while every record so far decoded.</summary>
    private DecodeError?[]? _errors;

    private DecodedChunk(IReadOnlyList<RawRecord> records, int featureCount)
    {
        Records = records;
        _featureCount = featureCount;
        _features = ArrayPool<float>.Shared.Rent(Math.Max(1, records.Count * featureCount));
        _info = ArrayPool<RecordInfo>.Shared.Rent(Math.Max(1, records.Count));
    }

    /// <summary>The raw records, in source order.</summary>
    public IReadOnlyList<RawRecord> Records { get; }

    /// <summary>Decodes every record of <paramref name="records"/>, in order, with <paramref name="decoder"/>.</summary>
    public static DecodedChunk Decode(IReadOnlyList<RawRecord> records, IRecordDecoder decoder)
    {
        var chunk = new DecodedChunk(records, decoder.FeatureCount);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (!decoder.TryDecode(record.Payload.Span, record.Position, chunk.Features(i), out chunk._info[i], out var error))
            {
                (chunk._errors ??= new DecodeError?[records.Count])[i] = error;
            }
        }
        return chunk;
    }

    /// <summary>Record i's features (valid when it decoded).</summary>
    public Span<float> Features(int i) => _features.AsSpan(i * _featureCount, _featureCount);

    /// <summary>Record i's info (valid when it decoded).</summary>
    public ref readonly RecordInfo Info(int i) => ref _info[i];

    /// <summary>Why record i failed to decode, or null when it decoded.</summary>
    public DecodeError? Error(int i) => _errors?[i];

    /// <summary>Returns the pooled buffers; the chunk must not be used afterwards.</summary>
    public void Release()
    {
        ArrayPool<float>.Shared.Return(_features);
        ArrayPool<RecordInfo>.Shared.Return(_info, clearArray: true); // the info holds strings
        _features = [];
        _info = [];
    }
}
