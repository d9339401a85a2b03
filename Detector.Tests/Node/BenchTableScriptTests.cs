using Xunit;

namespace Detector.Tests.Node;

/// <summary>
/// scripts/bench-table.py, which `make bench` runs: with --into it rewrites only the tables between a document's
/// bench-table markers and keeps the notes around them; a document without the markers is left unchanged.
/// </summary>
public sealed class BenchTableScriptTests() : TempFiles("detector-bench-table-")
{
    [PythonFact]
    public void Into_MarkedDocument_TablesReplacedAndNotesKept()
    {
        var doc = Write("benchmarks.md", string.Join('\n',
            "# Model engine benchmarks", "", "<!-- bench-table:models -->", "old models table", "<!-- /bench-table:models -->", "",
            "A note on the models.", "", "## Pipeline", "<!-- bench-table:pipeline -->", "| pipeline | 1 |",
            "<!-- /bench-table:pipeline -->", "", "A note on the pipeline.", "", "## Kafka", "<!-- bench-table:kafka -->", "old",
            "<!-- /bench-table:kafka -->", "", "A note on Kafka.", ""));

        var (code, error) = Run([.. Inputs(), "--into", doc]);

        Assert.True(code == 0, error);
        var text = File.ReadAllText(doc);
        Assert.Contains("A note on the models.", text, StringComparison.Ordinal);
        Assert.Contains("A note on the pipeline.", text, StringComparison.Ordinal);
        Assert.Contains("A note on Kafka.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("old models table", text, StringComparison.Ordinal);
        Assert.DoesNotContain("| pipeline | 1 |", text, StringComparison.Ordinal);
        Assert.Contains("| ae30 | infer | 256 | 1 | 4,800,000 | 1,700,000 | 2.82x | >= 1.5x yes | 2,100,000 | 2.29x | >= 2.0x yes |", text, StringComparison.Ordinal);
        Assert.Contains("| pipeline, 2 model actors on 2 cores | 3,700,000 | 0.40 | >= 0.70 (**no**) | | | |", text, StringComparison.Ordinal);
        Assert.Contains("| pipeline, 1 model actor on 2 cores | 3,100,000 | 0.91 | >= 0.70 (yes) | | | |", text, StringComparison.Ordinal);
        Assert.Contains("| latency at 1,550,000 rec/s, 1 model actor | | | | 0.35 | 1.10 | <= 20 ms (yes) |", text, StringComparison.Ordinal);
        Assert.Contains("| end-to-end, one node | 450,000 | 0.45 of consume-only | >= 0.50 (**no**) |", text, StringComparison.Ordinal);
        Assert.Contains("| end-to-end / consume-only side by side, 3 alternating pairs (0.52, 0.48, 0.45) | | median 0.48 | >= 0.50 (**no**) |", text, StringComparison.Ordinal);
        // Each table sits inside its own markers, in the document's order.
        Assert.True(text.IndexOf("4,800,000", StringComparison.Ordinal) < text.IndexOf("<!-- /bench-table:models -->", StringComparison.Ordinal));
        Assert.True(text.IndexOf("3,700,000", StringComparison.Ordinal) > text.IndexOf("<!-- bench-table:pipeline -->", StringComparison.Ordinal));
        Assert.True(text.IndexOf("450,000", StringComparison.Ordinal) > text.IndexOf("<!-- bench-table:kafka -->", StringComparison.Ordinal));
    }

    [PythonFact]
    public void Into_DocumentWithoutMarkers_FailsNamingTheMarkerAndLeavesItUnchanged()
    {
        const string before = "# Benchmarks\n\nHand-written notes only.\n";
        var doc = Write("notes.md", before);

        var (code, error) = Run([.. Inputs(), "--into", doc]);

        Assert.NotEqual(0, code);
        Assert.Contains("<!-- bench-table:models -->", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(doc));
    }

    private string[] Inputs() =>
    [
        Write("detector.jsonl", """
            {"impl":"detector","model":"ae30","mode":"infer","batch":256,"threads":1,"records_per_s":4800000}
            """),
        Write("torch.jsonl", """
            {"impl":"pytorch","model":"ae30","mode":"infer","batch":256,"threads":1,"records_per_s":2100000}
            """),
        Write("pipeline.jsonl", """
            {"impl":"detector","case":"model","model":"ae30","batch":256,"threads":2,"records_per_s":9300000}
            {"impl":"detector","case":"pipeline","model":"ae30","threads":2,"cores":2,"records_per_s":3700000,"ratio_to_model":0.398}
            {"impl":"detector","case":"latency","model":"ae30","threads":2,"rate":1850000,"records":3000000,"p50_ms":0.5,"p99_ms":1.9,"max_ms":50}
            {"impl":"detector","case":"model","model":"ae30","batch":256,"threads":1,"records_per_s":3400000}
            {"impl":"detector","case":"pipeline","model":"ae30","threads":1,"cores":2,"records_per_s":3100000,"ratio_to_model":0.912}
            {"impl":"detector","case":"latency","model":"ae30","threads":1,"rate":1550000,"records":3000000,"p50_ms":0.35,"p99_ms":1.1,"max_ms":12}
            """),
        Write("kafka.jsonl", """
            {"impl":"detector","case":"load","records":500000,"partitions":64,"records_per_s":211638}
            {"impl":"detector","case":"consume-only","records":500000,"records_per_s":1000000}
            {"impl":"detector","case":"end-to-end","records":500000,"records_per_s":450000}
            {"impl":"detector","case":"end-to-end-paired","records":500000,"consume_only_records_per_s":[900000,1000000,950000],"end_to_end_records_per_s":[470000,480000,430000],"ratios":[0.522,0.48,0.453],"median_ratio_to_consume_only":0.48}
            {"impl":"python","records_per_s":90000}
            """),
        "--torchsharp",
        Write("torchsharp.jsonl", """
            {"impl":"torchsharp","model":"ae30","mode":"infer","batch":256,"threads":1,"records_per_s":1700000}
            """),
    ];

    private static (int Code, string Error) Run(string[] arguments)
    {
        var (code, _, error) = PythonScript.Run("scripts/bench-table.py", arguments);
        return (code, error);
    }

    /// <summary>A fact that runs Debian's python3: skipped, with the reason, where it is missing.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class PythonFactAttribute : FactAttribute
    {
        public PythonFactAttribute()
        {
            Skip = PythonScript.MissingReason;
        }
    }
}
