using Detector.Models.Kernels;
using Detector.Models.Numerics;
using Detector.Models.Scoring;

namespace Detector.Streams.Training;

/// <summary>
/// Decides whether a retrain may start (at most one periodic retrain per <see cref="RetrainingOptions.MinInterval"/>)
/// and whether its candidate replaces the current model. Each model scores in the space of its own scaler, fitted on
/// its own training rows: the first model's on the warm-up rows (everything), a candidate's on the reservoir (only rows
/// judged normal, so a narrower spread). Dividing by a smaller spread inflates a candidate's scores for as good a fit,
/// and comparing the two models' raw mean scores kept a stale first model against 164 of 165 candidates (issue 18).
/// The gate therefore compares reconstruction errors on a common footing: each model's per-feature squared error is
/// taken back to raw units (× its scale²) and divided by the held-out rows' own variance of that feature, the same
/// divisor for both models — the share of the held-out rows' variance each model fails to reconstruct.
/// </summary>
public sealed class PromotionGate(RetrainingOptions options, TimeProvider time)
{
    /// <summary>When the last periodic or forced retrain started; null before any.</summary>
    private DateTimeOffset? _lastStart;

    /// <summary>
    /// Whether a retrain may start now: always when <paramref name="force"/>d, otherwise once
    /// <see cref="RetrainingOptions.MinInterval"/> has passed since the last start. A start is recorded when true.
    /// </summary>
    public bool TryStart(bool force)
    {
        var now = time.GetUtcNow();
        if (!force && _lastStart is { } last && now - last < options.MinInterval)
        {
            return false;
        }
        _lastStart = now;
        return true;
    }

    /// <summary>
    /// Compares <paramref name="candidate"/> with <paramref name="current"/> on held-out <paramref name="rows"/>
    /// [count, features]: the candidate passes when its common-footing error is at most
    /// (1 + <see cref="RetrainingOptions.GateTolerance"/>) × the current model's.
    /// </summary>
    public GateVerdict Compare(ModelSnapshot candidate, ModelSnapshot current, float[] rows, int count, IKernels<float> kernels)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(current);
        var variance = Variance(rows, count, current.Schema.Count);
        var candidateScore = CommonError(candidate, rows, count, variance, kernels);
        var currentScore = CommonError(current, rows, count, variance, kernels);
        return new GateVerdict(candidateScore <= currentScore * (1 + options.GateTolerance), candidateScore, currentScore);
    }

    /// <summary>
    /// Mean over rows and features of the model's squared reconstruction error in raw units over the rows' variance of
    /// the feature: e_ij · scale_j² / var_j, where e_ij is the model's per-element error in its own scaled space.
    /// </summary>
    public static double CommonError(ModelSnapshot model, float[] rows, int count, double[] variance, IKernels<float> kernels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(variance);
        var cols = model.Schema.Count;
        var scaled = new float[count * cols];
        model.Scaler.Transform(kernels, rows.AsSpan(0, count * cols), count, scaled);
        var errors = new float[count * cols];
        var rowScores = new float[count];
        var rng = new Rng(0x5c0be);
        var workspace = model.Network.CreateWorkspace(count, training: false);
        model.Network.Score(kernels, scaled, count, workspace, ref rng, rowScores, errors);
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                double scale = model.Scaler.Scale[j];
                sum += errors[i * cols + j] * scale * scale / variance[j];
            }
        }
        return sum / ((double)count * cols);
    }

    /// <summary>Each feature's variance over the rows (1 where a feature is constant, so it is not divided by 0).</summary>
    public static double[] Variance(float[] rows, int count, int cols)
    {
        var mean = new double[cols];
        var variance = new double[cols];
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                mean[j] += rows[i * cols + j];
            }
        }
        for (var j = 0; j < cols; j++)
        {
            mean[j] /= count;
        }
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var d = rows[i * cols + j] - mean[j];
                variance[j] += d * d;
            }
        }
        for (var j = 0; j < cols; j++)
        {
            variance[j] = variance[j] / count is var v && v > 1e-12 ? v : 1;
        }
        return variance;
    }
}

/// <summary>The gate's verdict on a candidate.</summary>
/// <param name="Accepted">Whether the candidate replaces the current model.</param>
/// <param name="CandidateScore">The candidate's held-out error on the common footing (<see cref="PromotionGate.CommonError"/>).</param>
/// <param name="CurrentScore">The current model's, on the same rows and footing.</param>
public sealed record GateVerdict(bool Accepted, double CandidateScore, double CurrentScore);
