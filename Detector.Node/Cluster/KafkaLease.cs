using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Coordination;
using Akka.DependencyInjection;
using Confluent.Kafka;
using Detector.Streams.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Cluster;

/// <summary>
/// An Akka.Coordination lease refereed by Kafka: the holder is the member of the consumer group
/// <c>{Kafka:TrainerGroupId}-{lease name}</c> that the group assigns the one partition of <c>Kafka:ControlTopic</c>.
/// A Kafka group gives each partition to one member per generation, and expels a member that stops heartbeating after
/// <c>Kafka:SessionTimeout</c>; this lease adds two things on top:
/// <list type="bullet">
/// <item>an <b>epoch</b>: on acquiring, the holder appends a record to the control topic; its offset + 1 is the epoch, so a
/// later holder always has a larger one (models carry it; nodes refuse models of an older epoch);</item>
/// <item>a <b>validity bound</b>: the holder renews by committing its cursor synchronously (a commit from an expelled
/// member or an old generation fails), and holds only until <c>renewal start + SessionTimeout/2</c>. Heartbeats go
/// every SessionTimeout/4, so the coordinator cannot hand the partition to another member before this bound passes:
/// a process that was paused (SIGSTOP, a long GC) finds its lease lapsed when it resumes, before it could act.</item>
/// </list>
/// A Kafka group hands a partition to whichever member the assignor picks when someone joins, so joining would steal a
/// live holder's lease. Each renewal therefore commits, as the group's cursor, the wall-clock time of the renewal in
/// milliseconds; a node that asks (Acquire) first reads that cursor without joining and joins only once it is older
/// than the session timeout (no live holder). Release leaves the group at once, except for a lease configured
/// <c>hold-until-shutdown</c> (the split-brain resolver's: the side that won keeps it, so a node that was paused and
/// resumes alone cannot take it and survive as a second cluster), which is released when the ActorSystem terminates.
/// Used for the trainer singleton and by the split-brain resolver (<c>lease-majority</c>).
/// </summary>
public sealed partial class KafkaLease : Lease, IDisposable
{
    private readonly KafkaLeaseContext _context;
    private readonly ILogger _logger;
    private readonly string _group;
    private readonly TimeSpan _validity;
    private readonly bool _holdUntilShutdown;
    private readonly Lock _lock = new();
    private TaskCompletionSource<bool> _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stop;
    private Thread? _thread;
    private Action<Exception>? _lost;
    private volatile bool _assigned;
    private volatile bool _held;
    private bool _askedByAkka;
    private long _epoch;
    private long _validUntilTicks;
    private DateTimeOffset _heldFrom;

    /// <summary>Created by Akka's LeaseProvider from <c>lease-class</c>; the Kafka options come from the host's services.</summary>
    public KafkaLease(LeaseSettings settings, ExtendedActorSystem system)
        : base(settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(system);
        _context = DependencyResolver.For(system).Resolver.GetService<KafkaLeaseContext>()
            ?? throw new InvalidOperationException("KafkaLease needs a KafkaLeaseContext among the host's services");
        _logger = _context.Loggers.CreateLogger("Detector.Cluster.Lease");
        _group = $"{_context.Options.TrainerGroupId}-{settings.LeaseName}";
        _validity = _context.Options.SessionTimeout / 2;
        _holdUntilShutdown = settings.LeaseConfig.GetBoolean("hold-until-shutdown", false);
        if (_holdUntilShutdown)
        {
            system.RegisterOnTermination(() => LeaveGroup().Wait(TimeSpan.FromSeconds(30)));
        }
    }

    /// <summary>The epoch of the current (or last) holding: 1 + the control-topic offset written when it was acquired; 0 before any.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>The lease's name.</summary>
    public string Name => Settings.LeaseName;

    /// <inheritdoc />
    public override Task<bool> Acquire() => Acquire(_ => { });

    /// <inheritdoc />
    public override Task<bool> Acquire(Action<Exception> leaseLostCallback) => Start(leaseLostCallback);

    /// <summary>
    /// Starts taking the lease before Akka asks for it (<see cref="TakeoverLeasesActor"/>: this node is the one Akka will
    /// ask next). The holding is the same as Acquire's; Akka's own Acquire later finds it made or under way.
    /// </summary>
    public Task<bool> AcquireAhead() => Start(null);

    /// <summary>
    /// Gives back a lease taken by <see cref="AcquireAhead"/> when Akka has not asked for it since (the reason to take
    /// it went away: the unreachable node is back). Returns false, and keeps the lease, once Akka called Acquire: the
    /// holding is then Akka's. (The resolver calls Acquire only when CheckLease says no; a decision it takes on a lease
    /// already held is recognised by <see cref="TakeoverLeasesActor"/>, which then does not give it back.)
    /// </summary>
    public bool GiveBackAhead()
    {
        Thread? thread;
        lock (_lock)
        {
            if (_askedByAkka || _thread is null)
            {
                return false;
            }
            thread = StopLocked();
        }
        _ = Task.Run(() => thread?.Join());
        return true;
    }

    private Task<bool> Start(Action<Exception>? leaseLostCallback)
    {
        Task<bool> acquired;
        lock (_lock)
        {
            if (leaseLostCallback is not null)
            {
                _lost = leaseLostCallback;
                _askedByAkka = true;
            }
            if (CheckLease())
            {
                return Task.FromResult(true);
            }
            if (_thread is null)
            {
                _acquired = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _stop = new CancellationTokenSource();
                var stop = _stop.Token;
                KafkaLibrary.EnsureLoaded();
                _thread = new Thread(() => Run(stop)) { IsBackground = true, Name = $"lease-{Name}" };
                _thread.Start();
            }
            acquired = _acquired.Task;
        }
        // Still a member after a timeout: the partition comes to this node once the old holder is expelled, and the
        // next Acquire returns at once.
        return acquired.WaitAsync(Settings.TimeoutSettings.OperationTimeout).ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public override Task<bool> Release() => _holdUntilShutdown ? Task.FromResult(true) : LeaveGroup();

    private Task<bool> LeaveGroup()
    {
        Thread? thread;
        lock (_lock)
        {
            thread = StopLocked();
        }
        return Task.Run(() =>
        {
            thread?.Join();
            return true;
        });
    }

    /// <summary>Stops the lease's thread (it leaves the group); under the lock.</summary>
    private Thread? StopLocked()
    {
        var thread = _thread;
        _thread = null;
        _askedByAkka = false;
        _stop?.Cancel();
        return thread;
    }

    /// <inheritdoc />
    public override bool CheckLease() => _held && Stopwatch.GetTimestamp() < Interlocked.Read(ref _validUntilTicks);

    /// <summary>Leaves the group.</summary>
    public void Dispose() => Release().Wait(TimeSpan.FromSeconds(30));

    private void Run(CancellationToken stop)
    {
        var options = _context.Options;
        var config = KafkaClientConfigs.Consumer(options, _group, $"{_context.NodeId}-{Name}");
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        config.QueuedMinMessages = 1_000;
        var partition = new TopicPartition(options.ControlTopic, 0);
        try
        {
            LogAcquiring(Name, _context.NodeId);
            if (!WaitUntilFree(config, partition, stop))
            {
                return;
            }
            LogJoining(Name, _group);
            using var producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.Producer(options, $"{_context.NodeId}-{Name}")).SetLogHandler((_, _) => { }).Build();
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(config)
                .SetPartitionsAssignedHandler((_, partitions) => _assigned = partitions.Count > 0)
                .SetPartitionsRevokedHandler((_, _) => Unassigned("the group revoked the partition"))
                .SetPartitionsLostHandler((_, _) => Unassigned("the group expelled this member"))
                .SetErrorHandler((_, e) => LogClientError(Name, e.Reason))
                .SetLogHandler((_, _) => { })
                .Build();
            consumer.Subscribe(options.ControlTopic);
            var renewed = 0L;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    consumer.Consume(TimeSpan.FromMilliseconds(100)); // serves the group's callbacks; the records are not read
                }
                catch (ConsumeException e)
                {
                    LogClientError(Name, e.Error.Reason);
                }
                if (_held && Stopwatch.GetTimestamp() >= Interlocked.Read(ref _validUntilTicks))
                {
                    Lose("its validity lapsed before a renewal succeeded");
                }
                if (_assigned && !_held)
                {
                    TakeHold(producer, consumer, partition);
                    renewed = Stopwatch.GetTimestamp();
                }
                else if (_held && Stopwatch.GetElapsedTime(renewed) >= _validity / 3)
                {
                    renewed = Stopwatch.GetTimestamp();
                    Renew(consumer, partition, renewed);
                }
            }
            Lose("released");
            consumer.Close();
        }
        catch (Exception e) when (e is KafkaException or InvalidOperationException)
        {
            LogFailed(Name, e);
            Lose($"the lease client failed: {e.Message}");
        }
    }

    /// <summary>Reads the group's cursor (the last renewal's time) without joining, until no live member renews it.</summary>
    private bool WaitUntilFree(ConsumerConfig config, TopicPartition partition, CancellationToken stop)
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        var session = (long)_context.Options.SessionTimeout.TotalMilliseconds;
        var logged = false;
        while (!stop.IsCancellationRequested)
        {
            long age;
            try
            {
                var renewed = reader.Committed([partition], _context.Options.SessionTimeout).Single().Offset;
                age = renewed == Offset.Unset ? long.MaxValue : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - renewed.Value;
            }
            catch (KafkaException e)
            {
                LogClientError(Name, e.Error.Reason);
                stop.WaitHandle.WaitOne(500);
                continue;
            }
            if (age >= session)
            {
                return true;
            }
            if (!logged)
            {
                LogBusy(Name, age);
                logged = true;
            }
            stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Clamp(session - age, 100, 1_000)));
        }
        return false;
    }

    /// <summary>Writes the epoch record, then holds until a renewal fails or lapses.</summary>
    private void TakeHold(IProducer<Null, byte[]> producer, IConsumer<Ignore, Ignore> consumer, TopicPartition partition)
    {
        var start = Stopwatch.GetTimestamp();
        DeliveryResult<Null, byte[]> written;
        try
        {
            written = producer.ProduceAsync(partition, new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes($"lease {Name} acquired by {Settings.OwnerName}") })
                .WaitAsync(_context.Options.SessionTimeout).GetAwaiter().GetResult();
            consumer.Commit([new TopicPartitionOffset(partition, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            LogNotTaken(Name, e.Message);
            return;
        }
        Interlocked.Exchange(ref _epoch, written.Offset.Value + 1);
        Interlocked.Exchange(ref _validUntilTicks, start + (long)(_validity.TotalSeconds * Stopwatch.Frequency));
        _heldFrom = DateTimeOffset.UtcNow;
        _held = true;
        LogHeld(Name, Settings.OwnerName, _context.NodeId, _heldFrom, written.Offset.Value + 1);
        _acquired.TrySetResult(true);
    }

    /// <summary>A synchronous commit proves this member still owns the partition in the current generation.</summary>
    private void Renew(IConsumer<Ignore, Ignore> consumer, TopicPartition partition, long start)
    {
        try
        {
            consumer.Commit([new TopicPartitionOffset(partition, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]);
            if (_held)
            {
                Interlocked.Exchange(ref _validUntilTicks, start + (long)(_validity.TotalSeconds * Stopwatch.Frequency));
            }
        }
        catch (KafkaException e)
        {
            Lose($"a renewal failed ({e.Error.Reason})");
        }
    }

    private void Unassigned(string reason)
    {
        _assigned = false;
        Lose(reason);
    }

    /// <summary>Ends a holding (a failed renewal keeps the assignment: the next loop takes a fresh epoch if it is still ours).</summary>
    private void Lose(string reason)
    {
        Action<Exception>? lost;
        lock (_lock)
        {
            if (!_held)
            {
                return;
            }
            _held = false;
            lost = _lost;
            _acquired = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        // The holding ended at the validity bound if that came first (a paused process notices late).
        var validUntil = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(Interlocked.Read(ref _validUntilTicks), Stopwatch.GetTimestamp());
        var end = validUntil < DateTimeOffset.UtcNow ? validUntil : DateTimeOffset.UtcNow;
        LogEnded(Name, _context.NodeId, reason, _heldFrom, end, Epoch);
        lost?.Invoke(new LeaseException($"lease {Name} lost: {reason}"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "lease {Lease} held by {Owner} (node {Node}) from {From:O} epoch {Epoch}")]
    private partial void LogHeld(string lease, string owner, string node, DateTimeOffset from, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "lease {Lease} ended on node {Node} ({Reason}): held from {From:O} to {To:O} epoch {Epoch}")]
    private partial void LogEnded(string lease, string node, string reason, DateTimeOffset from, DateTimeOffset to, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "lease {Lease}: acquiring on node {Node}")]
    private partial void LogAcquiring(string lease, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "lease {Lease}: no live holder; joining group {Group}")]
    private partial void LogJoining(string lease, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "lease {Lease} is held by a live member (renewed {Age} ms ago): waiting for it to lapse")]
    private partial void LogBusy(string lease, long age);

    [LoggerMessage(Level = LogLevel.Warning, Message = "lease {Lease}: assigned but the epoch record was not written ({Reason}); retrying")]
    private partial void LogNotTaken(string lease, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "lease {Lease} client: {Reason}")]
    private partial void LogClientError(string lease, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "lease {Lease} client failed")]
    private partial void LogFailed(string lease, Exception exception);
}
