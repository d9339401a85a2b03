using Detector.Models.Kernels;

namespace Detector.Models.Training;

/// <summary>Adam / AdamW over a fixed list of parameter arrays; keeps the moment buffers.</summary>
public sealed class AdamOptimizer
{
    private readonly IReadOnlyList<float[]> _parameters;
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly TrainingOptions _options;
    private int _step;

    /// <summary>Creates moment buffers shaped like the parameters.</summary>
    public AdamOptimizer(IReadOnlyList<float[]> parameters, TrainingOptions options)
    {
        _parameters = parameters;
        _options = options;
        _m = parameters.Select(p => new float[p.Length]).ToArray();
        _v = parameters.Select(p => new float[p.Length]).ToArray();
    }

    /// <summary>Steps taken so far.</summary>
    public int Steps => _step;

    /// <summary>Applies one update from grads (shaped like the parameters).</summary>
    public void Step(IKernels<float> k, IReadOnlyList<float[]> grads)
    {
        _step++;
        var args = new AdamStepArgs<float>((float)_options.LearningRate, (float)_options.Beta1, (float)_options.Beta2,
            (float)_options.Epsilon, (float)_options.WeightDecay, _options.Optimizer == OptimizerKind.AdamW, _step);
        for (var i = 0; i < _parameters.Count; i++)
        {
            k.AdamStep(_parameters[i], grads[i], _m[i], _v[i], args);
        }
    }

    /// <summary>Scales grads so their global L2 norm is at most maxNorm; returns the norm before clipping.</summary>
    public static double ClipGlobalNorm(IKernels<float> k, IReadOnlyList<float[]> grads, double maxNorm)
    {
        var sum = 0.0;
        foreach (var g in grads)
        {
            sum += k.SumOfSquares(g);
        }
        var norm = Math.Sqrt(sum);
        if (maxNorm > 0 && norm > maxNorm)
        {
            var s = (float)(maxNorm / norm);
            foreach (var g in grads)
            {
                k.ScaleInPlace(g, s);
            }
        }
        return norm;
    }
}
