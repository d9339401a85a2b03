using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;
using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>
/// Which librdkafka the node runs on and what security it can speak. The mock brokers speak plaintext only (no TLS
/// listener, no SASL handshake), so TLS is tested through a TLS-terminating proxy in front of a mock broker.
/// </summary>
public sealed class KafkaSecurityTests
{
    [Fact]
    public void KafkaLibrary_OnThisMachine_IsTheRedistsBuildAndTheMockBindsToTheSameFile()
    {
        var path = KafkaLibrary.EnsureLoaded();

        Assert.Equal("2.16.0", Library.VersionString);
        Assert.Contains($"{Path.DirectorySeparatorChar}runtimes{Path.DirectorySeparatorChar}", path, StringComparison.Ordinal);
        Assert.EndsWith("librdkafka.so", path, StringComparison.Ordinal);
        // One copy loaded: a mock cluster made through our P/Invoke is visible to Confluent.Kafka's clients.
        Assert.Single(File.ReadLines("/proc/self/maps").Select(l => l[(l.IndexOf('/', StringComparison.Ordinal) is var i && i >= 0 ? i : l.Length)..])
            .Where(f => Path.GetFileName(f).Contains("librdkafka", StringComparison.Ordinal)).Distinct());
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("visible", 2);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        Assert.Equal(2, admin.GetMetadata("visible", TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);
    }

    [Fact]
    public void SaslMechanisms_LoadedBuild_PlainScramOAuthBuiltInButNoGssapi()
    {
        KafkaLibrary.EnsureLoaded();
        foreach (var mechanism in new[] { "PLAIN", "SCRAM-SHA-512", "OAUTHBEARER" })
        {
            using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
            {
                BootstrapServers = "127.0.0.1:1", SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = Enum.Parse<SaslMechanism>(mechanism.Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
                SaslUsername = "u", SaslPassword = "p",
            }).Build();
        }
        // Kerberos needs Cyrus SASL (libsasl2.so.3), which is exactly what the redist's default build lacks here.
        var gssapi = Assert.Throws<InvalidOperationException>(() => new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = "127.0.0.1:1", SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.Gssapi,
        }).Build());
        Assert.Contains("No provider for SASL mechanism GSSAPI", gssapi.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ssl_ThroughATlsProxyToAMockBroker_ProducesAndConsumesWithTheCertificateVerified()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("tls", 1);
        using var certificate = SelfSigned();
        var ca = Path.Combine(Path.GetTempPath(), $"detector-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(ca, certificate.ExportCertificatePem());
        await using var proxy = TlsProxy.Start(certificate, IPEndPoint.Parse(cluster.BootstrapServers));
        cluster.AdvertiseBrokerAt(1, "127.0.0.1", proxy.Port);
        var security = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = $"127.0.0.1:{proxy.Port}",
            ["security.protocol"] = "ssl",
            ["ssl.ca.location"] = ca,
        };
        try
        {
            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig(security)).Build())
            {
                var delivered = await producer.ProduceAsync("tls", new Message<Null, string> { Value = "over tls" });
                Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
            }
            using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig(security) { GroupId = "tls-reader", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
            consumer.Assign(new TopicPartitionOffset("tls", 0, Offset.Beginning));
            ConsumeResult<Ignore, string>? read = null;
            await Poll.UntilAsync(() => (read ??= consumer.Consume(TimeSpan.FromMilliseconds(100))) is not null, "the record read back over TLS", TimeSpan.FromSeconds(30));
            Assert.Equal("over tls", read!.Message.Value);
            Assert.True(proxy.Handshakes >= 2, $"{proxy.Handshakes} TLS handshakes");
            Assert.Equal(0, proxy.PlaintextConnections);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // A certificate with an ephemeral key cannot serve TLS on every platform: round-trip it through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Terminates TLS on a loopback port and forwards each connection to a plaintext target.</summary>
    private sealed class TlsProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _certificate;
        private readonly IPEndPoint _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _connections = [];
        private Task _accepting = Task.CompletedTask;
        private int _handshakes;
        private int _plaintext;

        private TlsProxy(X509Certificate2 certificate, IPEndPoint target) => (_certificate, _target) = (certificate, target);

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Handshakes => Volatile.Read(ref _handshakes);

        public int PlaintextConnections => Volatile.Read(ref _plaintext);

        public static TlsProxy Start(X509Certificate2 certificate, IPEndPoint target)
        {
            var proxy = new TlsProxy(certificate, target);
            proxy._listener.Start();
            proxy._accepting = proxy.AcceptAsync();
            return proxy;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            await using var tls = new SslStream(client.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
            {
                Interlocked.Increment(ref _plaintext);
                return;
            }
            Interlocked.Increment(ref _handshakes);
            using var broker = new TcpClient();
            try
            {
                await broker.ConnectAsync(_target, _stop.Token);
                var upstream = broker.GetStream();
                await Task.WhenAny(tls.CopyToAsync(upstream, _stop.Token), upstream.CopyToAsync(tls, _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A connection closed by either side or by the stop.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            Task[] open;
            lock (_connections)
            {
                open = [.. _connections];
            }
            await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }
    }
}
