using System.Globalization;
using System.Text;
using ConnBurst.Load;
using ConnBurst.Monitor;

namespace ConnBurst.Deploy;

/// <summary>
/// The YAML of one agents run: the ConfigMap with the start time, the Secret with the client side of the PKI (when
/// rendered from one), and the Indexed Job whose pod I runs <c>burst</c> with the user's options and
/// <c>--shard I/N --start-at START_AT --print-results</c> (docs/DECISIONS.md, "Scale-out"; deploy/README.md).
/// </summary>
internal static class AgentsManifest
{
    /// <summary>Where the Secret is mounted: $CONNBURST_HOME/pki, the PKI burst loads when no PKI option is given.</summary>
    public const string Home = "/etc/connburst";
    public const string ResultsDir = "/results";

    public static string Render(AgentsPlan plan)
    {
        var docs = new List<string> { ConfigMap(plan) };
        if (plan.Pki is not null) docs.Add(Secret(plan, plan.Pki));
        docs.Add(Job(plan));
        return Header(plan) + string.Join("---\n", docs);
    }

    /// <summary>The pods' arguments after the command: burst, the options as typed, then each pod's shard and the start.</summary>
    public static IReadOnlyList<string> PodArgs(AgentsPlan plan)
    {
        var args = new List<string> { "burst" };
        args.AddRange(plan.BurstArgs.Select(KubeText.Literal));
        args.AddRange(["--shard", $"$(JOB_COMPLETION_INDEX)/{plan.Agents.ToString(CultureInfo.InvariantCulture)}", "--start-at",
            "$(START_AT)"]);
        if (!plan.BurstArgs.Contains("--print-results")) args.Add("--print-results");
        return args;
    }

    private static string Header(AgentsPlan plan)
    {
        var inv = CultureInfo.InvariantCulture;
        var o = plan.Options;
        return $"""
            # {plan.CommandLine}
            # Burst agents: one run split into {plan.Agents} shards (docs/DECISIONS.md, "Scale-out"). Pod I runs global clients I, I+{plan.Agents}, ...
            # at the run's rate / {plan.Agents}, and every pod starts its schedule at the ConfigMap's START_AT. Rendered by the command
            # above: change the command, not this text. Launch and collect: deploy/README.md.
            # {plan.ClientsPerAgent.ToString("N0", inv)} clients an agent, {plan.WorkersPerAgent} process(es) each.


            """;
    }

    private static string ConfigMap(AgentsPlan plan) =>
        $"""
        # One start time for every agent, set when this was rendered. An agent that starts after it refuses to run (exit 2,
        # one line in its log), and with backoffLimit 0 the Job fails: render again just before applying.
        apiVersion: v1
        kind: ConfigMap
        metadata:
        {KubeText.Metadata(plan.PlanConfigMap, plan.Namespace, "agent")}
        data:
          START_AT: {KubeText.Quote(plan.StartAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}

        """;

    private static string Secret(AgentsPlan plan, ClientPkiSecret pki)
    {
        var data = string.Join('\n', pki.Files.Select(f => $"  {f.Key}: {Convert.ToBase64String(f.Bytes)}"));
        return $"""
            # The client side of the PKI: its manifest, the client certificate and key, the CA the server's certificate must
            # chain to. Not the CA's key nor the server's.
            apiVersion: v1
            kind: Secret
            metadata:
            {KubeText.Metadata(plan.Secret, plan.Namespace, "agent")}
            type: Opaque
            data:
            {data}

            """;
    }

    private static string Job(AgentsPlan plan)
    {
        var inv = CultureInfo.InvariantCulture;
        var n = plan.Agents.ToString(inv);
        var r = plan.Resources;
        var metrics = plan.MetricsPort?.ToString(inv);
        // burst serves its live interval metrics there while it runs.
        var annotations = plan.MetricsPort is { } port ? KubeText.Scrape(port, 6) + "\n" : "";
        var reserved = metrics is null ? "" : $$"""
                      # ...minus the port this pod listens on for Prometheus (Kubernetes >= 1.27 allows this one).
                      - name: net.ipv4.ip_local_reserved_ports
                        value: "{{metrics}}"

            """;
        var ports = metrics is null ? "" : $$"""
                      ports:
                        - name: metrics
                          containerPort: {{metrics}}

            """;
        var items = plan.Pki is null ? "" : "\n" + string.Join('\n', plan.Pki.Files.Select(f =>
            $"              - key: {f.Key}\n                path: {f.Path}"));
        return $$"""
            apiVersion: batch/v1
            kind: Job
            metadata:
            {{KubeText.Metadata(plan.Name, plan.Namespace, "agent")}}
            spec:
              completionMode: Indexed
              completions: {{n}}
              parallelism: {{n}}
              # A retried agent would run its shard again, late and on its own: the merged run would be wrong, so fail instead.
              backoffLimit: 0
              # No ttlSecondsAfterFinished: the results come back through the pods' logs, which go when the Job is deleted.
              template:
                metadata:
                  labels:
            {{KubeText.Labels("agent", 8)}}
            {{annotations}}    spec:
                  restartPolicy: Never
            {{KubeText.PodSecurity(6)}}
                    sysctls:
                      # Namespaced "safe" sysctls (no kubelet flag needed). Each pod has one IP and sees one Service address, so
                      # it is one (source, destination) pair: 64,512 ephemeral ports instead of the default 28,232 (docs/SCALE.md).
                      - name: net.ipv4.ip_local_port_range
                        value: "1024 65535"
            {{reserved}}      # One agent per node where possible: agents on one node share its cores and skew each other's latencies.
                  topologySpreadConstraints:
                    - maxSkew: 1
                      topologyKey: kubernetes.io/hostname
                      whenUnsatisfiable: ScheduleAnyway
                      labelSelector:
                        matchLabels:
            {{KubeText.Labels("agent", 14)}}
                  containers:
                    - name: agent
                      image: {{plan.Image}}
                      imagePullPolicy: IfNotPresent
                      command: ["connburst"]
                      # The plan is this command line as it was given to kube agents; only the shard differs between pods.
                      args:
            {{KubeText.List(PodArgs(plan), 12)}}
                      # Results files (.json, .hlog, intervals CSV) go under the working directory, a writable emptyDir.
                      workingDir: {{ResultsDir}}
                      env:
                        # With no PKI option, burst loads $CONNBURST_HOME/pki: the Secret mounted below.
                        - name: CONNBURST_HOME
                          value: {{Home}}
                        # Kubernetes injects this into Indexed Job pods too; declared here so that $(JOB_COMPLETION_INDEX) in
                        # args visibly has a source.
                        - name: JOB_COMPLETION_INDEX
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']
                        - name: START_AT
                          valueFrom:
                            configMapKeyRef:
                              name: {{plan.PlanConfigMap}}
                              key: START_AT
                        # For --monitor: the control token of kube monitor's pod; left unset when its Secret does not exist.
                        - name: {{MonitorClient.TokenVariable}}
                          valueFrom:
                            secretKeyRef:
                              name: {{plan.MonitorTokenSecret}}
                              key: {{MonitorManifest.TokenKey}}
                              optional: true
            {{ports}}          # {{plan.ClientsPerAgent.ToString("N0", inv)}} clients a pod at {{AgentResources.KiBPerHeldConnection.ToString(inv)}} KiB a held connection all-in plus {{AgentResources.KernelKiBPerSocket.ToString(inv)}} KiB of kernel
                      # socket memory, and {{AgentResources.BaseMiBPerProcess.ToString(inv)}} MiB for each of its {{(plan.WorkersPerAgent + (plan.WorkersPerAgent > 1 ? 1 : 0)).ToString(inv)}} process(es) (docs/SCALE.md I9, I15, I10).
                      # No CPU limit: CFS throttling would stall the open-loop schedule in 100 ms slices and show as latency;
                      # the results' scheduler-lag figures say when a node is short of CPU.
                      resources:
                        requests:
                          cpu: {{KubeText.Quote(r.Cpu)}}
                          memory: {{r.Request}}
                        limits:
                          memory: {{r.Limit}}
            {{KubeText.ContainerSecurity(10)}}
                      volumeMounts:
                        - name: pki
                          mountPath: {{Home}}/pki
                          readOnly: true
                        - name: results
                          mountPath: {{ResultsDir}}
                        # .NET's diagnostics socket (dotnet-counters, dotnet-trace) lives in /tmp; the root is read-only.
                        - name: tmp
                          mountPath: /tmp
                  volumes:
                    # The client side of a `connburst certs` PKI, group-readable for fsGroup 10001, nobody else.
                    - name: pki
                      secret:
                        secretName: {{plan.Secret}}
                        defaultMode: 0440{{(items.Length == 0 ? "" : "\n            items:" + items)}}
                    # Results files for `kubectl exec` while the pod runs; they go with the pod, which is why
                    # --print-results also puts the results document in the log.
                    - name: results
                      emptyDir: {}
                    - name: tmp
                      emptyDir: {}

            """;
    }
}
