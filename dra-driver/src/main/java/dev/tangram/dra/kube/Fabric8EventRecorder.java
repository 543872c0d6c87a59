package dev.tangram.dra.kube;

import dev.tangram.dra.EventRecorder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

/** Writes warning Events about the Node (namespace {@code default}), as the kubelet does for node-level events. */
public final class Fabric8EventRecorder implements EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric8EventRecorder.class);

    private final KubernetesClient client;
    private final String driver;
    private final String node;
    private final Clock clock;

    public Fabric8EventRecorder(KubernetesClient client, String driver, String node, Clock clock) {
        this.client = client;
        this.driver = driver;
        this.node = node;
        this.clock = clock;
    }

    @Override
    public void warning(String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
        try {
            io.fabric8.kubernetes.api.model.Node n = client.nodes().withName(node).get();
            String uid = n == null ? null : n.getMetadata().getUid();
            client.v1().events().inNamespace("default").resource(new EventBuilder()
                    .withNewMetadata().withName(node + "." + reason.toLowerCase(Locale.ROOT) + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace("default").endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("Node").withName(node).withUid(uid).endInvolvedObject()
                    .withType("Warning").withReason(reason).withMessage(message)
                    .withNewSource().withComponent(driver).withHost(node).endSource()
                    .withReportingComponent(driver).withReportingInstance(node)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withEventTime(new MicroTime(now))
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("cannot record Event {} on node {}: {}", reason, node, e.getMessage());
        }
    }
}
