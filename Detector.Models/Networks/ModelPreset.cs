namespace Detector.Models.Networks;

/// <summary>A measured starting configuration (<see cref="ModelPresets"/>) that the other model and training keys refine.</summary>
public enum ModelPreset
{
    /// <summary>No preset: every key at its own default.</summary>
    None,

    /// <summary>Independent records (card transactions, the ODDS sets): <see cref="ModelPresets.Tabular"/>.</summary>
    Tabular,

    /// <summary>Multivariate time series (sensor windows, SKAB): <see cref="ModelPresets.Telemetry"/>.</summary>
    Telemetry,
}
