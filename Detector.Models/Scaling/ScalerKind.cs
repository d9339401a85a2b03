namespace Detector.Models.Scaling;

/// <summary>How features are scaled before the network sees them.</summary>
public enum ScalerKind
{
    /// <summary>No scaling.</summary>
    None = 0,

    /// <summary>(x − mean) / standard deviation.</summary>
    Standard = 1,

    /// <summary>(x − median) / interquartile range: insensitive to the outliers we hunt.</summary>
    Robust = 2,

    /// <summary>(x − min) / (max − min): into [0, 1], for BCE.</summary>
    MinMax = 3,
}
