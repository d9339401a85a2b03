using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Kafka;

/// <summary>
/// A whole Kafka node in-process: a pipeline between the input, alert and dead-letter topics, with cluster
/// membership (<see cref="KafkaCluster"/>). The `detector run` host composes the same parts with HTTP and
/// configuration; this composition serves embedding and tests.
/// </summary>
public sealed class KafkaNode : IAsyncDisposable
{
    private int _disposed;

    /// <summary>Builds the node; nothing connects before <see cref="RunAsync"/>.</summary>
    public KafkaNode(KafkaOptions options, string nodeId, PipelineOptions pipeline, IRecordDecoder decoder, FeatureSchema schema,
        ILogger? logger = null, Action<RecordBatch>? batchJudged = null, IKernels<float>? kernels = null)
    {
        logger ??= NullLogger.Instance;
        var registry = new ModelRegistry();
        Cluster = new KafkaCluster(options, nodeId, registry.Name, schema, logger);
        Source = Cluster.CreateSource();
        Pipeline = new DetectorPipeline(pipeline, decoder, schema, Cluster.CreateAlertSink(), Cluster.CreateDeadLetterSink(), registry,
            logger: logger, batchJudged: batchJudged, kernels: kernels, distribution: Cluster.Distribution);
    }

    /// <summary>Membership: election, broadcast, status board.</summary>
    public KafkaCluster Cluster { get; }

    /// <summary>The input consumer.</summary>
    public KafkaRecordSource Source { get; }

    /// <summary>The pipeline.</summary>
    public DetectorPipeline Pipeline { get; }

    /// <summary>Joins the cluster, installs the current model, then consumes until stop; then drains and returns.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        await Cluster.StartAsync(Pipeline, stop).ConfigureAwait(false);
        using var registration = stop.Register(Source.Stop);
        // Not cancelled by stop: stopping ends the source, and the pipeline drains what was read.
        await Pipeline.RunAsync(Source, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Commits and leaves the group, then the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await Source.DisposeAsync().ConfigureAwait(false);
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        Cluster.Dispose();
    }
}
