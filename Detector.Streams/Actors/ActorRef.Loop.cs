using System.Diagnostics;

namespace Detector.Streams.Actors;

/// <summary>The actor's loop: lifecycle, one-at-a-time processing, supervision and the end.</summary>
public sealed partial class ActorRef
{
    /// <summary>The reused context handed to the handlers; only the loop writes it.</summary>
    private readonly ActorContext _context;

    /// <summary>Failure history for the supervisor; only the loop touches it.</summary>
    private readonly RestartStatistics _restartStatistics = new();

    /// <summary>The live instance; replaced on restart, only by the loop.</summary>
    private IActor? _actor;

    /// <summary>1 while a handler runs: the one-message-at-a-time invariant, checked in DEBUG builds.</summary>
    private int _inHandler;

    /// <summary>
    /// Whether the loop resumes on the captured context: true on a dedicated thread, whose synchronization context
    /// brings every continuation back to that thread; false on the thread pool.
    /// </summary>
    private bool CaptureContext => _props.DedicatedThread;

    /// <summary>How the loop ended.</summary>
    private enum Ending
    {
        Drained,
        Stopped,
        Escalated,
    }

    /// <summary>Starts the loop with its first instance (made by the spawner, so a failing producer fails the spawn).</summary>
    internal void Start(IActor firstInstance)
    {
        _actor = firstInstance;
        if (_props.DedicatedThread)
        {
            var thread = new Thread(RunOnDedicatedThread) { IsBackground = true, Name = $"actor {Name}" };
            thread.Start();
        }
        else
        {
            _ = Task.Run(RunAsync);
        }
    }

    private void RunOnDedicatedThread()
    {
        using var context = new DedicatedThreadSynchronizationContext();
        SynchronizationContext.SetSynchronizationContext(context);
        var loop = RunAsync();
        loop.ContinueWith(
            static (_, s) => ((DedicatedThreadSynchronizationContext)s!).Complete(),
            context,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        context.RunUntilComplete();
    }

    /// <summary>Never throws: every outcome ends in <see cref="_completion"/>.</summary>
    private async Task RunAsync()
    {
        Exception? escalation = null;
        var ending = Ending.Drained;
        try
        {
            (ending, escalation) = await StartInstanceAsync().ConfigureAwait(CaptureContext);
            if (ending == Ending.Drained)
            {
                (ending, escalation) = await ProcessMailboxAsync().ConfigureAwait(CaptureContext);
            }
        }
#pragma warning disable CA1031 // The loop is the last line of defence: anything left must end the actor, not vanish.
        catch (Exception unexpected)
#pragma warning restore CA1031
        {
            ending = Ending.Escalated;
            escalation = unexpected;
        }
        await EndAsync(ending, escalation).ConfigureAwait(CaptureContext);
    }

    /// <summary>Delivers <see cref="Started"/> to the current instance, supervising if it throws.</summary>
    private async Task<(Ending Ending, Exception? Escalation)> StartInstanceAsync()
    {
        var failure = await InvokeAsync(new Envelope(Started.Instance, null, null)).ConfigureAwait(CaptureContext);
        return failure is null ? (Ending.Drained, null) : await SuperviseAsync(failure).ConfigureAwait(CaptureContext);
    }

    /// <summary>Handles user messages until the mailbox is closed and empty, or a supervisor ends the actor.</summary>
    private async Task<(Ending Ending, Exception? Escalation)> ProcessMailboxAsync()
    {
        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(CaptureContext))
        {
            while (reader.TryRead(out var envelope))
            {
                AssertInvariants();
                var started = _timeProvider.GetTimestamp();
                var failure = await InvokeAsync(envelope).ConfigureAwait(CaptureContext);
                var elapsed = _timeProvider.GetElapsedTime(started);
                Interlocked.Increment(ref _messagesProcessed);
                Interlocked.Add(ref _processingTicks, elapsed.Ticks);
                NotifyProcessed(elapsed);
                if (failure is null)
                {
                    continue;
                }
                envelope.Reply?.TrySetException(new InvalidOperationException(
                    $"Actor '{Name}' (kind {Kind}) failed while handling {envelope.Message.GetType().Name}.", failure));
                var (ending, escalation) = await SuperviseAsync(failure).ConfigureAwait(CaptureContext);
                if (ending != Ending.Drained)
                {
                    return (ending, escalation);
                }
            }
        }
        return (Ending.Drained, null);
    }

    /// <summary>
    /// Applies the supervisor's decision to a failure. A restart delivers <see cref="Restarting"/> to the failed
    /// instance, waits the backoff (cut short by a stop request), makes a fresh instance and delivers
    /// <see cref="Started"/>; if that fails in turn, the new failure is supervised the same way.
    /// </summary>
    private async Task<(Ending Ending, Exception? Escalation)> SuperviseAsync(Exception failure)
    {
        while (true)
        {
            Interlocked.Increment(ref _failures);
            var now = _timeProvider.GetUtcNow();
            _restartStatistics.RecordFailure(now);
            SupervisorDecision decision;
            try
            {
                decision = _props.SupervisorStrategy.Decide(failure, _restartStatistics, now);
            }
#pragma warning disable CA1031 // A strategy that throws cannot decide; escalating is the only safe answer.
            catch (Exception strategyFailure)
#pragma warning restore CA1031
            {
                decision = SupervisorDecision.Escalate;
                failure = new AggregateException(failure, strategyFailure);
            }
            NotifyFailure(failure, decision.Directive);
            switch (decision.Directive)
            {
                case SupervisorDirective.Restart:
                    break;
                case SupervisorDirective.Escalate:
                    return (Ending.Escalated, failure);
                default:
                    return (Ending.Stopped, null);
            }

            await InvokeLifecycleAsync(new Restarting(failure, decision.Backoff)).ConfigureAwait(CaptureContext);
            if (decision.Backoff > TimeSpan.Zero && !_stopRequested.Task.IsCompleted)
            {
                var delay = Task.Delay(decision.Backoff, _timeProvider, _abort.Token);
                await Task.WhenAny(delay, _stopRequested.Task).ConfigureAwait(CaptureContext);
            }
            try
            {
                _actor = _props.Producer();
            }
#pragma warning disable CA1031 // A producer that throws is one more failure for the supervisor to count.
            catch (Exception producerFailure)
#pragma warning restore CA1031
            {
                failure = producerFailure;
                continue;
            }
            var startFailure = await InvokeAsync(new Envelope(Started.Instance, null, null)).ConfigureAwait(CaptureContext);
            if (startFailure is null)
            {
                return (Ending.Drained, null);
            }
            failure = startFailure;
        }
    }

    /// <summary>
    /// Ends the actor: closes the mailbox, turns any messages left by a supervised stop into dead letters (failing
    /// their asks), delivers <see cref="Stopping"/> and <see cref="Stopped"/>, then completes <see cref="Completion"/>.
    /// </summary>
    private async Task EndAsync(Ending ending, Exception? escalation)
    {
        _mailbox.Writer.TryComplete();
        _stopRequested.TrySetResult();
        if (ending != Ending.Drained)
        {
            // The actor is gone: its handlers should give up on work in flight.
            Abort();
            while (_mailbox.Reader.TryRead(out var left))
            {
                Interlocked.Increment(ref _deadLetters);
                left.Reply?.TrySetException(new InvalidOperationException(
                    $"Actor '{Name}' (kind {Kind}) stopped before handling {left.Message.GetType().Name}."));
            }
        }
        await InvokeLifecycleAsync(Stopping.Instance).ConfigureAwait(CaptureContext);
        await InvokeLifecycleAsync(Stopped.Instance).ConfigureAwait(CaptureContext);
        Abort();
        _abort.Dispose();
        _system.OnEnded(this);
        if (escalation is not null)
        {
            _system.RaiseEscalated(this, escalation);
            _completion.TrySetException(escalation);
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>Runs the handler for one envelope and returns what it threw, if anything.</summary>
    private async Task<Exception?> InvokeAsync(Envelope envelope)
    {
        Debug.Assert(_actor is not null, "An actor loop runs only after Start has given it an instance.");
        var entered = Interlocked.Exchange(ref _inHandler, 1);
        Debug.Assert(entered == 0, "Two handlers of one actor ran at the same time; the mailbox must be read one message at a time.");
        _context.Set(envelope);
        try
        {
            await _actor.ReceiveAsync(_context).ConfigureAwait(CaptureContext);
            return null;
        }
#pragma warning disable CA1031 // Handler failures are data for the supervisor, whatever their type.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            return failure;
        }
        finally
        {
            _context.Set(default);
            Volatile.Write(ref _inHandler, 0);
        }
    }

    /// <summary>Delivers a lifecycle message whose failure cannot be supervised (the actor is already leaving): counted and observed only.</summary>
    private async Task InvokeLifecycleAsync(object message)
    {
        var failure = await InvokeAsync(new Envelope(message, null, null)).ConfigureAwait(CaptureContext);
        if (failure is not null)
        {
            Interlocked.Increment(ref _failures);
            NotifyFailure(failure, SupervisorDirective.Stop);
        }
    }

    private void NotifyProcessed(TimeSpan elapsed)
    {
        try
        {
            _system.Observer?.OnMessageProcessed(Kind, elapsed);
        }
#pragma warning disable CA1031 // Metrics must never break an actor (documented on IActorObserver).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void NotifyFailure(Exception failure, SupervisorDirective directive)
    {
        try
        {
            _system.Observer?.OnFailure(Kind, Name, failure, directive);
        }
#pragma warning disable CA1031 // Metrics must never break an actor (documented on IActorObserver).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Volatile.Read(ref _inHandler) == 0, "The loop took a new message while a handler was still running.");
        Debug.Assert(_mailbox.Reader.Count <= _props.MailboxCapacity, "The mailbox holds more messages than its capacity.");
        Debug.Assert(!_completion.Task.IsCompleted, "The loop is still taking messages after Completion has completed.");
        Debug.Assert(Interlocked.Read(ref _processingTicks) >= 0, "Total processing time went negative.");
    }
}
