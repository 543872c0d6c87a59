package dev.tangram.manifests;

import dev.tangram.deviceplugin.DevicePluginCommand;
import dev.tangram.deviceplugin.config.ConfigLoader;
import dev.tangram.deviceplugin.config.MigStrategy;
import dev.tangram.deviceplugin.config.PluginConfig;
import dev.tangram.dra.DraDriverCommand;
import dev.tangram.extender.config.ExtenderConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart rendered with default, MIG and sharing values: each binary's own config loader and command line accept what the
 * chart gives it, and the pods carry what a GPU node agent needs.
 */
class ChartValuesTest {
    private static final Map<String, Object> MIG = Map.of("devicePlugin.config.migStrategy", "mixed");
    private static final Map<String, Object> SHARING = Map.of("devicePlugin.config.sharing.replicas", 4,
            "devicePlugin.config.sharing.policy", "packed", "devicePlugin.config.sharing.resourceName", "nvidia.com/gpu.shared-4x");

    private static PluginConfig devicePluginConfig(Rendered r) throws IOException {
        Path file = Files.createTempFile("device-plugin", ".yaml");
        try {
            Files.writeString(file, r.configFile("tangram-device-plugin", "device-plugin.yaml"));
            return ConfigLoader.load(Optional.of(file), Map.of("NODE_NAME", "gpu-node-1"), Map.of());
        } finally {
            Files.delete(file);
        }
    }

    private static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    private static String hostPath(PodSpec pod, String volume) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).map(Volume::getHostPath).findFirst().orElseThrow().getPath();
    }

    @Test
    void theDevicePluginReadsTheDefaultConfigAndTheKubeletPaths() throws IOException {
        Rendered r = Rendered.of(Map.of());
        PluginConfig config = devicePluginConfig(r);
        assertThat(config.migStrategy()).isEqualTo(MigStrategy.NONE);
        assertThat(config.sharing().replicas()).isEqualTo(1);
        assertThat(config.kubeletDir()).isEqualTo(Path.of("/var/lib/kubelet/device-plugins"));
        assertThat(config.httpPort()).isEqualTo(9445);

        PodSpec pod = r.daemonSet("tangram-device-plugin").getSpec().getTemplate().getSpec();
        Container c = container(pod, "device-plugin");
        new CommandLine(new DevicePluginCommand()).parseArgs(c.getArgs().toArray(String[]::new));
        assertThat(hostPath(pod, "device-plugins")).isEqualTo(config.kubeletDir().toString());
        assertThat(hostPath(pod, "cdi")).isEqualTo(config.cdiDir().toString());
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getPorts().getFirst().getContainerPort()).isEqualTo(config.httpPort());
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void migValuesReachTheDevicePlugin() throws IOException {
        assertThat(devicePluginConfig(Rendered.of(MIG)).migStrategy()).isEqualTo(MigStrategy.MIXED);
    }

    @Test
    void sharingValuesReachTheDevicePluginAndTheSchedulerManagesTheSharedResource() throws IOException {
        Rendered r = Rendered.of(SHARING);
        PluginConfig config = devicePluginConfig(r);
        assertThat(config.sharing().replicas()).isEqualTo(4);
        assertThat(config.sharing().resourceName()).isEqualTo("nvidia.com/gpu.shared-4x");
        assertThat(schedulerConfig(r).toString()).contains("name=nvidia.com/gpu.shared-4x");
        assertThat(r.extenderConfig().sharedResources()).containsExactly("nvidia.com/gpu.shared-4x");
    }

    @Test
    void nodeAgentsRunOnGpuNodesOnlyTolerateGpuTaintsAndAreNodeCritical() {
        Rendered r = Rendered.of(Map.of());
        for (String ds : List.of("tangram-device-plugin", "tangram-dra-driver")) {
            PodSpec pod = r.daemonSet(ds).getSpec().getTemplate().getSpec();
            assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
            var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
            assertThat(terms).flatExtracting(t -> t.getMatchExpressions()).extracting(e -> e.getKey())
                    .containsExactlyInAnyOrder("nvidia.com/gpu.present", "feature.node.kubernetes.io/pci-10de.present");
            assertThat(pod.getTolerations()).extracting(t -> t.getKey()).contains("nvidia.com/gpu", "CriticalAddonsOnly");
        }
    }

    @Test
    void theDraDriverCommandLineAndMountsMatchItsSockets() {
        PodSpec pod = Rendered.of(Map.of()).daemonSet("tangram-dra-driver").getSpec().getTemplate().getSpec();
        Container c = container(pod, "dra-driver");
        var parsed = new CommandLine(new DraDriverCommand()).parseArgs(c.getArgs().toArray(String[]::new));
        assertThat(parsed.matchedOptionValue("--kubelet-dir", (Object) null)).hasToString("/var/lib/kubelet");
        assertThat(hostPath(pod, "plugins-registry")).isEqualTo("/var/lib/kubelet/plugins_registry");
        assertThat(hostPath(pod, "plugin-dir")).isEqualTo("/var/lib/kubelet/plugins/gpu.tangram.dev");
        assertThat(hostPath(pod, "cdi")).isEqualTo("/var/run/cdi");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    }

    @Test
    void everyJavaProcessGetsTheLaunchersFlags() {
        Rendered r = Rendered.of(Map.of());
        assertThat(Launcher.normalise(env(container(r.daemonSet("tangram-device-plugin").getSpec().getTemplate().getSpec(), "device-plugin"),
                "JAVA_TOOL_OPTIONS"))).isEqualTo(Launcher.jvmFlags("device-plugin"));
        assertThat(Launcher.normalise(env(container(r.daemonSet("tangram-dra-driver").getSpec().getTemplate().getSpec(), "dra-driver"),
                "JAVA_TOOL_OPTIONS"))).isEqualTo(Launcher.jvmFlags("dra-driver"));
        assertThat(Launcher.normalise(env(container(r.deployment("tangram-scheduler").getSpec().getTemplate().getSpec(), "extender"),
                "JAVA_TOOL_OPTIONS"))).isEqualTo(Launcher.jvmFlags("extender"));
    }

    @Test
    void theSchedulerProfileCallsTheExtenderWhereItListensAndTheExtenderFollowsItsLease() {
        for (String tls : List.of("true", "false")) {
            Rendered r = Rendered.of(Map.of("extender.tls.enabled", tls));
            ExtenderConfig extender = r.extenderConfig();
            Map<String, Object> scheduler = schedulerConfig(r);
            @SuppressWarnings("unchecked")
            Map<String, Object> stanza = ((List<Map<String, Object>>) scheduler.get("extenders")).getFirst();
            assertThat(stanza.get("urlPrefix")).isEqualTo((tls.equals("true") ? "https" : "http") + "://127.0.0.1:" + extender.http().port() + "/");
            assertThat(stanza).containsEntry("nodeCacheCapable", true).containsEntry("bindVerb", "bind").containsEntry("ignorable", false);
            assertThat(extender.http().tlsClientCaFile().isPresent()).isEqualTo(tls.equals("true"));
            assertThat(extender.http().host()).isEqualTo(tls.equals("true") ? "0.0.0.0" : "127.0.0.1");
            @SuppressWarnings("unchecked")
            Map<String, Object> election = (Map<String, Object>) scheduler.get("leaderElection");
            assertThat(extender.leaderElection().followSchedulerLease())
                    .contains(election.get("resourceNamespace") + "/" + election.get("resourceName"));
            @SuppressWarnings("unchecked")
            var profiles = (List<Map<String, Object>>) scheduler.get("profiles");
            assertThat(profiles).extracting(p -> p.get("schedulerName")).containsExactly("tangram-scheduler");
        }
    }

    @Test
    void monitoringValuesRenderTypedPodMonitorsAndAServiceMonitorOnTheExtendersTlsPort() {
        Rendered r = Rendered.of(Map.of("monitoring.podMonitors", true, "monitoring.serviceMonitor", true,
                "monitoring.labels.release", "prometheus"));
        assertThat(r.all(io.fabric8.openshift.api.model.monitoring.v1.PodMonitor.class)).extracting(m -> m.getMetadata().getName())
                .containsExactlyInAnyOrder("tangram-device-plugin", "tangram-dra-driver");
        var monitor = r.one(io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class, "tangram-extender");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        var endpoint = monitor.getSpec().getEndpoints().getFirst();
        assertThat(endpoint.getScheme()).isEqualTo("https");
        assertThat(endpoint.getTlsConfig().getCert().getSecret().getName()).isEqualTo("tangram-extender-tls");
        var service = r.one(io.fabric8.kubernetes.api.model.Service.class, "tangram-extender");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly(endpoint.getPort());
        assertThat(monitor.getSpec().getSelector().getMatchLabels()).isEqualTo(service.getMetadata().getLabels().entrySet().stream()
                .filter(e -> monitor.getSpec().getSelector().getMatchLabels().containsKey(e.getKey()))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertThat(Rendered.of(Map.of()).objects()).noneMatch(o -> o.getApiVersion().startsWith("monitoring.coreos.com"));
    }

    private static Map<String, Object> schedulerConfig(Rendered r) {
        Map<String, Object> config = new Yaml().load(r.configFile("tangram-scheduler", "kube-scheduler-config.yaml"));
        assertThat(config).containsEntry("apiVersion", "kubescheduler.config.k8s.io/v1").containsEntry("kind", "KubeSchedulerConfiguration");
        return config;
    }
}
