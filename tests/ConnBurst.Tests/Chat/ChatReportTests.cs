using System.Text.Json.Nodes;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Chat;
using ConnBurst.Reporting.Compare;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Chat;

public class ChatReportTests
{
    internal static ResultsDocument Synthetic(string tls, double tlsMs, int seed = 1)
    {
        var rng = new Random(seed);
        var doc = new ResultsDocument { Kind = "chat", StartedAt = DateTimeOffset.Now, EndedAt = DateTimeOffset.Now.AddSeconds(5) };
        doc.Config["tls"] = tls;
        doc.Config["server"] = "127.0.0.1:8080";
        doc.Config["clients"] = 100;
        foreach (var (phase, n, ms) in new[] { ("tcp", 100, 0.2), ("tls", 100, tlsMs), ("roundtrip", 1000, 1.0), ("fanout", 99_000, 1.5) })
        {
            var h = LatencyHistograms.Create();
            for (var i = 0; i < n; i++) h.RecordMicros((long)(ms * 1000 * (0.5 + rng.NextDouble())));
            doc.Latency[phase] = LatencyHistograms.Summarize(h, withDistribution: true);
        }
        for (var t = 1; t <= 5; t++)
        {
            doc.Intervals.Add(new IntervalSnapshot { Seconds = t,
                Values = { ["messagesPerSec"] = 200, ["connectedNow"] = 100, ["roundtrip_p50"] = 1, ["roundtrip_p99"] = 2 } });
        }
        doc.Counts.Attempted = 100;
        doc.Counts.Connected = 100;
        doc.Counts.Other["messagesSent"] = 1000;
        doc.Sections["chat"] = new JsonObject { ["everyMemberReceivedEveryBroadcast"] = true,
            ["negotiatedProtocols"] = new JsonObject { ["Tls13"] = 100 } };
        return doc;
    }

    [Fact]
    public void TheTextReportHasTheSeedsStatisticsForEveryPhase()
    {
        var text = ChatTextReport.Render(Synthetic("tls13", 2));
        Assert.Contains("TLS 1.3", text);
        var row = text.Split('\n').Single(l => l.TrimStart().StartsWith("round trip ", StringComparison.Ordinal));
        var cells = row.Trim()["round trip".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1000", cells[0]);
        var values = cells[1..].Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(7, values.Length); // min avg p50 p90 p95 p99 max
        Assert.True(values[0] <= values[2] && values[2] <= values[3] && values[3] <= values[4] && values[4] <= values[5]
            && values[5] <= values[6]);
        Assert.Contains("every member received every broadcast", text);
    }

    [Fact]
    public void ResultsGoUnderTheSeedsFileNamesAndThePngDecodes()
    {
        using var dir = new TempDir();
        var files = ChatResultsWriter.Write(Synthetic("tls12", 3), dir.Combine("results"));
        Assert.Empty(files.Problems);
        Assert.Matches(@"TLS_1_2_client_results_\d{8}_\d{6}\.txt$", files.Text);
        Assert.Matches(@"TLS_1_2_client_performance_\d{8}_\d{6}\.png$", files.Png);
        Assert.Equal("chat", ResultsFile.Read(files.Json).Kind);
        using var bitmap = SkiaSharp.SKBitmap.Decode(files.Png);
        Assert.Equal(ChatPerformanceChart.Width, bitmap.Width);
        Assert.Equal(ChatPerformanceChart.Height, bitmap.Height);
    }

    [Fact]
    public void TheComparisonShowsTheHandshakeRoundTripsInOnePng()
    {
        using var dir = new TempDir();
        var c = RunComparison.Build([RunReportBuilder.Build(Synthetic("tls12", 4, 1)), RunReportBuilder.Build(Synthetic("tls13", 2, 2))]);
        var rounds = HandshakeRounds.Of(c)!;
        Assert.Equal(2, rounds.RoundsA);
        Assert.Equal(1, rounds.RoundsB);
        Assert.Equal(rounds.RttMs, rounds.ExpectedDifferenceMs, 6);
        var text = CompareRenderer.Text(c);
        Assert.Contains("TLS 1.2: 2 RTT", text);
        using var bitmap = SkiaSharp.SKBitmap.Decode(ComparePng.Save(c, dir.Combine("c.png")));
        Assert.Equal(2 * ComparePng.PanelWidth, bitmap.Width);
        Assert.Equal(2 * ComparePng.PanelHeight, bitmap.Height); // four phases, two a row
    }
}
