using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;

namespace Detector.Models.Training;

/// <summary>
/// The state of one training run: optimizer, per-shard workspaces, gradients and batch buffers, all allocated once.
/// Shards are computed in parallel and reduced in shard order (deterministic for a fixed thread count).
/// </summary>
public sealed class TrainingRun
{
    private readonly IKernels<float> _k;
    private readonly ReconstructionNetwork<float> _net;
    private readonly TrainingOptions _options;
    private readonly int _cols;
    private readonly AdamOptimizer _optimizer;
    private readonly Shard[] _shards;

    /// <summary>Allocates the optimizer state and the per-shard buffers for one network.</summary>
    public TrainingRun(IKernels<float> k, ReconstructionNetwork<float> net, TrainingOptions options, int cols)
    {
        _k = k;
        _net = net;
        _options = options;
        _cols = cols;
        _optimizer = new AdamOptimizer(net.Parameters, options);
        var shardRows = (options.BatchSize + options.Threads - 1) / options.Threads;
        _shards = Enumerable.Range(0, options.Threads).Select(_ => new Shard(net, shardRows, cols)).ToArray();
    }

    /// <summary>One pass over the given (already shuffled) rows of scaled training data; returns the row-weighted mean loss.</summary>
    public double Epoch(float[] train, ReadOnlySpan<int> order, ref Rng rng)
    {
        var total = 0.0;
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            var batch = order.Slice(start, Math.Min(_options.BatchSize, order.Length - start));
            total += Step(train, batch, ref rng) * batch.Length;
        }
        return total / order.Length;
    }

    private double Step(float[] train, ReadOnlySpan<int> batch, ref Rng rng)
    {
        var per = (batch.Length + _shards.Length - 1) / _shards.Length;
        var used = 0;
        for (var s = 0; s < _shards.Length; s++)
        {
            var shard = _shards[s];
            var from = Math.Min(s * per, batch.Length);
            shard.Rows = Math.Min(per, batch.Length - from);
            if (shard.Rows > 0)
            {
                used = s + 1;
            }
            for (var i = 0; i < shard.Rows; i++)
            {
                Array.Copy(train, batch[from + i] * _cols, shard.Target, i * _cols, _cols);
            }
            Corrupt(shard, ref rng);
            shard.Rng = new Rng(rng.NextUInt64());
        }
        if (used == 1)
        {
            _shards[0].Compute(_k, _net);
        }
        else
        {
            Parallel.For(0, used, s => _shards[s].Compute(_k, _net));
        }
        var grads = _shards[0].Gradients;
        var loss = _shards[0].Loss * _shards[0].Rows;
        if (used > 1)
        {
            // Σ_s (rows_s / rows)·g_s: each shard's gradient is of its own mean.
            for (var i = 0; i < grads.Length; i++)
            {
                _k.ScaleInPlace(grads[i], (float)_shards[0].Rows / batch.Length);
            }
            for (var s = 1; s < used; s++)
            {
                var w = (float)_shards[s].Rows / batch.Length;
                loss += _shards[s].Loss * _shards[s].Rows;
                for (var i = 0; i < grads.Length; i++)
                {
                    var g = _shards[s].Gradients[i];
                    _k.ScaleInPlace(g, w);
                    System.Numerics.Tensors.TensorPrimitives.Add(grads[i], g, grads[i]);
                }
            }
        }
        AdamOptimizer.ClipGlobalNorm(_k, grads, _options.GradientClipNorm);
        _optimizer.Step(_k, grads);
        return loss / batch.Length;
    }

    /// <summary>Input = target, corrupted for denoising.</summary>
    private void Corrupt(Shard shard, ref Rng rng)
    {
        var n = shard.Rows * _cols;
        var input = shard.Input.AsSpan(0, n);
        shard.Target.AsSpan(0, n).CopyTo(input);
        switch (_options.Noise)
        {
            case NoiseKind.Gaussian:
                for (var i = 0; i < n; i++)
                {
                    input[i] += (float)(_options.NoiseLevel * rng.NextGaussian());
                }
                break;
            case NoiseKind.Masking:
                for (var i = 0; i < n; i++)
                {
                    if (rng.NextDouble() < _options.NoiseLevel)
                    {
                        input[i] = 0f;
                    }
                }
                break;
        }
    }

    /// <summary>Mean loss over data without updating (fixed sampling seed, so epochs compare fairly).</summary>
    public double Evaluate(float[] data, int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var shard = _shards[0];
        var chunk = shard.Workspace.MaxRows;
        var total = 0.0;
        for (var start = 0; start < rows; start += chunk)
        {
            var n = Math.Min(chunk, rows - start);
            var x = data.AsSpan(start * _cols, n * _cols);
            total += _net.Loss(_k, x, x, n, shard.Workspace, ref rng, false, null) * n;
        }
        return total / rows;
    }

    /// <summary>
    /// The indices (ascending) of the rows of scaled data whose scores under the current weights are not among the
    /// highest <paramref name="fraction"/>: what the next epoch trains on when training is trimmed.
    /// </summary>
    public int[] Untrimmed(float[] data, int rows, double fraction, ulong seed)
    {
        var scores = Scores(data, rows, seed);
        var byScore = Enumerable.Range(0, rows).ToArray();
        Array.Sort(scores, byScore);
        var kept = byScore.AsSpan(0, Kept(rows, fraction)).ToArray();
        Array.Sort(kept);
        return kept;
    }

    /// <summary>The mean score of the rows left when the highest <paramref name="fraction"/> is trimmed.</summary>
    public double TrimmedMeanScore(float[] data, int rows, double fraction, ulong seed)
    {
        var scores = Scores(data, rows, seed);
        Array.Sort(scores);
        var keep = Kept(rows, fraction);
        var total = 0.0;
        for (var i = 0; i < keep; i++)
        {
            total += scores[i];
        }
        return total / keep;
    }

    private static int Kept(int rows, double fraction) => Math.Max(1, rows - (int)(rows * fraction));

    /// <summary>Each row's ranking score (<see cref="ReconstructionNetwork{T}.RankingScore"/>) under the current weights (fixed sampling seed).</summary>
    private float[] Scores(float[] data, int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var scores = new float[rows];
        // Between steps the first shard's workspace is free, as for Evaluate.
        var ws = _shards[0].Workspace;
        var errors = new float[ws.MaxRows * _cols];
        for (var start = 0; start < rows; start += ws.MaxRows)
        {
            var n = Math.Min(ws.MaxRows, rows - start);
            _net.RankingScore(_k, data.AsSpan(start * _cols, n * _cols), n, ws, ref rng, scores.AsSpan(start, n), errors);
        }
        return scores;
    }

    /// <summary>One worker's slice of a step.</summary>
    private sealed class Shard(ReconstructionNetwork<float> net, int maxRows, int cols)
    {
        public NetworkWorkspace<float> Workspace { get; } = net.CreateWorkspace(maxRows, training: true);

        public float[][] Gradients { get; } = net.CreateGradients();

        public float[] Input { get; } = new float[maxRows * cols];

        public float[] Target { get; } = new float[maxRows * cols];

        public int Rows { get; set; }

        public double Loss { get; private set; }

        public Rng Rng;

        public void Compute(IKernels<float> k, ReconstructionNetwork<float> net)
        {
            foreach (var g in Gradients)
            {
                Array.Clear(g);
            }
            Loss = net.Loss(k, Input.AsSpan(0, Rows * cols), Target, Rows, Workspace, ref Rng, true, Gradients);
        }
    }
}
