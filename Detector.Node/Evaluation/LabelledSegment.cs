namespace Detector.Node.Evaluation;

/// <summary>A maximal run of consecutive records labelled anomalous: records [Start, End).</summary>
/// <param name="Start">Index of the first anomalous record.</param>
/// <param name="End">Index one past the last anomalous record.</param>
public readonly record struct LabelledSegment(int Start, int End)
{
    /// <summary>Records in the segment.</summary>
    public int Length => End - Start;
}
