namespace Detector.Streams.Alerts;

/// <summary>A feature to blame: its name, its share of the row's reconstruction error, and its raw value.</summary>
/// <param name="Name">Feature name.</param>
/// <param name="Contribution">Share of the row's error, in [0, 1].</param>
/// <param name="Value">The feature's value in the record.</param>
public readonly record struct AlertFeature(string Name, float Contribution, float Value);
