namespace Detector.Streams.Thresholds;

/// <summary>
/// A generalized Pareto distribution fitted to excesses y ≥ 0 over a high threshold: P(Y &gt; y) = (1 + γ y / σ)^(−1/γ)
/// (γ = 0: e^(−y/σ)). Fitted by maximum likelihood on the profile of θ = γ / σ, as in Grimshaw (1993) and SPOT
/// (Siffer et al., KDD 2017): for a given θ the likelihood is maximised by γ(θ) = mean(log(1 + θ y)), σ = γ / θ, so
/// the fit is a one-dimensional search over θ ∈ (−1 / max y, ∞) — a log-spaced grid on both sides of 0, then a
/// golden-section refinement around the best grid point. No root finding, so no case where it fails to converge.
/// </summary>
/// <param name="Shape">γ, the tail index (&gt; 0: heavy tail; 0: exponential; &lt; 0: bounded tail).</param>
/// <param name="Scale">σ &gt; 0.</param>
public readonly record struct GpdFit(double Shape, double Scale)
{
    /// <summary>Grid points on each side of θ = 0.</summary>
    private const int GridPerSide = 48;

    /// <summary>Log-likelihood of <paramref name="excesses"/> under this distribution (−∞ where one is outside its support).</summary>
    public double LogLikelihood(ReadOnlySpan<double> excesses) => LogLikelihood(excesses, Shape, Scale);

    /// <summary>Log-likelihood of <paramref name="excesses"/> under GPD(γ, σ): −n log σ − (1 + 1/γ) Σ log(1 + γ y / σ).</summary>
    public static double LogLikelihood(ReadOnlySpan<double> excesses, double shape, double scale)
    {
        if (!(scale > 0))
        {
            return double.NegativeInfinity;
        }
        var n = excesses.Length;
        if (Math.Abs(shape) < 1e-12)
        {
            var sum = 0.0;
            foreach (var y in excesses)
            {
                sum += y;
            }
            return -n * Math.Log(scale) - sum / scale;
        }
        var logs = 0.0;
        foreach (var y in excesses)
        {
            var z = 1 + shape * y / scale;
            if (!(z > 0))
            {
                return double.NegativeInfinity;
            }
            logs += Math.Log(z);
        }
        return -n * Math.Log(scale) - (1 + 1 / shape) * logs;
    }

    /// <summary>
    /// The maximum-likelihood fit of <paramref name="excesses"/> (all ≥ 0, at least two distinct values; throws
    /// otherwise, naming what is wrong).
    /// </summary>
    public static GpdFit Fit(ReadOnlySpan<double> excesses)
    {
        if (excesses.Length < 2)
        {
            throw new ArgumentException($"a GPD fit needs at least 2 excesses, got {excesses.Length}", nameof(excesses));
        }
        double mean = 0, max = 0;
        foreach (var y in excesses)
        {
            if (!(y >= 0) || double.IsInfinity(y))
            {
                throw new ArgumentOutOfRangeException(nameof(excesses), y, "excesses must be finite and >= 0");
            }
            mean += y;
            max = Math.Max(max, y);
        }
        mean /= excesses.Length;
        if (!(mean > 0))
        {
            throw new ArgumentException("all excesses are 0: the tail has no spread to fit", nameof(excesses));
        }
        // Grid in θ·mean (scale-free): positive side 1e-6 … 1e4, negative side −(1 − u)/max with u from 1 down to 1e-8.
        var bestTheta = 0.0;
        var best = Profile(excesses, 0, mean);
        Span<double> grid = stackalloc double[2 * GridPerSide + 1];
        var g = 0;
        grid[g++] = 0;
        for (var i = 0; i < GridPerSide; i++)
        {
            var t = (double)i / (GridPerSide - 1);
            grid[g++] = Math.Pow(10, -6 + 10 * t) / mean;
            grid[g++] = -(1 - Math.Pow(10, -8 * t)) / max;
        }
        grid.Sort();
        var bestIndex = grid.IndexOf(0.0);
        for (var i = 0; i < grid.Length; i++)
        {
            var l = Profile(excesses, grid[i], mean);
            if (l > best)
            {
                (best, bestTheta, bestIndex) = (l, grid[i], i);
            }
        }
        // Golden section between the best point's neighbours (the profile is unimodal near its maximum in practice).
        var lo = grid[Math.Max(0, bestIndex - 1)];
        var hi = grid[Math.Min(grid.Length - 1, bestIndex + 1)];
        const double invPhi = 0.6180339887498949;
        var a = hi - invPhi * (hi - lo);
        var b = lo + invPhi * (hi - lo);
        var la = Profile(excesses, a, mean);
        var lb = Profile(excesses, b, mean);
        for (var it = 0; it < 60 && hi - lo > 1e-12 * (Math.Abs(lo) + Math.Abs(hi) + 1e-300); it++)
        {
            if (la > lb)
            {
                (hi, b, lb) = (b, a, la);
                a = hi - invPhi * (hi - lo);
                la = Profile(excesses, a, mean);
            }
            else
            {
                (lo, a, la) = (a, b, lb);
                b = lo + invPhi * (hi - lo);
                lb = Profile(excesses, b, mean);
            }
        }
        var (theta, l2) = la > lb ? (a, la) : (b, lb);
        if (l2 > best)
        {
            bestTheta = theta;
        }
        return FromTheta(excesses, bestTheta, mean);
    }

    /// <summary>
    /// The maximum-likelihood fit of excesses each observed only below its cut (<paramref name="cuts"/>[i]; +∞ where
    /// nothing was cut): SPOT never learns a score above its threshold, so the peaks it learnt online are a truncated
    /// sample, and fitting them as if complete makes the tail look lighter, the threshold lower and the flag rate
    /// higher than the risk level (about 2.5x at q = 1e-3 on an exponential stream). The likelihood is
    /// Σ log f(yᵢ) − Σ log F(cᵢ), maximised by Nelder–Mead over (γ, log σ) from the untruncated fit.
    /// </summary>
    public static GpdFit FitTruncated(ReadOnlySpan<double> excesses, ReadOnlySpan<double> cuts)
    {
        if (cuts.Length != excesses.Length)
        {
            throw new ArgumentException($"{cuts.Length} cuts for {excesses.Length} excesses", nameof(cuts));
        }
        var start = Fit(excesses);
        var anyCut = false;
        foreach (var c in cuts)
        {
            anyCut |= double.IsFinite(c);
        }
        if (!anyCut)
        {
            return start;
        }
        // Simplex over (γ, log σ): three vertices, reflect / expand / contract / shrink (Nelder & Mead 1965).
        Span<double> g = [start.Shape, start.Shape + 0.05, start.Shape];
        Span<double> ls = [Math.Log(start.Scale), Math.Log(start.Scale), Math.Log(start.Scale) + 0.05];
        Span<double> f = stackalloc double[3];
        for (var i = 0; i < 3; i++)
        {
            f[i] = -TruncatedLogLikelihood(excesses, cuts, g[i], Math.Exp(ls[i]));
        }
        for (var it = 0; it < 200; it++)
        {
            // Order: 0 best, 2 worst.
            for (var a = 0; a < 2; a++)
            {
                for (var b = a + 1; b < 3; b++)
                {
                    if (f[b] < f[a] || double.IsNaN(f[a]))
                    {
                        (g[a], g[b]) = (g[b], g[a]);
                        (ls[a], ls[b]) = (ls[b], ls[a]);
                        (f[a], f[b]) = (f[b], f[a]);
                    }
                }
            }
            if (Math.Abs(g[2] - g[0]) + Math.Abs(ls[2] - ls[0]) < 1e-7)
            {
                break;
            }
            var (cg, cl) = ((g[0] + g[1]) / 2, (ls[0] + ls[1]) / 2);
            var (rg, rl) = (2 * cg - g[2], 2 * cl - ls[2]);
            var fr = Cost(excesses, cuts, rg, rl);
            if (fr < f[0])
            {
                var (eg, el) = (3 * cg - 2 * g[2], 3 * cl - 2 * ls[2]);
                var fe = Cost(excesses, cuts, eg, el);
                (g[2], ls[2], f[2]) = fe < fr ? (eg, el, fe) : (rg, rl, fr);
            }
            else if (fr < f[1])
            {
                (g[2], ls[2], f[2]) = (rg, rl, fr);
            }
            else
            {
                var (kg, kl) = ((cg + g[2]) / 2, (cl + ls[2]) / 2);
                var fk = Cost(excesses, cuts, kg, kl);
                if (fk < f[2])
                {
                    (g[2], ls[2], f[2]) = (kg, kl, fk);
                }
                else
                {
                    for (var i = 1; i < 3; i++)
                    {
                        (g[i], ls[i]) = ((g[0] + g[i]) / 2, (ls[0] + ls[i]) / 2);
                        f[i] = Cost(excesses, cuts, g[i], ls[i]);
                    }
                }
            }
        }
        var best = 0;
        for (var i = 1; i < 3; i++)
        {
            best = f[i] < f[best] ? i : best;
        }
        return double.IsFinite(f[best]) ? new GpdFit(g[best], Math.Exp(ls[best])) : start;
    }

    /// <summary>What Nelder–Mead minimises: the negative truncated log-likelihood at (γ, log σ).</summary>
    private static double Cost(ReadOnlySpan<double> excesses, ReadOnlySpan<double> cuts, double shape, double logScale) =>
        -TruncatedLogLikelihood(excesses, cuts, shape, Math.Exp(logScale));

    /// <summary>Σ log f(yᵢ) − Σ log F(cᵢ) over the finite cuts (−∞ outside the support or where a cut has no mass below it).</summary>
    public static double TruncatedLogLikelihood(ReadOnlySpan<double> excesses, ReadOnlySpan<double> cuts, double shape, double scale)
    {
        var l = LogLikelihood(excesses, shape, scale);
        if (double.IsNegativeInfinity(l))
        {
            return l;
        }
        foreach (var c in cuts)
        {
            if (!double.IsFinite(c))
            {
                continue;
            }
            double below;
            if (Math.Abs(shape) < 1e-12)
            {
                below = -double.ExpM1(-c / scale);
            }
            else
            {
                var z = 1 + shape * c / scale;
                below = z <= 0 ? 1 : -double.ExpM1(-Math.Log(z) / shape);
            }
            if (!(below > 0))
            {
                return double.NegativeInfinity;
            }
            l -= Math.Log(below);
        }
        return l;
    }

    /// <summary>
    /// The threshold exceeded with probability <paramref name="risk"/> overall, when excesses over
    /// <paramref name="initial"/> occur at rate <paramref name="peakRate"/>: t + σ/γ ((risk / rate)^(−γ) − 1), or
    /// t − σ log(risk / rate) for γ = 0 (SPOT's z_q).
    /// </summary>
    public double Quantile(double initial, double risk, double peakRate)
    {
        var r = risk / peakRate;
        return Math.Abs(Shape) < 1e-12
            ? initial - Scale * Math.Log(r)
            : initial + Scale / Shape * (Math.Pow(r, -Shape) - 1);
    }

    /// <summary>γ(θ) and σ(θ) of the profile (the exponential fit at θ = 0).</summary>
    private static GpdFit FromTheta(ReadOnlySpan<double> excesses, double theta, double mean)
    {
        if (theta == 0)
        {
            return new GpdFit(0, mean);
        }
        var sum = 0.0;
        foreach (var y in excesses)
        {
            sum += Math.Log(1 + theta * y);
        }
        var shape = sum / excesses.Length;
        return Math.Abs(shape) < 1e-12 ? new GpdFit(0, mean) : new GpdFit(shape, shape / theta);
    }

    /// <summary>The profile log-likelihood at θ.</summary>
    private static double Profile(ReadOnlySpan<double> excesses, double theta, double mean)
    {
        var fit = FromTheta(excesses, theta, mean);
        var l = LogLikelihood(excesses, fit.Shape, fit.Scale);
        return double.IsNaN(l) ? double.NegativeInfinity : l;
    }
}
