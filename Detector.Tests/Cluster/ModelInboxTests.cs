using Detector.Models.Artifacts;
using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Node.Cluster;
using Detector.Streams.Training;
using Detector.Tests.Devices;
using Xunit;

namespace Detector.Tests.Cluster;

/// <summary>Models from the cluster: fencing by trainer epoch, size bound, verification; refusals logged and counted, never installed.</summary>
public sealed class ModelInboxTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.Numbered(6);

    private static (ModelInbox Inbox, List<long> Installed, RecordingLogger Log) Inbox(int maxBytes = 1 << 20)
    {
        var log = new RecordingLogger();
        var inbox = new ModelInbox("default", Schema, maxBytes, log);
        var installed = new List<long>();
        inbox.Attach(model =>
        {
            installed.Add(model.Version);
            return Task.FromResult(new ModelInstalled("installed", model.Version));
        });
        return (inbox, installed, log);
    }

    private static ModelPublished Message(long version, long epoch, FeatureSchema? schema = null) =>
        new("default", version, epoch, "n1", ModelArtifact.ToBytes(TestData.Snapshot(new ModelOptions { HiddenSizes = [8], CodeSize = 2 }, schema ?? Schema, "default", version)));

    [Fact]
    public async Task OfferAsync_OlderEpochThanSeen_RefusedCountedNeverInstalled()
    {
        var (inbox, installed, log) = Inbox();
        using var _ = inbox;
        await inbox.OfferAsync(Message(1, epoch: 5), "test");
        // A paused old trainer (epoch 3) publishes v2 after its successor's v1 under epoch 5.
        var stale = await inbox.OfferAsync(Message(2, epoch: 3), "test");
        await inbox.OfferAsync(Message(2, epoch: 5), "test");

        Assert.Null(stale);
        Assert.Equal([1L, 2L], installed);
        Assert.Equal(1, inbox.Refused["stale-epoch"]);
        Assert.Equal(5, inbox.InstalledEpoch);
        Assert.Contains(log.Lines, l => l.Message.Contains("epoch 3 is older than epoch 5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OfferAsync_CorruptOversizeAndForeignSchema_RefusedWithTheReason()
    {
        var (inbox, installed, log) = Inbox(maxBytes: 1 << 16);
        using var _ = inbox;
        var flipped = Message(1, 1);
        flipped.Artifact[flipped.Artifact.Length / 2] ^= 0x5A;
        await inbox.OfferAsync(flipped, "test");
        await inbox.OfferAsync(new ModelPublished("default", 2, 1, "n1", new byte[(1 << 16) + 1]), "test");
        await inbox.OfferAsync(Message(3, 1, FeatureSchema.Numbered(7)), "test");
        await inbox.OfferAsync(new ModelPublished("default", 4, 1, "n1", "not an artifact"u8.ToArray()), "test");

        Assert.Empty(installed);
        Assert.Equal(2, inbox.Refused["corrupt"]);
        Assert.Equal(1, inbox.Refused["oversize"]);
        Assert.Equal(1, inbox.Refused["schema"]);
        Assert.Contains(log.Lines, l => l.Message.Contains("SHA-256 mismatch", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Message.Contains("> Cluster:MaxModelBytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CatchUpAsync_TopicWithAStaleLastRecord_InstallsTheNewestOfTheNewestEpochOnly()
    {
        var (inbox, installed, _) = Inbox();
        using var __ = inbox;
        await inbox.CatchUpAsync([Message(1, 2), Message(2, 2), Message(3, 1)]);

        Assert.Equal([2L], installed);
        Assert.Equal(2, inbox.InstalledEpoch);
        Assert.Equal(1, inbox.Refused["stale-epoch"]);
    }

    [Fact]
    public void Serializer_RoundTripsTheArtifactBytesExactly()
    {
        var message = Message(7, 9);
        var serializer = new ModelPublishedSerializer(null!);
        var back = (ModelPublished)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));

        Assert.Equal((message.Name, message.Version, message.Epoch, message.Origin), (back.Name, back.Version, back.Epoch, back.Origin));
        Assert.Equal(message.Artifact, back.Artifact);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(serializer.ToBinary(message)[..^10], "MP"));
    }
}
