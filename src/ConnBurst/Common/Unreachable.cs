namespace ConnBurst.Common;

/// <summary>
/// The one wording for "cannot reach X": which peer, at which address, why, and the MQTT benchmark's checks
/// (distributed-tls-performance-testing, Troubleshooting), since server and tester usually run on separate machines.
/// </summary>
internal static class Unreachable
{
    public static string Message(string what, HostPort address, string reason) =>
        $"cannot reach the {what} at {address} ({reason}). Check that it is running and listening on port {address.Port}, " +
        $"that no firewall on either machine blocks TCP port {address.Port}, that {address.Host} is the right IP address, " +
        "and that both machines are on the same network.";
}
