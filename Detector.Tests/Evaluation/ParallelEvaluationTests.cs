using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Detector.Models.Networks;
using Detector.Models.Training;
using Detector.Node.Evaluation;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>
/// `evaluate` runs independent files (and runs) several at once: at most the parallelism at a time, started in order,
/// results read in order whatever order they finish in, the first failure reported instead of the cancellations it
/// causes, and the same figures at every parallelism.
/// </summary>
public sealed partial class ParallelEvaluationTests() : TempFiles("detector-parallel-")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ResultAsync_JobsFinishInReverseOrder_ResultsByIndex()
    {
        var gates = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        await using var jobs = new ParallelEvaluation<int>(4, 4, async (i, ct) =>
        {
            await gates[i].Task.WaitAsync(ct);
            return i * 10;
        }, CancellationToken.None);

        for (var i = 3; i >= 0; i--)
        {
            gates[i].SetResult();
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(i * 10, await jobs.ResultAsync(i).WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task Jobs_ParallelismTwo_AtMostTwoRunStartedInOrder()
    {
        var gates = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = new ConcurrentQueue<int>();
        var running = 0;
        var most = 0;
        await using var jobs = new ParallelEvaluation<int>(5, 2, async (i, ct) =>
        {
            started.Enqueue(i);
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await gates[i].Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return i;
        }, CancellationToken.None);

        await Poll.UntilAsync(() => started.Count == 2, "the first two jobs to start", Timeout);
        Assert.Equal([0, 1], started.Order());
        gates[1].SetResult();
        await Poll.UntilAsync(() => started.Count == 3, "job 2 to start once job 1 ended", Timeout);
        // Jobs 0 and 1 run at once, so either may have enqueued first; job 2 started only after both.
        Assert.Equal([0, 1], started.Take(2).Order());
        Assert.Equal(2, started.ElementAt(2));
        foreach (var gate in gates)
        {
            gate.TrySetResult();
        }
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, await jobs.ResultAsync(i).WaitAsync(Timeout));
        }
        Assert.Equal([0, 1, 2, 3, 4], started.Order());
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task ResultAsync_LaterJobFails_EarlierResultThrowsThatFailureAndLaterJobsNeverStart()
    {
        var started = new ConcurrentQueue<int>();
        await using var jobs = new ParallelEvaluation<int>(4, 2, async (i, ct) =>
        {
            started.Enqueue(i);
            if (i == 1)
            {
                throw new ArgumentException("m2.csv: no label column");
            }
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            return i;
        }, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<ArgumentException>(() => jobs.ResultAsync(0).WaitAsync(Timeout));
        Assert.Equal("m2.csv: no label column", failure.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.ResultAsync(3).WaitAsync(Timeout));
        Assert.Equal([0, 1], started.Order());
    }

    [Fact]
    public async Task RunAsync_ParallelismOneAndThree_SameFigures()
    {
        var files = Enumerable.Range(1, 3).Select(Machine).ToArray();

        var one = await EvaluateCommand.RunAsync(files, null, Config(1), "machines", null, null, CancellationToken.None);
        var three = await EvaluateCommand.RunAsync(files, null, Config(3), "machines", null, null, CancellationToken.None);

        Assert.Equal(3, three.Files);
        Assert.Equal(2, three.Runs);
        Assert.Equal(WithoutSeconds(one.ToJson()), WithoutSeconds(three.ToJson()));
    }

    /// <summary>The JSON line less its wall time, the one figure that depends on the parallelism.</summary>
    private static string WithoutSeconds(string json) => SecondsField().Replace(json, "");

    [GeneratedRegex(",\"seconds\":[0-9.]+")]
    private static partial Regex SecondsField();

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }

    private static EvaluationConfig Config(int parallelism) => new EvaluationConfig
    {
        Model = new ModelOptions { HiddenSizes = [8], CodeSize = 1 },
        Training = new TrainingOptions { Epochs = 10, BatchSize = 32, LearningRate = 3e-3, Threads = 1 },
        Evaluation = new EvaluationOptions
        {
            TrainRows = 150, CalibrationRows = 50, Threshold = ThresholdMode.Training, Runs = 2, Parallelism = parallelism,
        },
    }.Validate();

    /// <summary>Machine m: two correlated sensors, the second breaking away in faults from record 200.</summary>
    private string Machine(int m)
    {
        var random = new Random(m);
        var csv = new StringBuilder("a,b,label\n");
        for (var t = 0; t < 400; t++)
        {
            var fault = t >= 200 && t % 50 < 10;
            var a = m + Math.Sin(0.2 * t) + 0.05 * random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{a:F4},{a + (fault ? 2.0 : 0.05 * random.NextDouble()):F4},{(fault ? 1 : 0)}\n");
        }
        return Write($"m{m}.csv", csv.ToString());
    }
}
