using ConnBurst.Monitor;

namespace ConnBurst.Deploy;

/// <summary>
/// <c>connburst kube monitor</c>: <c>connburst monitor</c> for the in-cluster server, in a pod on the server's node
/// (required pod affinity to the server's pods) that shares the node's process namespace, so that it sees the
/// server's process by name as well as the node's CPUs, memory and load; its control port behind a Service, its token
/// from a Secret.
/// </summary>
internal static class MonitorManifest
{
    public const string Name = "connburst-monitor";
    public const string Component = "monitor";
    public const int ControlPort = 8888;
    public const int MetricsPort = 9466;
    public const string TokenKey = "token";
    /// <summary>The Secret holding the control token, unless told otherwise; agents' pods read it too, for burst --monitor.</summary>
    public const string DefaultTokenSecret = "connburst-monitor-token";

    public static string Render(string commandLine, string image, string? ns, string tokenSecret) =>
        $$"""
        # {{commandLine}}
        # The server machine's monitor for the in-cluster {{ServerManifest.Name}} (docs/monitor-protocol.md): one pod on the server's node,
        # recording between START and STOP on port {{ControlPort}}. Rendered by the command above: change the command, not this text.
        {{KubeText.DeploymentHead(Name, ns, Component, MetricsPort)}}
              # The node's process table, so that --process finds the server's process (the oldest connburst on the node
              # that is not the monitor itself; the server pod is running before this one can be scheduled). CPUs, memory
              # and load come from the node's /proc either way. A namespace under the "baseline" Pod Security level
              # refuses hostPID.
              hostPID: true
              # On the server's node, or nowhere: a monitor elsewhere would measure the wrong machine.
              affinity:
                podAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - topologyKey: kubernetes.io/hostname
                      labelSelector:
                        matchLabels:
        {{KubeText.Labels(ServerManifest.Component, 18)}}
        {{KubeText.PodSecurity(6)}}
              containers:
                - name: monitor
                  image: {{image}}
                  imagePullPolicy: IfNotPresent
                  command: ["connburst"]
                  args:
                    - monitor
                    - --listen
                    - 0.0.0.0:{{ControlPort}}
                    - --process
                    - connburst
                    - --prometheus
                    - 0.0.0.0:{{MetricsPort}}
                  # Recordings go under the working directory, a writable emptyDir.
                  workingDir: /results
                  env:
                    # The control port is open to the cluster: START/STOP need AUTH with this token (burst --monitor and peak
                    # read the same variable).
                    - name: {{MonitorClient.TokenVariable}}
                      valueFrom:
                        secretKeyRef:
                          name: {{tokenSecret}}
                          key: {{TokenKey}}
                  ports:
                    - name: control
                      containerPort: {{ControlPort}}
                    - name: metrics
                      containerPort: {{MetricsPort}}
                  resources:
                    requests:
                      cpu: 100m
                      memory: 128Mi
                    limits:
                      memory: 512Mi
        {{KubeText.ContainerSecurity(10)}}
                  volumeMounts:
                    - name: results
                      mountPath: /results
                    - name: tmp
                      mountPath: /tmp
              volumes:
                - name: results
                  emptyDir: {}
                - name: tmp
                  emptyDir: {}
        ---
        apiVersion: v1
        kind: Service
        metadata:
        {{KubeText.Metadata(Name, ns, Component)}}
        spec:
          selector:
        {{KubeText.Labels(Component, 4)}}
          ports:
            - name: control
              port: {{ControlPort}}
              targetPort: control

        """;
}
