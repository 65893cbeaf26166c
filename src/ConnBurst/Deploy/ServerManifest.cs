namespace ConnBurst.Deploy;

/// <summary>
/// The reference MQTT v5 mutual-TLS server in the cluster (<c>connburst kube server</c>): <c>serve mqtt</c> as a
/// Deployment and the headless Service <c>connburst-mqtt:8884</c> the agents target.
/// </summary>
internal static class ServerManifest
{
    public const string Name = "connburst-mqtt";
    public const string Component = "mqtt-server";
    public const int Port = 8884;
    public const int MetricsPort = 9464;

    public static string Render(string commandLine, string image, string? ns) =>
        $$"""
        # {{commandLine}}
        # The reference MQTT v5 mutual-TLS server, so the whole benchmark can run in-cluster: the agents' --target is
        # {{Name}}:{{Port}}. Leave it out to load an external server instead (render the agents with its --target/--server-name).
        # Rendered by the command above: change the command, not this text (deploy/README.md).
        {{KubeText.DeploymentHead(Name, ns, Component, MetricsPort)}}
        {{KubeText.PodSecurity(6)}}
              containers:
                - name: server
                  image: {{image}}
                  imagePullPolicy: IfNotPresent
                  command: ["connburst"]
                  # --workers N shares the port across N processes (SO_REUSEPORT) when one process's cores or fds run out.
                  args:
                    - serve
                    - mqtt
                    - --pki
                    - /etc/connburst/pki
                    - --bind
                    - 0.0.0.0
                    - --port
                    - "{{Port}}"
                    - --results
                    - /results
                    - --prometheus
                    - 0.0.0.0:{{MetricsPort}}
                  ports:
                    - name: mqtts
                      containerPort: {{Port}}
                    - name: metrics
                      containerPort: {{MetricsPort}}
                  # Ready when /metrics answers. A TCP probe on {{Port}} would be counted as a failed handshake every period.
                  readinessProbe:
                    httpGet:
                      path: /metrics
                      port: metrics
                    periodSeconds: 5
                  resources:
                    requests:
                      cpu: "2"
                      memory: 1Gi
                    limits:
                      memory: 2Gi
        {{KubeText.ContainerSecurity(10)}}
                  volumeMounts:
                    - name: pki
                      mountPath: /etc/connburst/pki
                      readOnly: true
                    - name: results
                      mountPath: /results
                    - name: tmp
                      mountPath: /tmp
              volumes:
                # The server side of the same PKI: its manifest (which names the files below), the CA that client
                # certificates must chain to, the server certificate and key, and the CRL checked on every handshake.
                - name: pki
                  secret:
                    secretName: connburst-server-pki
                    defaultMode: 0440
                    items:
                      - key: manifest.json
                        path: manifest.json
                      - key: ca.pem
                        path: ca.pem
                      - key: server.pem
                        path: server.pem
                      - key: server.key
                        path: server.key
                      - key: crl.pem
                        path: crl.pem
                - name: results
                  emptyDir: {}
                - name: tmp
                  emptyDir: {}
        ---
        # Headless (clusterIP: None): {{Name}} resolves to the server pod's IP, so connections skip kube-proxy's NAT
        # and conntrack (one entry per connection, and a table limit at a million; docs/SCALE.md). The server
        # certificate must name {{Name}} (certs --server-names), which the agents verify with --server-name.
        apiVersion: v1
        kind: Service
        metadata:
        {{KubeText.Metadata(Name, ns, Component)}}
        spec:
          clusterIP: None
          selector:
        {{KubeText.Labels(Component, 4)}}
          ports:
            - name: mqtts
              port: {{Port}}
              targetPort: mqtts

        """;
}
