namespace Detector.Models.Training;

/// <summary>Optimizer.</summary>
public enum OptimizerKind
{
    /// <summary>Adam; weight decay (if any) is L2 added to the gradient.</summary>
    Adam = 1,

    /// <summary>AdamW; weight decay is decoupled from the gradient.</summary>
    AdamW = 2,
}
