using System.Numerics;
using System.Numerics.Tensors;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Networks;

/// <summary>
/// K reconstruction networks of one architecture (<see cref="ModelOptions.Members"/>), each initialised from its own
/// draws of the generator, trained side by side on the same batches and scored as one model: a row's score is the
/// mean of the members' scores, and each feature's error the mean of the members' errors (so attribution works as for
/// one member). Averaging members that differ only in their random start removes part of the seed-to-seed spread of
/// a small model's ranking (docs/quality.md). Loss = (1/K)·Σ_m L_m; ∂/∂θ_m = (1/K)·∂L_m/∂θ_m, the member's own gradient
/// scaled, which Adam (invariant to a constant gradient scale) turns into the step the member would take alone, up to
/// ε and the global-norm clipping, which sees all members.
/// </summary>
public sealed class EnsembleNetwork<T> : ReconstructionNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _offsets;

    /// <summary>Wraps existing members; they must share input size and architecture (options with Members = 1).</summary>
    public EnsembleNetwork(ModelOptions options, IReadOnlyList<ReconstructionNetwork<T>> members) : base(options, members.Count > 0 ? members[0].InputSize : 0)
    {
        if (members.Count != options.Members)
        {
            throw new ArgumentException($"the options name {options.Members} members, {members.Count} were given");
        }
        if (members.Any(m => m.InputSize != InputSize || m.Options != MemberOptions(options) || m is EnsembleNetwork<T>))
        {
            throw new ArgumentException("ensemble members must be single networks of the ensemble's architecture and input size");
        }
        Members = members;
        Parameters = [.. members.SelectMany(m => m.Parameters)];
        _offsets = new int[members.Count + 1];
        for (var i = 0; i < members.Count; i++)
        {
            _offsets[i + 1] = _offsets[i] + members[i].Parameters.Count;
        }
    }

    /// <summary>The member networks, in the order their weights appear in <see cref="Parameters"/>.</summary>
    public IReadOnlyList<ReconstructionNetwork<T>> Members { get; }

    /// <inheritdoc />
    public override IReadOnlyList<T[]> Parameters { get; }

    /// <summary>The architecture of one member: the ensemble's options with Members = 1.</summary>
    public static ModelOptions MemberOptions(ModelOptions options) => options with { Members = 1 };

    /// <summary>A freshly initialised ensemble: the members draw their initial weights one after another from rng.</summary>
    public static EnsembleNetwork<T> Create(ModelOptions options, int inputSize, ref Rng rng)
    {
        var single = MemberOptions(options);
        var members = new ReconstructionNetwork<T>[options.Members];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = FromOptions(single, inputSize, ref rng);
        }
        return new EnsembleNetwork<T>(options, members);
    }

    /// <inheritdoc />
    public override ReconstructionNetwork<TOut> Convert<TOut>() =>
        new EnsembleNetwork<TOut>(Options, [.. Members.Select(m => m.Convert<TOut>())]);

    /// <inheritdoc />
    public override NetworkWorkspace<T> CreateWorkspace(int maxRows, bool training) => new Workspace(this, maxRows, training);

    /// <inheritdoc />
    public override double Loss(IKernels<T> k, ReadOnlySpan<T> input, ReadOnlySpan<T> target, int rows,
        NetworkWorkspace<T> ws, ref Rng rng, bool training, IReadOnlyList<T[]>? grads)
    {
        var w = Check<Workspace>(ws, rows);
        var inv = T.One / T.CreateChecked(Members.Count);
        var sum = 0.0;
        for (var m = 0; m < Members.Count; m++)
        {
            if (grads is null)
            {
                sum += Members[m].Loss(k, input, target, rows, w.Members[m], ref rng, training, null);
                continue;
            }
            // ∂(mean)/∂θ_m = (1/K)·∂L_m/∂θ_m: the member's own gradient, computed into scratch and added scaled.
            var own = w.Gradients[m];
            foreach (var g in own)
            {
                Array.Clear(g);
            }
            sum += Members[m].Loss(k, input, target, rows, w.Members[m], ref rng, training, own);
            for (var i = 0; i < own.Length; i++)
            {
                var into = grads[_offsets[m] + i];
                TensorPrimitives.MultiplyAdd<T>(own[i], inv, into, into);
            }
        }
        return sum / Members.Count;
    }

    /// <inheritdoc />
    public override void Score(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors) => MeanOfMembers(k, x, rows, ws, ref rng, rowScores, errors, ranking: false);

    /// <inheritdoc />
    public override void RankingScore(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors) => MeanOfMembers(k, x, rows, ws, ref rng, rowScores, errors, ranking: true);

    /// <summary>The members' scores (or ranking scores), averaged.</summary>
    private void MeanOfMembers(IKernels<T> k, ReadOnlySpan<T> x, int rows, NetworkWorkspace<T> ws, ref Rng rng,
        Span<T> rowScores, Span<T> errors, bool ranking)
    {
        var w = Check<Workspace>(ws, rows);
        var m = rows * InputSize;
        var inv = T.One / T.CreateChecked(Members.Count);
        rowScores[..rows].Clear();
        errors[..m].Clear();
        for (var i = 0; i < Members.Count; i++)
        {
            if (ranking)
            {
                Members[i].RankingScore(k, x, rows, w.Members[i], ref rng, w.RowLoss, w.Errors);
            }
            else
            {
                Members[i].Score(k, x, rows, w.Members[i], ref rng, w.RowLoss, w.Errors);
            }
            TensorPrimitives.MultiplyAdd<T>(w.RowLoss.AsSpan(0, rows), inv, rowScores[..rows], rowScores[..rows]);
            TensorPrimitives.MultiplyAdd<T>(w.Errors.AsSpan(0, m), inv, errors[..m], errors[..m]);
        }
    }

    /// <summary>One workspace per member; the base buffers hold one member's scores while they are summed.</summary>
    private sealed class Workspace(EnsembleNetwork<T> net, int maxRows, bool training)
        : NetworkWorkspace<T>(maxRows, net.InputSize, training)
    {
        public NetworkWorkspace<T>[] Members { get; } = [.. net.Members.Select(m => m.CreateWorkspace(maxRows, training))];

        /// <summary>Each member's gradient before it is scaled into the ensemble's (training only).</summary>
        public T[][][] Gradients { get; } = training ? [.. net.Members.Select(m => m.CreateGradients())] : [];
    }
}
