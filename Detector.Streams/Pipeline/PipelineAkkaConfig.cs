using Akka.Actor;
using Akka.Configuration;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The Akka configuration the pipeline needs: a pinned dispatcher (one dedicated thread per actor, idle without
/// spinning: <see cref="DeviceThreadDispatcherConfigurator"/>) for the model actors and another for the trainer. A
/// node's ActorSystem includes <see cref="Config"/> (Akka.Hosting: <c>builder.AddHocon(PipelineAkkaConfig.Config,
/// HoconAddMode.Append)</c>); a system that lacks it gets it added as a top-level fallback when a pipeline is created
/// on it (<see cref="EnsureIn"/>).
/// </summary>
public static class PipelineAkkaConfig
{
    /// <summary>The dispatcher of every model actor: each actor on it gets a thread of its own.</summary>
    public const string ModelDispatcher = "detector.pipeline.model-dispatcher";

    /// <summary>The trainer's dispatcher: training is long CPU work that must not hold a shared thread.</summary>
    public const string TrainerDispatcher = "detector.pipeline.trainer-dispatcher";

    /// <summary>
    /// The ingest stream's dispatcher: the fused graph (batching, thresholds, publishing, acknowledgement) runs on one
    /// thread of its own that sleeps while the stream waits, rather than on pool threads that spin before they park.
    /// </summary>
    public const string StreamDispatcher = "detector.pipeline.stream-dispatcher";

    /// <summary>The dispatcher definitions, as HOCON.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        detector.pipeline {
          # One thread per actor, kept for the actor's life, that sleeps while idle (see DeviceThreadDispatcher.cs)
          model-dispatcher {
            type = "Detector.Streams.Pipeline.DeviceThreadDispatcherConfigurator, Detector.Streams"
          }
          trainer-dispatcher {
            type = "Detector.Streams.Pipeline.DeviceThreadDispatcherConfigurator, Detector.Streams"
          }
          stream-dispatcher {
            type = "Detector.Streams.Pipeline.DeviceThreadDispatcherConfigurator, Detector.Streams"
          }
        }
        """);

    /// <summary>Adds <see cref="Config"/> as a fallback to a system whose configuration does not define the dispatchers.</summary>
    public static void EnsureIn(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (new[] { ModelDispatcher, TrainerDispatcher, StreamDispatcher }.Any(id => !system.Dispatchers.HasDispatcher(id)))
        {
            system.Settings.InjectTopLevelFallback(Config);
        }
    }
}
