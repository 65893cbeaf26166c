using System.Globalization;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// The ConnBurst commands proposals give, in one place so an option renamed on the command line is renamed here once.
/// Each builds a line a person can paste; what the run does not say (a PKI directory, a port) is a placeholder in
/// capitals.
/// </summary>
internal static class ProposalCommands
{
    private const string Results = "--out";

    public static string EcdsaPki(string target) =>
        $"connburst certs --key ecdsa-p256 --out pki-ecdsa && (restart the server with pki-ecdsa) && " +
        $"connburst peak --target {target} --pki pki-ecdsa --monitor MONITOR {Results} results-ecdsa";

    public static string ServerWorkers(int workers, string target) =>
        $"connburst serve mqtt --workers {workers} --listen 0.0.0.0:{PortOf(target)} && connburst peak --target {target} --monitor MONITOR";

    public static string Backlog(int backlog, string target) =>
        $"sysctl -w net.core.somaxconn={backlog} && connburst serve mqtt --backlog {backlog} --listen 0.0.0.0:{PortOf(target)} && " +
        $"connburst burst --target {target} --monitor MONITOR {Results} results-backlog && connburst analyze results-backlog/burst-*.json";

    public static string Agents(int agents, string target, double rate) =>
        $"on each agent I of {agents}: connburst burst --target {target} --rate {N(rate)} --shard I/{agents} {Results} results-agent-I; " +
        "then connburst merge results-agent-*/burst-*.json";

    public static string SourceAddresses(string target) =>
        $"connburst burst --target {target} --source-ips 127.0.0.2-127.0.0.9 {Results} results-sources";

    public static string HoldConnections(long clients, string target) =>
        $"connburst burst --target {target} --clients {clients} --linger 60s --monitor MONITOR {Results} results-hold";

    public static string CrlSize(string target) =>
        "connburst certs --revoked 0 --out pki-small-crl && (restart the server with pki-small-crl) && " +
        $"connburst peak --target {target} --pki pki-small-crl --monitor MONITOR";

    public static string TlsVersion(string version, string target) =>
        $"connburst burst --target {target} --tls {version} --monitor MONITOR {Results} results-tls{version} && " +
        "connburst analyze results-tls1.2/burst-*.json results-tls1.3/burst-*.json";

    private static string PortOf(string target) => target.LastIndexOf(':') is var i and >= 0 ? target[(i + 1)..] : "PORT";

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
