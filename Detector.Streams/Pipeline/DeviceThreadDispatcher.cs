using Akka.Configuration;
using Akka.Dispatch;

namespace Detector.Streams.Pipeline;

/// <summary>
/// A pinned dispatcher (one dedicated thread per actor, kept for the actor's life: a device context such as CUDA's
/// belongs to one thread) whose thread sleeps in the kernel when its actor has nothing to do. Akka's own
/// PinnedDispatcher runs its thread on Helios' DedicatedThreadPool, whose idle wait spins with up to 50 ×
/// processors / spinners <c>Thread.Sleep(0)</c> calls before it blocks; a model actor idles between every two batches,
/// so on the two cores of a small node those spins took ~40 % of each model thread's samples (perf, `bench
/// pipeline`), CPU the stream's own thread needed. Here an idle thread waits on a monitor and is woken by the next
/// message. Named in HOCON as <c>type = "Detector.Streams.Pipeline.DeviceThreadDispatcherConfigurator, Detector.Streams"</c>.
/// </summary>
public sealed class DeviceThreadDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : MessageDispatcherConfigurator(config, prerequisites)
{
    /// <summary>A new dispatcher, and with it a new thread, for each actor (as Akka's PinnedDispatcher).</summary>
    public override MessageDispatcher Dispatcher() => new PinnedDispatcher(this, Config.GetString("id", null),
        Config.GetInt("throughput", 0), Config.GetTimeSpan("throughput-deadline-time", null).Ticks, new Factory(),
        Config.GetTimeSpan("shutdown-timeout", null));

    private sealed class Factory : ExecutorServiceFactory
    {
        public override ExecutorService Produce(string id) => new DedicatedThreadExecutor(id);
    }
}

/// <summary>
/// One background thread running the work given to it in order; it waits on a monitor (no spinning) while there is
/// none. <see cref="Shutdown"/> lets it finish what is queued, then it exits.
/// </summary>
internal sealed class DedicatedThreadExecutor : ExecutorService
{
    private readonly object _gate = new();
    private readonly Queue<IRunnable> _work = new();
    private bool _shutdown;

    public DedicatedThreadExecutor(string id)
        : base(id)
    {
        new Thread(Run) { IsBackground = true, Name = id }.Start();
    }

    /// <inheritdoc />
    public override void Execute(IRunnable run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            if (_shutdown)
            {
                throw new RejectedExecutionException($"the dedicated thread of dispatcher {Id} has shut down");
            }
            _work.Enqueue(run);
            if (_work.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <inheritdoc />
    public override void Shutdown()
    {
        lock (_gate)
        {
            _shutdown = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            IRunnable next;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    if (_shutdown)
                    {
                        return;
                    }
                    Monitor.Wait(_gate);
                }
                next = _work.Dequeue();
            }
            next.Run();
        }
    }
}
