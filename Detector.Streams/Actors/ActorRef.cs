using System.Threading.Channels;

namespace Detector.Streams.Actors;

/// <summary>
/// The handle to one running actor: tell it messages, ask it questions, stop it, and read its metrics. The actor's
/// loop (<c>ActorRef.Loop.cs</c>) takes messages from a bounded mailbox one at a time, in arrival order, so a handler
/// never runs concurrently with itself and messages from one sender are handled in the order they were told.
/// </summary>
#pragma warning disable CA1001 // _abort is disposed by the loop itself when the actor ends (EndAsync); the handle outlives the loop.
public sealed partial class ActorRef
#pragma warning restore CA1001
{
    /// <summary>The system that spawned the actor; told when the actor ends.</summary>
    private readonly ActorSystem _system;

    /// <summary>The recipe: producer, capacity, supervisor, threading.</summary>
    private readonly Props _props;

    /// <summary>Bounded, single-reader, FIFO. Only user messages go through it; lifecycle messages are delivered by the loop.</summary>
    private readonly Channel<Envelope> _mailbox;

    /// <summary>The system's clock: backoffs, ask timeouts, processing times.</summary>
    private readonly TimeProvider _timeProvider;

    /// <summary>Completed when the actor has received <see cref="Stopped"/> (faulted when it escalated).</summary>
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed by <see cref="StopAsync"/>: cuts a restart backoff short so a stop never waits one out.</summary>
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The handlers' <see cref="IActorContext.CancellationToken"/>; cancelled when the actor is aborted or ends.</summary>
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Messages handled (successfully or not); written only by the loop, read by anyone.</summary>
    private long _messagesProcessed;

    /// <summary>Total handler time in <see cref="TimeSpan"/> ticks; written only by the loop.</summary>
    private long _processingTicks;

    /// <summary>Handler failures; written only by the loop.</summary>
    private long _failures;

    /// <summary>Messages and replies that could not be delivered: dropped at a supervised stop, or undeliverable replies.</summary>
    private long _deadLetters;

    internal ActorRef(ActorSystem system, Props props, string name, string kind)
    {
        _system = system;
        _props = props;
        _timeProvider = system.TimeProvider;
        Name = name;
        Kind = kind;
        _mailbox = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(props.MailboxCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            // The loop must never run a writer's continuation inline.
            AllowSynchronousContinuations = false,
        });
        _context = new ActorContext(this, _timeProvider, _abort.Token);
    }

    /// <summary>The actor's unique name in its system.</summary>
    public string Name { get; }

    /// <summary>The metrics label shared by actors of one role.</summary>
    public string Kind { get; }

    /// <summary>How many user messages the mailbox holds.</summary>
    public int MailboxCapacity => _props.MailboxCapacity;

    /// <summary>User messages waiting in the mailbox now (not counting the one being handled).</summary>
    public int MailboxDepth => _mailbox.Reader.Count;

    /// <summary>User messages handled so far, failures included.</summary>
    public long MessagesProcessed => Interlocked.Read(ref _messagesProcessed);

    /// <summary>Time spent in handlers for user messages, as measured by the system's <see cref="TimeProvider"/>.</summary>
    public TimeSpan TotalProcessingTime => TimeSpan.FromTicks(Interlocked.Read(ref _processingTicks));

    /// <summary>Handler failures so far (lifecycle handlers included).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Messages dropped at a supervised stop plus replies that could not be delivered.</summary>
    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    /// <summary>Whether the mailbox no longer accepts messages (a stop was requested or the actor ended).</summary>
    public bool IsStopping => _stopRequested.Task.IsCompleted || _completion.Task.IsCompleted;

    /// <summary>Completes after the actor received <see cref="Stopped"/>; faults with the exception if it escalated.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Tells without waiting: false when the mailbox is full or the actor is stopping.</summary>
    public bool TryTell(object message) => TryTell(message, null);

    /// <summary>Tells on behalf of <paramref name="sender"/> without waiting: false when full or stopping.</summary>
    public bool TryTell(object message, ActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _mailbox.Writer.TryWrite(new Envelope(message, sender, null));
    }

    /// <summary>
    /// Tells, waiting asynchronously while the mailbox is full (backpressure). Throws
    /// <see cref="InvalidOperationException"/> when the actor is stopping, and <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public ValueTask TellAsync(object message, CancellationToken cancellationToken = default) =>
        TellAsync(message, null, cancellationToken);

    /// <summary>As <see cref="TellAsync(object, CancellationToken)"/>, on behalf of <paramref name="sender"/>.</summary>
    public ValueTask TellAsync(object message, ActorRef? sender, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(new Envelope(message, sender, null), cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> and waits for the handler's <see cref="IActorContext.Respond"/>. The timeout
    /// covers both the wait for mailbox room and the wait for the answer; when it passes, a
    /// <see cref="TimeoutException"/> names the actor and the message type. If the handler throws, the ask faults with
    /// an <see cref="InvalidOperationException"/> wrapping the exception; if the actor stops first, it faults too.
    /// </summary>
    public async Task<TResponse> AskAsync<TResponse>(object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var reply = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        object? response;
        try
        {
            await WriteAsync(new Envelope(message, null, reply), linked.Token).ConfigureAwait(false);
            response = await reply.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Actor '{Name}' (kind {Kind}) did not answer {message.GetType().Name} within {timeout}.");
        }
        return response switch
        {
            TResponse typed => typed,
            null when default(TResponse) is null => default!,
            _ => throw new InvalidCastException(
                $"Actor '{Name}' answered {message.GetType().Name} with {response?.GetType().Name ?? "null"}, not {typeof(TResponse).Name}."),
        };
    }

    /// <summary>
    /// Stops gracefully: the mailbox stops accepting messages, every message already queued is handled, then the
    /// actor receives <see cref="Stopping"/> and <see cref="Stopped"/>. Returns when <see cref="Completion"/> has
    /// completed (without rethrowing an escalation; await <see cref="Completion"/> for that). If
    /// <paramref name="cancellationToken"/> fires first, the handlers' token is cancelled so the remaining work ends
    /// quickly; the wait still lasts until the loop has finished. Safe to call many times, from any thread.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        RequestStop();
        using (cancellationToken.UnsafeRegister(static s => ((ActorRef)s!).Abort(), this))
        {
            await _completion.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}/{Name}";

    /// <summary>Closes the mailbox for writing and wakes a loop that is waiting out a backoff.</summary>
    internal void RequestStop()
    {
        _mailbox.Writer.TryComplete();
        _stopRequested.TrySetResult();
    }

    /// <summary>Delivers a reply for <see cref="IActorContext.Respond"/>.</summary>
    internal void Reply(Envelope envelope, object message)
    {
        if (envelope.Reply is { } reply)
        {
            if (!reply.TrySetResult(message))
            {
                Interlocked.Increment(ref _deadLetters);
            }
        }
        else if (envelope.Sender is not { } sender || !sender.TryTell(message, this))
        {
            Interlocked.Increment(ref _deadLetters);
        }
    }

    /// <summary>Writes with backpressure: TryWrite first (no allocation), then WaitToWriteAsync while full.</summary>
    private ValueTask WriteAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        return _mailbox.Writer.TryWrite(envelope) ? default : WaitAndWriteAsync(envelope, cancellationToken);
    }

    private async ValueTask WaitAndWriteAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        while (await _mailbox.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_mailbox.Writer.TryWrite(envelope))
            {
                return;
            }
        }
        throw new InvalidOperationException(
            $"Actor '{Name}' (kind {Kind}) is stopping and no longer accepts messages; {envelope.Message.GetType().Name} was rejected.");
    }

    private void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The actor already ended.
        }
    }
}
