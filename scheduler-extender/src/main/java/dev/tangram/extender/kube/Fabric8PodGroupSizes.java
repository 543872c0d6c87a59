package dev.tangram.extender.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** minMember of coscheduling PodGroups ({@code scheduling.x-k8s.io/v1alpha1}) from an informer, when the CRD is installed. */
public final class Fabric8PodGroupSizes implements PodGroupSizes, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fabric8PodGroupSizes.class);
    static final String CRD = "podgroups.scheduling.x-k8s.io";
    static final ResourceDefinitionContext POD_GROUP = new ResourceDefinitionContext.Builder()
            .withGroup("scheduling.x-k8s.io").withVersion("v1alpha1").withPlural("podgroups").withKind("PodGroup").withNamespaced(true).build();

    private final SharedIndexInformer<GenericKubernetesResource> informer;

    private Fabric8PodGroupSizes(SharedIndexInformer<GenericKubernetesResource> informer) {
        this.informer = informer;
    }

    /** Starts an informer on PodGroups when their CRD exists (waiting up to 10 s for its first list), else answers NONE. */
    public static PodGroupSizes startIfInstalled(KubernetesClient client) {
        try {
            if (client.apiextensions().v1().customResourceDefinitions().withName(CRD).get() == null) {
                return PodGroupSizes.NONE;
            }
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(POD_GROUP).inAnyNamespace()
                    .runnableInformer(0);
            informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
            LOG.info("PodGroup CRD found: pods labelled scheduling.x-k8s.io/pod-group are gangs of the group's minMember");
            return new Fabric8PodGroupSizes(informer);
        } catch (KubernetesClientException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("PodGroups not readable ({}): only tangram.dev/gang labels make gangs", e.getMessage());
            return PodGroupSizes.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PodGroupSizes.NONE;
        }
    }

    @Override
    public boolean installed() {
        return true;
    }

    @Override
    public Optional<Integer> minMember(String namespace, String name) {
        GenericKubernetesResource group = informer.getStore().getByKey(namespace + "/" + name);
        if (group == null || !(group.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
            return Optional.empty();
        }
        return spec.get("minMember") instanceof Number n && n.longValue() >= 1 && n.longValue() <= 100_000
                ? Optional.of(n.intValue()) : Optional.empty();
    }

    @Override
    public void close() {
        informer.close();
    }
}
