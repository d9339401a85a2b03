using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Scaling;
using Detector.Models.Training;

namespace Detector.Models.Scoring;

/// <summary>
/// One immutable, versioned model: schema, scaler, network weights and training metadata. Thread-safe to share:
/// nothing in it changes after construction, and every concurrent caller scores through its own
/// <see cref="Scorer"/> (own scratch buffers).
/// </summary>
public sealed class ModelSnapshot
{
    /// <summary>Creates a snapshot; the network is deep-copied so later changes to it cannot leak in.</summary>
    public ModelSnapshot(string name, long version, FeatureSchema schema, FeatureScaler scaler,
        ReconstructionNetwork<float> network, TrainingMetadata metadata)
        : this(name, version, schema, scaler, metadata, network.Convert<float>())
    {
    }

    /// <summary>Takes the network as it is: only for networks nothing else holds.</summary>
    private ModelSnapshot(string name, long version, FeatureSchema schema, FeatureScaler scaler,
        TrainingMetadata metadata, ReconstructionNetwork<float> network)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (schema.Count != network.InputSize || scaler.Count != network.InputSize)
        {
            throw new SchemaMismatchException($"schema ({schema.Count}), scaler ({scaler.Count}) and network ({network.InputSize}) disagree on the number of features");
        }
        Name = name;
        Version = version;
        Schema = schema;
        Scaler = scaler;
        Network = network;
        Metadata = metadata;
    }

    /// <summary>Model name (the key it is published under).</summary>
    public string Name { get; }

    /// <summary>Monotonic version within the name.</summary>
    public long Version { get; }

    /// <summary>Features, in column order.</summary>
    public FeatureSchema Schema { get; }

    /// <summary>Scaling fitted on the training data.</summary>
    public FeatureScaler Scaler { get; }

    /// <summary>The network (never mutated after construction).</summary>
    public ReconstructionNetwork<float> Network { get; }

    /// <summary>Architecture.</summary>
    public ModelOptions Options => Network.Options;

    /// <summary>How it was trained.</summary>
    public TrainingMetadata Metadata { get; }

    /// <summary>The same weights under another name and version (weights are shared, not copied).</summary>
    public ModelSnapshot WithIdentity(string name, long version) => new(name, version, Schema, Scaler, Metadata, Network);

    /// <summary>The same weights with other metadata (weights are shared, not copied).</summary>
    public ModelSnapshot WithMetadata(TrainingMetadata metadata) => new(Name, Version, Schema, Scaler, metadata, Network);

    /// <summary>The same model computed by another engine (this snapshot when it already runs there; else the weights are copied).</summary>
    public ModelSnapshot OnEngine(Engines.IModelEngine engine)
    {
        var adopted = engine.Adopt(Network);
        return ReferenceEquals(adopted, Network) ? this : new(Name, Version, Schema, Scaler, adopted, Metadata);
    }

    /// <summary>The same model computed by the named engine (resolved from <see cref="Engines.ModelEngines"/>).</summary>
    public ModelSnapshot OnEngine(Engines.ModelEngine engine) => OnEngine(Engines.ModelEngines.Resolve(engine));

    /// <summary>A scorer with its own buffers for batches of up to maxBatch rows (larger batches are chunked).</summary>
    public Scorer CreateScorer(IKernels<float>? kernels = null, int maxBatch = 1024, ulong seed = 0x5c0be) =>
        new(this, kernels ?? CpuKernels.Instance, maxBatch, seed);
}
