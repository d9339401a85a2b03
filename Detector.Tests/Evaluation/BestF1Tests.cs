using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>The best point-wise F1 over all thresholds, against a brute-force sweep.</summary>
public sealed class BestF1Tests
{
    [Fact]
    public void BestPointwiseF1_RandomScoresWithTies_MatchesEveryThresholdTriedOneByOne()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = random.Next(1, 60);
            var scores = Enumerable.Range(0, n).Select(_ => (float)random.Next(0, 10)).ToArray();
            var labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3).ToArray();
            if (!labels.Any(l => l))
            {
                labels[0] = true;
            }
            var positives = labels.Count(l => l);
            var brute = scores.Distinct().Max(t =>
            {
                var tp = scores.Where((s, i) => s >= t && labels[i]).Count();
                var flagged = scores.Count(s => s >= t);
                return 2.0 * tp / (flagged + positives);
            });

            Assert.Equal(brute, DetectionSummary.BestPointwiseF1(scores, labels), 12);
        }
    }
}
