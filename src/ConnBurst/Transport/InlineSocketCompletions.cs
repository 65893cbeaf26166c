namespace ConnBurst.Transport;

/// <summary>
/// Socket completions run on .NET's epoll threads instead of being handed to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, which also gives one epoll thread per core). On the server a
/// handshake's every step is an I/O completion, and the hand-off woke a pool thread for each: profiles showed 9% of
/// the server's samples in the scheduler's context switch (docs/DECISIONS.md "Servers: socket completions run inline").
/// .NET reads the variable once, when the first socket registers with epoll, so this must run before any socket exists.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on unless the user set the variable (=0 keeps the thread-pool hand-off). Returns whether they are
    /// on.</summary>
    public static bool EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null) Environment.SetEnvironmentVariable(Variable, "1");
        return Environment.GetEnvironmentVariable(Variable) == "1";
    }
}
