namespace ConnBurst.Load;

/// <summary>What the heartbeat does to one client on its walk.</summary>
internal enum HeartbeatAction
{
    None,
    /// <summary>Connecting past its deadline (due time + connect timeout): abort it as timed out.</summary>
    TimeOut,
    /// <summary>Connected, and the PINGRESP to our PINGREQ is overdue: close it (MQTT 3.1.2.10).</summary>
    KeepaliveLost,
    /// <summary>Connected and its keepalive period is up: send PINGREQ.</summary>
    Ping,
}

/// <summary>The one clock's decision per client (docs/DECISIONS.md, "One clock for every connection"), pure: stored deadlines against
/// now.</summary>
internal static class HeartbeatRules
{
    /// <param name="pongDue">When the owed PINGRESP must have come; 0 when none is owed.</param>
    public static HeartbeatAction Decide(ClientState state, long now, long deadline, long nextPing, long pongDue) => state switch
    {
        ClientState.Connecting when now > deadline => HeartbeatAction.TimeOut,
        // Without this a partitioned connection looks held until TCP gives up, about 15 minutes later.
        ClientState.Connected when pongDue != 0 && now > pongDue => HeartbeatAction.KeepaliveLost,
        ClientState.Connected when now >= nextPing => HeartbeatAction.Ping,
        _ => HeartbeatAction.None,
    };
}
