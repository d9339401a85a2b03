using Akka.Actor;
using Akka.Configuration;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The Akka configuration the pipeline needs: a pinned dispatcher (one dedicated thread per actor) for the model actors
/// and another for the trainer. A node's ActorSystem includes <see cref="Config"/> (Akka.Hosting:
/// <c>builder.AddHocon(PipelineAkkaConfig.Config, HoconAddMode.Append)</c>); a system that lacks it gets it added as a
/// top-level fallback when a pipeline is created on it (<see cref="EnsureIn"/>).
/// </summary>
public static class PipelineAkkaConfig
{
    /// <summary>The dispatcher of every model actor: each actor on it gets a thread of its own.</summary>
    public const string ModelDispatcher = "detector.pipeline.model-dispatcher";

    /// <summary>The trainer's dispatcher: training is long CPU work that must not hold a shared thread.</summary>
    public const string TrainerDispatcher = "detector.pipeline.trainer-dispatcher";

    /// <summary>The dispatcher definitions, as HOCON.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        detector.pipeline {
          model-dispatcher {
            type = PinnedDispatcher
            # thread-name prefix is the dispatcher id; one thread per actor, kept for the actor's life
          }
          trainer-dispatcher {
            type = PinnedDispatcher
          }
        }
        """);

    /// <summary>Adds <see cref="Config"/> as a fallback to a system whose configuration does not define the dispatchers.</summary>
    public static void EnsureIn(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!system.Dispatchers.HasDispatcher(ModelDispatcher) || !system.Dispatchers.HasDispatcher(TrainerDispatcher))
        {
            system.Settings.InjectTopLevelFallback(Config);
        }
    }
}
