namespace ConnBurst.Monitor.Proc;

/// <summary>One row of the busiest-threads table: CPU seconds a thread used during a recording, and its share of the process's
/// total.</summary>
internal sealed record ThreadCpu(int Tid, string Name, double CpuSeconds, double Share, bool Alive);
