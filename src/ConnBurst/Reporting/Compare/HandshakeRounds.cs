using System.Globalization;
using System.Text;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Compare;

/// <summary>
/// The handshake round-trip arithmetic for a TLS 1.2 vs 1.3 comparison. A TCP connect costs one network round trip,
/// so the fastest TCP connect of either run estimates the RTT; a full TLS 1.2 handshake needs 2 RTT before application data,
/// TLS 1.3 needs 1. The expected handshake difference is (rounds A - rounds B) x RTT; the rest of the measured
/// difference is CPU and queueing (key exchange, signatures, validation), not the network.
/// </summary>
internal sealed record HandshakeRounds(string ProtocolA, int RoundsA, string ProtocolB, int RoundsB, double RttMs,
    double MeasuredDifferenceMs)
{
    public double ExpectedDifferenceMs => (RoundsA - RoundsB) * RttMs;

    /// <summary>Full-handshake round trips before the first application byte: 2 for TLS 1.2, 1 for TLS 1.3.</summary>
    public static int FullHandshakeRounds(string version) => version == "1.3" ? 1 : 2;

    /// <summary>For the baseline and the second run, when both say their TLS version and timed tcp and tls; else null.</summary>
    public static HandshakeRounds? Of(RunComparison c)
    {
        if (c.Runs.Count < 2) return null;
        var (a, b) = (c.Runs[0].Doc, c.Runs[1].Doc);
        var (va, vb) = (Version(a), Version(b));
        if (va is null || vb is null || va == vb) return null;
        if (!a.Latency.TryGetValue("tcp", out var tcpA) || !b.Latency.TryGetValue("tcp", out var tcpB)) return null;
        if (!a.Latency.TryGetValue("tls", out var tlsA) || !b.Latency.TryGetValue("tls", out var tlsB)) return null;
        if (tcpA.Count == 0 || tcpB.Count == 0 || tlsA.Count == 0 || tlsB.Count == 0) return null;
        // The fastest TCP connect is the best RTT estimate: under load the median carries accept and scheduling queueing.
        return new HandshakeRounds(va, FullHandshakeRounds(va), vb, FullHandshakeRounds(vb), Math.Min(tcpA.Min, tcpB.Min),
            tlsA.P50 - tlsB.P50);
    }

    public string Text()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("TLS handshake round trips (full handshake, before the first application byte):");
        sb.AppendLine(inv, $"  TLS {ProtocolA}: {RoundsA} RTT    TLS {ProtocolB}: {RoundsB} RTT    (TLS 1.2 needs 2 RTT, TLS 1.3 needs 1)");
        sb.AppendLine(inv, $"  network RTT, estimated from the fastest TCP connect (1 RTT): {RttMs:0.000} ms");
        sb.AppendLine(inv,
            $"  expected TLS handshake p50 difference [0]-[1] from round trips alone: {ExpectedDifferenceMs:+0.000;-0.000;0.000} ms");
        sb.AppendLine(inv, $"  measured TLS handshake p50 difference [0]-[1]: {MeasuredDifferenceMs:+0.000;-0.000;0.000} ms");
        sb.AppendLine(inv,
            $"  the rest, {MeasuredDifferenceMs - ExpectedDifferenceMs:+0.000;-0.000;0.000} ms, is CPU and queueing (key exchange, " +
            $"signatures, validation)");
        return sb.ToString();
    }

    private static string? Version(ResultsDocument d) => d.Config["tls"]?.ToString().ToLowerInvariant() switch
    {
        "tls13" or "1.3" => "1.3",
        "tls12" or "1.2" => "1.2",
        _ => null,
    };
}
