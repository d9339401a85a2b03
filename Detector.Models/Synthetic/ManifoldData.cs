using Detector.Models.Numerics;

namespace Detector.Models.Synthetic;

/// <summary>
/// Rows near a low-dimensional manifold, x = tanh(z·W) + noise with z ~ N(0, I_latent) and W ~ N(0, 1/latent)
/// (the same family as the PyTorch reference benchmark's data), with optional injected anomalies: a normal row with
/// a few features replaced by uniform values in [−1.5, 1.5], which leaves the manifold.
/// </summary>
public sealed class ManifoldData
{
    private readonly double[] _w;
    private readonly int _latent;
    private readonly double _noise;

    /// <summary>Fixes the manifold (W) from the seed.</summary>
    public ManifoldData(int features, int latent = 6, double noise = 0.05, ulong seed = 1)
    {
        Features = features;
        _latent = latent;
        _noise = noise;
        var rng = new Rng(seed);
        _w = new double[latent * features];
        for (var i = 0; i < _w.Length; i++)
        {
            _w[i] = rng.NextGaussian() / Math.Sqrt(latent);
        }
    }

    /// <summary>Columns per row.</summary>
    public int Features { get; }

    /// <summary>rows × Features values, and a label per row (1 = injected anomaly) with the given anomaly rate.</summary>
    public (float[] Data, bool[] Labels) Generate(int rows, double anomalyRate, ulong seed)
    {
        var rng = new Rng(seed);
        var data = new float[rows * Features];
        var labels = new bool[rows];
        var z = new double[_latent];
        var corrupted = Math.Max(1, Features / 10);
        for (var i = 0; i < rows; i++)
        {
            for (var l = 0; l < _latent; l++)
            {
                z[l] = rng.NextGaussian();
            }
            for (var j = 0; j < Features; j++)
            {
                var a = 0.0;
                for (var l = 0; l < _latent; l++)
                {
                    a += z[l] * _w[l * Features + j];
                }
                data[i * Features + j] = (float)(Math.Tanh(a) + _noise * rng.NextGaussian());
            }
            if (rng.NextDouble() < anomalyRate)
            {
                labels[i] = true;
                for (var c = 0; c < corrupted; c++)
                {
                    data[i * Features + rng.NextInt(Features)] = (float)(3 * rng.NextDouble() - 1.5);
                }
            }
        }
        return (data, labels);
    }
}
