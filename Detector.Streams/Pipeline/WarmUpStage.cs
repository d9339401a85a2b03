using Akka.Streams;
using Akka.Streams.Stage;
using Detector.Streams.Records;
using Detector.Streams.Training;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Holds sealed batches until the first model exists, then lets batches through unchanged. While it holds, it pulls
/// (without downstream demand) until <see cref="RetrainingOptions.WarmUpRows"/> rows are held, then stops pulling
/// (backpressure reaches the source) and starts <c>trainFirst</c> on them (rows labelled anomalous left out). Held
/// batches leave as soon as a first model is live, wherever it came from (in a cluster it can arrive before this node
/// has seen the warm-up rows), oldest first and always before any later batch. When the stream ends with batches
/// held, the first model is trained on what is held. A failure of <c>trainFirst</c> fails the stream.
/// </summary>
internal sealed class WarmUpStage(ModelRegistry registry, int warmUpRows, int features,
    Func<float[], int, Task> trainFirst, CancellationToken cancellationToken) : GraphStage<FlowShape<RecordBatch, RecordBatch>>
{
    private ModelRegistry Registry { get; } = registry;

    private int WarmUpRows { get; } = warmUpRows;

    private int Features { get; } = features;

    private Func<float[], int, Task> TrainFirst { get; } = trainFirst;

    private CancellationToken Token { get; } = cancellationToken;

    private readonly Inlet<RecordBatch> _in = new("warm-up.in");
    private readonly Outlet<RecordBatch> _out = new("warm-up.out");

    /// <inheritdoc />
    public override FlowShape<RecordBatch, RecordBatch> Shape => new(_in, _out);

    /// <inheritdoc />
    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic
    {
        private readonly WarmUpStage _stage;

        /// <summary>Batches waiting to be pushed, oldest first: the held ones, then at most one more.</summary>
        private readonly Queue<RecordBatch> _held = new();
        private int _heldRows;
        private bool _live;
        private bool _training;

        public Logic(WarmUpStage stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, onPush: () =>
            {
                var batch = Grab(_stage._in);
                _held.Enqueue(batch);
                _heldRows += batch.Count;
                Advance();
            }, onUpstreamFinish: Advance);
            SetHandler(stage._out, onPull: Advance);
        }

        public override void PreStart()
        {
            _live = _stage.Registry.Current is not null;
            if (!_live)
            {
                var onFirstModel = GetAsyncCallback(() =>
                {
                    _live = true;
                    Advance();
                });
                _ = _stage.Registry.FirstModelAsync(_stage.Token).ContinueWith(t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        onFirstModel();
                    }
                }, TaskScheduler.Default);
            }
            Advance();
        }

        /// <summary>Moves batches on: pushes held ones once live, else collects (and trains at the warm-up count).</summary>
        private void Advance()
        {
            if (_live)
            {
                if (_held.Count > 0)
                {
                    if (IsAvailable(_stage._out))
                    {
                        Push(_stage._out, _held.Dequeue());
                    }
                    return;
                }
                if (IsClosed(_stage._in))
                {
                    CompleteStage();
                }
                else if (IsAvailable(_stage._out) && !HasBeenPulled(_stage._in))
                {
                    Pull(_stage._in);
                }
                return;
            }
            if (_training)
            {
                return;
            }
            if (_heldRows >= _stage.WarmUpRows || (IsClosed(_stage._in) && _held.Count > 0))
            {
                StartTraining();
            }
            else if (IsClosed(_stage._in))
            {
                CompleteStage();
            }
            else if (!HasBeenPulled(_stage._in))
            {
                Pull(_stage._in);
            }
        }

        private void StartTraining()
        {
            _training = true;
            var features = _stage.Features;
            var rows = new float[_heldRows * features];
            var count = 0;
            foreach (var batch in _held)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch.Info[i].Label != true)
                    {
                        batch.Row(i).CopyTo(rows.AsSpan(count++ * features));
                    }
                }
            }
            var onFailure = GetAsyncCallback<Exception>(FailStage);
            _ = _stage.TrainFirst(rows, count).ContinueWith(t =>
            {
                if (t.Exception is { } e)
                {
                    onFailure(e.InnerExceptions.Count == 1 ? e.InnerException! : e);
                }
            }, TaskScheduler.Default);
        }
    }
}
