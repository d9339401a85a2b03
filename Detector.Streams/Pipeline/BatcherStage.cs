using Akka.Streams;
using Akka.Streams.Stage;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Micro-batching: copies each decoded chunk's good rows into pooled <see cref="RecordBatch"/>es in source order and
/// seals a batch at <see cref="PipelineOptions.BatchMaxRows"/> rows or <see cref="PipelineOptions.BatchMaxWait"/> after
/// its first row, whichever comes first. The chunk's records were registered with the offset tracker and its failures
/// dead-lettered upstream; the chunk is released here. It pulls the next chunk only once the batches sealed from the
/// last one have all been taken, so it holds at most one open batch and one chunk's worth of sealed ones.
/// </summary>
internal sealed class BatcherStage(RecordBatchPool pool, TimeSpan maxWait) : GraphStage<FlowShape<DecodedChunk, RecordBatch>>
{
    private RecordBatchPool Pool { get; } = pool;

    private TimeSpan MaxWait { get; } = maxWait;

    private readonly Inlet<DecodedChunk> _in = new("batcher.in");
    private readonly Outlet<RecordBatch> _out = new("batcher.out");

    /// <inheritdoc />
    public override FlowShape<DecodedChunk, RecordBatch> Shape => new(_in, _out);

    /// <inheritdoc />
    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string FlushTimer = "flush";
        private readonly BatcherStage _stage;

        /// <summary>Sealed batches not yet pushed, oldest first.</summary>
        private readonly Queue<RecordBatch> _sealed = new();
        private RecordBatch? _open;
        private long _sequence;

        public Logic(BatcherStage stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: () =>
            {
                Seal();
                TryPush();
            });
            SetHandler(stage._out, onPull: TryPush);
        }

        private void OnPush()
        {
            var chunk = Grab(_stage._in);
            try
            {
                var records = chunk.Records;
                for (var i = 0; i < records.Count; i++)
                {
                    if (chunk.Error(i) is not null)
                    {
                        continue; // dead-lettered upstream
                    }
                    var record = records[i];
                    var open = _open ??= Open();
                    chunk.Features(i).CopyTo(open.NextRow());
                    open.Commit(chunk.Info(i), record.Position, record.Payload, record.ReceivedAt.UtcTicks);
                    if (open.IsFull)
                    {
                        Seal();
                    }
                }
            }
            finally
            {
                chunk.Release();
            }
            TryPush();
        }

        protected override void OnTimer(object timerKey)
        {
            Seal();
            TryPush();
        }

        /// <summary>Pushes the oldest sealed batch when there is demand; pulls a chunk when none is left; completes at the end.</summary>
        private void TryPush()
        {
            if (_sealed.Count > 0)
            {
                if (IsAvailable(_stage._out))
                {
                    Push(_stage._out, _sealed.Dequeue());
                }
                if (_sealed.Count > 0)
                {
                    return;
                }
            }
            if (IsClosed(_stage._in))
            {
                CompleteStage();
            }
            else if (!HasBeenPulled(_stage._in) && IsAvailable(_stage._out))
            {
                Pull(_stage._in);
            }
        }

        private RecordBatch Open()
        {
            var batch = _stage.Pool.Rent();
            batch.Sequence = ++_sequence;
            ScheduleOnce(FlushTimer, _stage.MaxWait);
            return batch;
        }

        private void Seal()
        {
            if (_open is not { } batch)
            {
                return;
            }
            _open = null;
            CancelTimer(FlushTimer);
            if (batch.Count == 0)
            {
                _stage.Pool.Return(batch);
                return;
            }
            _sealed.Enqueue(batch);
        }

        public override void PostStop()
        {
            // A failed or cancelled stream: what was never pushed goes back to the pool (its records stay unacknowledged).
            if (_open is { } open)
            {
                _stage.Pool.Return(open);
            }
            while (_sealed.TryDequeue(out var batch))
            {
                _stage.Pool.Return(batch);
            }
        }
    }
}
