using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;

namespace Detector.Tests.Actors;

/// <summary>Card records, their decoder and schema, and small models trained on them, for the actor and stream tests.</summary>
internal static class PipelineFixture
{
    /// <summary>Options with a small warm-up, no retraining, and the given number of model actors.</summary>
    public static PipelineOptions Options(int modelActors = 1) => new()
    {
        ModelActors = modelActors,
        Devices = ["cpu"],
        BatchMaxRows = 50,
        Thresholds = new ThresholdOptions { Percentile = 95, WindowSize = 2_000, WarmUp = 200, SuppressionGap = TimeSpan.Zero },
        Retraining = new RetrainingOptions { WarmUpRows = 500, EveryRows = 0, Training = new TrainingOptions { Epochs = 1, Threads = 1 } },
    };

    /// <summary>Seeded card records, with the decoder and schema for them.</summary>
    public static (IRecordDecoder Decoder, FeatureSchema Schema, List<byte[]> Payloads) Cards(int records, ulong seed = 21)
    {
        var generator = RecordGenerators.Create("cards", seed);
        var payloads = Enumerable.Range(0, records).Select(_ => generator.Next().Payload).ToList();
        return (RecordDecoder.Create(generator.Schema), new FeatureSchema(generator.Schema.Features.Select(f => f.Name)), payloads);
    }

    /// <summary>A model trained for <paramref name="epochs"/> on the first 500 of the payloads.</summary>
    public static ModelSnapshot Model(IRecordDecoder decoder, FeatureSchema schema, IReadOnlyList<byte[]> payloads, int epochs = 1, ulong seed = 1)
    {
        var rows = Rows(decoder, schema, payloads.Take(500).ToList());
        return new Trainer().Train(rows, 500, schema, new ModelOptions(), new TrainingOptions { Epochs = epochs, ValidationFraction = 0, Seed = seed });
    }

    /// <summary>A registry holding a trained model (version 1).</summary>
    public static ModelRegistry Registry(IRecordDecoder decoder, FeatureSchema schema, IReadOnlyList<byte[]> payloads)
    {
        var registry = new ModelRegistry();
        registry.Publish(Model(decoder, schema, payloads));
        return registry;
    }

    /// <summary>The decoded rows of the payloads, row-major.</summary>
    public static float[] Rows(IRecordDecoder decoder, FeatureSchema schema, IReadOnlyList<byte[]> payloads)
    {
        var rows = new float[payloads.Count * schema.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            if (!decoder.TryDecode(payloads[i], new SourcePosition(0, i), rows.AsSpan(i * schema.Count, schema.Count), out _, out var error))
            {
                throw new InvalidOperationException($"record {i} did not decode: {error.Reason}");
            }
        }
        return rows;
    }

    /// <summary>A batch of the first <paramref name="count"/> payloads.</summary>
    public static RecordBatch Batch(IRecordDecoder decoder, FeatureSchema schema, IReadOnlyList<byte[]> payloads, int count)
    {
        var batch = new RecordBatch(count, schema.Count);
        for (var i = 0; i < count; i++)
        {
            if (!decoder.TryDecode(payloads[i], new SourcePosition(0, i), batch.NextRow(), out var info, out var error))
            {
                throw new InvalidOperationException($"record {i} did not decode: {error.Reason}");
            }
            batch.Commit(info, new SourcePosition(0, i), payloads[i], DateTimeOffset.UtcNow.UtcTicks);
        }
        return batch;
    }
}
