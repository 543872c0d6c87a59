package dev.tangram.extender.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.core.decision.PlacementDecisionCodec;
import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.PodBinder;
import dev.tangram.extender.state.PodInfo;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.Map;
import java.util.Optional;

/**
 * Bind through the API: read the pod, merge-patch the decision annotation with the pod's UID and resourceVersion as
 * preconditions (a changed or recreated pod makes the write fail, never land on the wrong pod), then create the Binding
 * (its UID is a precondition too).
 */
public final class Fabric8PodBinder implements PodBinder {
    private final KubernetesClient client;
    private final PodReader reader;
    private final ObjectMapper json = new ObjectMapper();

    public Fabric8PodBinder(KubernetesClient client, PodReader reader) {
        this.client = client;
        this.reader = reader;
    }

    @Override
    public Optional<PodInfo> fetch(String namespace, String name) throws BindException {
        try {
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get()).map(reader::read);
        } catch (KubernetesClientException e) {
            throw new BindException("reading pod " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void bind(PodInfo pod, String node, Optional<PlacementDecision> decision) throws BindException {
        try {
            if (decision.isPresent()) {
                Pod current = client.pods().inNamespace(pod.namespace()).withName(pod.name()).get();
                if (current == null) {
                    throw new BindException("pod " + pod.key() + " no longer exists");
                }
                if (!pod.uid().equals(current.getMetadata().getUid())) {
                    throw new BindException("pod " + pod.key() + " was recreated (UID " + current.getMetadata().getUid() + ")");
                }
                String patch = json.writeValueAsString(Map.of("metadata", Map.of(
                        "uid", pod.uid(),
                        "resourceVersion", current.getMetadata().getResourceVersion(),
                        "annotations", Map.of(TangramNames.ANNOTATION_PLACEMENT, PlacementDecisionCodec.write(decision.get())))));
                client.pods().inNamespace(pod.namespace()).withName(pod.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            }
            Binding binding = new BindingBuilder()
                    .withNewMetadata().withName(pod.name()).withNamespace(pod.namespace()).withUid(pod.uid()).endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
                    .build();
            client.bindings().inNamespace(pod.namespace()).resource(binding).create();
        } catch (KubernetesClientException e) {
            throw new BindException(e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new BindException("encoding the decision patch: " + e.getMessage(), e);
        }
    }
}
