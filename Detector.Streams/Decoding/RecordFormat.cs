namespace Detector.Streams.Decoding;

/// <summary>Wire format of records.</summary>
public enum RecordFormat
{
    /// <summary>One JSON object per record.</summary>
    Json = 1,

    /// <summary>One delimited line per record; columns named by the schema's header.</summary>
    Csv = 2,
}
