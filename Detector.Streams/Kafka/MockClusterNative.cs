using System.Runtime.InteropServices;

namespace Detector.Streams.Kafka;

/// <summary>librdkafka's mock cluster API (rdkafka_mock.h, librdkafka 2.16), bound by <see cref="KafkaLibrary"/> to the file Confluent.Kafka loaded.</summary>
internal static partial class MockClusterNative
{
    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER: the mock cluster lives on a (never used) producer handle.</summary>
    public const int ProducerType = 0;

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(nint conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_new")]
    public static partial nint New(int type, nint conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(nint rk);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint ClusterNew(nint rk, int brokers);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void ClusterDestroy(nint cluster);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint ClusterBootstraps(nint cluster);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TopicCreate(nint cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int BrokerSetDown(nint cluster, int brokerId);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int BrokerSetUp(nint cluster, int brokerId);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    public static partial void PushRequestErrors(nint cluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    public static partial void ClearRequestErrors(nint cluster, short apiKey);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PartitionSetLeader(nint cluster, string topic, int partition, int brokerId);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_coordinator_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CoordinatorSet(nint cluster, string keyType, string key, int brokerId);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int BrokerSetHostPort(nint cluster, int brokerId, string host, int port);

    [LibraryImport(KafkaLibrary.ImportName, EntryPoint = "rd_kafka_err2str")]
    public static partial nint ErrorString(int error);
}
