package dev.tangram.manifests;

import dev.tangram.core.access.ApiCall;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a ServiceAccount may call, read from the (Cluster)Roles a rendering defines and binds to it. Roles the manifests do
 * not define (the {@code system:} bootstrap roles of the kube-scheduler container) and roles labelled
 * {@code app.kubernetes.io/component=kube-scheduler} grant kube-scheduler, not Tangram code, and are left out.
 */
public final class RbacRules {
    public static final String COMPONENT = "app.kubernetes.io/component";

    private RbacRules() {
    }

    /** The calls granted to {@code namespace/serviceAccount}, by the namespace they hold in ("" = cluster-wide). */
    public static Map<String, Set<ApiCall>> grantedTo(Rendered r, String namespace, String serviceAccount) {
        Map<String, Set<ApiCall>> granted = new TreeMap<>();
        for (ClusterRoleBinding b : r.all(ClusterRoleBinding.class)) {
            if (binds(b.getSubjects(), namespace, serviceAccount)) {
                r.all(ClusterRole.class).stream().filter(c -> c.getMetadata().getName().equals(b.getRoleRef().getName()))
                        .filter(c -> !isKubeScheduler(c.getMetadata().getLabels()))
                        .forEach(c -> granted.computeIfAbsent("", k -> new TreeSet<>()).addAll(expand(c.getRules())));
            }
        }
        for (RoleBinding b : r.all(RoleBinding.class)) {
            if (binds(b.getSubjects(), namespace, serviceAccount)) {
                String ns = b.getMetadata().getNamespace();
                if (b.getRoleRef().getKind().equals("ClusterRole")) {
                    r.all(ClusterRole.class).stream().filter(c -> c.getMetadata().getName().equals(b.getRoleRef().getName()))
                            .filter(c -> !isKubeScheduler(c.getMetadata().getLabels()))
                            .forEach(c -> granted.computeIfAbsent(ns, k -> new TreeSet<>()).addAll(expand(c.getRules())));
                } else {
                    r.all(Role.class).stream().filter(c -> c.getMetadata().getName().equals(b.getRoleRef().getName())
                                    && c.getMetadata().getNamespace().equals(ns))
                            .filter(c -> !isKubeScheduler(c.getMetadata().getLabels()))
                            .forEach(c -> granted.computeIfAbsent(ns, k -> new TreeSet<>()).addAll(expand(c.getRules())));
                }
            }
        }
        return granted;
    }

    /** Every call granted, wherever. */
    public static Set<ApiCall> union(Map<String, Set<ApiCall>> byNamespace) {
        Set<ApiCall> all = new TreeSet<>();
        byNamespace.values().forEach(all::addAll);
        return all;
    }

    /** One ApiCall per group × resource × verb of the rules. A wildcard is refused by ApiCall itself (not an RBAC verb we grant). */
    public static Set<ApiCall> expand(List<PolicyRule> rules) {
        Set<ApiCall> calls = new TreeSet<>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        calls.add(ApiCall.of(group, resource, verb));
                    }
                }
            }
        }
        return calls;
    }

    private static boolean isKubeScheduler(Map<String, String> labels) {
        return labels != null && "kube-scheduler".equals(labels.get(COMPONENT));
    }

    private static boolean binds(List<Subject> subjects, String namespace, String serviceAccount) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && serviceAccount.equals(s.getName()) && namespace.equals(s.getNamespace()));
    }
}
