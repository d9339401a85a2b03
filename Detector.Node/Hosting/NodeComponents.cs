using Detector.Models.Validation;
using Detector.Node.Configuration;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;

namespace Detector.Node.Hosting;

/// <summary>
/// The sources and sinks a build of the node offers, keyed by the kind configuration names (<c>Source:Kind</c>,
/// <c>Sinks:Alerts:Kind</c>, <c>Sinks:DeadLetters:Kind</c>). A kind without a factory stops the node at start-up with
/// exit code 2 and a message saying it is not available in this build. What a factory returns may also implement
/// <see cref="ISourceStatus"/> (partitions and lag for /status, /readyz and the lag gauge) and
/// <see cref="IAsyncDisposable"/> (disposed after the pipeline has drained: the place to commit and close).
/// </summary>
public sealed class NodeComponents
{
    private readonly Dictionary<SourceKind, Func<NodeContext, DetectorPipeline, IRecordSource>> _sources = [];
    private readonly Dictionary<SinkKind, Func<NodeContext, IAlertSink>> _alertSinks = [];
    private readonly Dictionary<SinkKind, Func<NodeContext, IDeadLetterSink>> _deadLetterSinks = [];

    /// <summary>Generator and file sources; file and stdout sinks. Kafka registers its factories on top of these.</summary>
    public static NodeComponents BuiltIn() => new NodeComponents()
        .WithSource(SourceKind.Generator, BuiltInComponents.GeneratorSource)
        .WithSource(SourceKind.File, BuiltInComponents.FileSource)
        .WithAlertSink(SinkKind.File, BuiltInComponents.FileAlertSink)
        .WithAlertSink(SinkKind.Stdout, BuiltInComponents.StdoutAlertSink)
        .WithDeadLetterSink(SinkKind.File, BuiltInComponents.FileDeadLetterSink)
        .WithDeadLetterSink(SinkKind.Stdout, BuiltInComponents.StdoutDeadLetterSink);

    /// <summary>Registers (or replaces) the source factory for <paramref name="kind"/>; it runs after the pipeline is built.</summary>
    public NodeComponents WithSource(SourceKind kind, Func<NodeContext, DetectorPipeline, IRecordSource> factory)
    {
        _sources[kind] = factory;
        return this;
    }

    /// <summary>Registers (or replaces) the alert sink factory for <paramref name="kind"/>.</summary>
    public NodeComponents WithAlertSink(SinkKind kind, Func<NodeContext, IAlertSink> factory)
    {
        _alertSinks[kind] = factory;
        return this;
    }

    /// <summary>Registers (or replaces) the dead-letter sink factory for <paramref name="kind"/>.</summary>
    public NodeComponents WithDeadLetterSink(SinkKind kind, Func<NodeContext, IDeadLetterSink> factory)
    {
        _deadLetterSinks[kind] = factory;
        return this;
    }

    /// <summary>The source factory for <paramref name="kind"/>; throws <see cref="InvalidOptionException"/> when this build has none.</summary>
    public Func<NodeContext, DetectorPipeline, IRecordSource> Source(SourceKind kind) => Find(_sources, kind, "Source:Kind");

    /// <summary>The alert sink factory for <paramref name="kind"/>.</summary>
    public Func<NodeContext, IAlertSink> AlertSink(SinkKind kind) => Find(_alertSinks, kind, "Sinks:Alerts:Kind");

    /// <summary>The dead-letter sink factory for <paramref name="kind"/>.</summary>
    public Func<NodeContext, IDeadLetterSink> DeadLetterSink(SinkKind kind) => Find(_deadLetterSinks, kind, "Sinks:DeadLetters:Kind");

    private static T Find<TKind, T>(Dictionary<TKind, T> factories, TKind kind, string key) where TKind : struct, Enum =>
        factories.TryGetValue(kind, out var factory) ? factory
            : throw new InvalidOptionException(key, kind.ToString(),
                $"{string.Join(", ", factories.Keys.Order())} ({kind} is not available in this build)");
}
