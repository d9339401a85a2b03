namespace Detector.Streams.Training;

/// <summary>
/// Keeps at most one due retrain waiting in the trainer's mailbox: the threshold stage and the retrain timer ask often,
/// and a slow training run must not let those requests pile up (the mailbox is otherwise unbounded).
/// </summary>
internal sealed class RetrainRequests(Action<Retrain> send)
{
    /// <summary>1 while a <see cref="Retrain.WhenDue"/> is waiting in the trainer's mailbox.</summary>
    private int _waiting;

    /// <summary>1 while a due retrain waits for the trainer, else 0.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Asks for a retrain unless one is already waiting; true when this call sent it.</summary>
    public bool TryRequest()
    {
        if (Interlocked.CompareExchange(ref _waiting, 1, 0) != 0)
        {
            return false;
        }
        send(Retrain.WhenDue);
        return true;
    }

    /// <summary>The trainer took the waiting request.</summary>
    public void Taken() => Volatile.Write(ref _waiting, 0);
}
