using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Detector.Streams.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>The trainer election on the mock cluster: one trainer, commands on the control topic never lost or repeated.</summary>
public sealed class TrainerElectionTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly MockCluster _cluster = new(1);
    private readonly KafkaOptions _options;
    private KafkaProducerHost? _producer;

    public TrainerElectionTests()
    {
        _options = new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, SessionTimeout = TimeSpan.FromSeconds(3) };
        _cluster.CreateTopic(_options.ControlTopic, 1);
    }

    public void Dispose()
    {
        _producer?.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Command_SentWhileNoNodeTrains_IsReadByTheNextTrainer()
    {
        (await TrainerAsync("a")).Dispose();
        await SendAsync("retrain");

        using var next = await TrainerAsync("b");
        await Poll.UntilAsync(() => next.Commands.Contains("retrain"), "the next trainer reading the command sent between trainers", Patience);
    }

    [Fact]
    public async Task Command_HandledByOneTrainer_IsNotRepeatedByTheNext()
    {
        using (var first = await TrainerAsync("a"))
        {
            await SendAsync("retrain");
            await Poll.UntilAsync(() => first.Commands.Contains("retrain"), "the first trainer reading the command", Patience);
        }
        using var next = await TrainerAsync("b");
        await SendAsync("marker");
        await Poll.UntilAsync(() => next.Commands.Contains("marker"), "the next trainer reading a later command", Patience);

        Assert.Equal("marker", Assert.Single(next.Commands));
    }

    [Fact]
    public async Task Commands_SentWhileANodeJoinsAndTheRoleIsReassigned_EveryOneIsRead()
    {
        using var trainer = await TrainerAsync("a");
        using var joining = Start("b");
        // The join rebalances the group: the role leaves the trainer and is given out again (to either node). Commands
        // keep coming (each acknowledged by the brokers before the next) until that has happened, and a few after.
        var sent = new List<string>();
        bool Reassigned() => trainer.RoleChanges.Contains(false) && (trainer.Election.IsTrainer || joining.Election.IsTrainer);
        for (var after = 0; after < 3 && sent.Count < 2_000; after += Reassigned() ? 1 : 0)
        {
            sent.Add($"command {sent.Count}");
            await SendAsync(sent[^1]);
        }
        Assert.True(Reassigned(), $"the role never left node a while {sent.Count} commands were sent");
        await Poll.UntilAsync(() => sent.All(c => trainer.Commands.Contains(c) || joining.Commands.Contains(c)), "every command read by one of the nodes", Patience);

        await Poll.UntilAsync(() => trainer.Election.IsTrainer ^ joining.Election.IsTrainer, "exactly one trainer once the group settles", Patience);
    }

    private Member Start(string nodeId) => new(_options, nodeId);

    private async Task<Member> TrainerAsync(string nodeId)
    {
        var member = Start(nodeId);
        using var timeout = new CancellationTokenSource(Patience);
        await member.Election.WhenTrainerAsync(timeout.Token);
        return member;
    }

    private async Task SendAsync(string command)
    {
        _producer ??= new KafkaProducerHost(_options, "test-control");
        await _producer.ProduceAsync(_options.ControlTopic, [new Message<byte[]?, byte[]> { Value = Encoding.UTF8.GetBytes(command) }]).WaitAsync(Patience);
    }

    /// <summary>One node's election, recording the commands it read.</summary>
    private sealed class Member : IDisposable
    {
        private readonly ConcurrentQueue<string> _commands = new();
        private readonly ConcurrentQueue<bool> _roleChanges = new();

        public Member(KafkaOptions options, string nodeId)
        {
            Election = new TrainerElection(options, nodeId, NullLogger.Instance);
            Election.CommandReceived += _commands.Enqueue;
            Election.RoleChanged += _roleChanges.Enqueue;
            Election.Start();
        }

        public TrainerElection Election { get; }

        public List<string> Commands => [.. _commands];

        /// <summary>Each gain (true) and loss (false) of the role, in order.</summary>
        public List<bool> RoleChanges => [.. _roleChanges];

        public void Dispose() => Election.Dispose();
    }
}
