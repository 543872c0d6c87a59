package dev.tangram.manifests;

import dev.tangram.core.access.ApiCall;
import dev.tangram.extender.config.ExtenderConfig;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.tangram.manifests.Chart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Least privilege: the rules bound to each binary's ServiceAccount equal, call for call, the ApiCalls registry of that binary
 * (itself kept equal to what its adapters send to an API server by the binary's own ApiCallsIT).
 */
class RbacTest {
    private static final Rendered DEFAULTS = Rendered.of(Map.of());

    @Test
    void theDevicePluginMayMakeExactlyTheCallsItMakes() {
        var granted = RbacRules.grantedTo(DEFAULTS, NAMESPACE, "tangram-device-plugin");
        assertThat(granted).containsOnlyKeys("");
        assertThat(granted.get("")).containsExactlyInAnyOrderElementsOf(dev.tangram.deviceplugin.kube.ApiCalls.all());
    }

    @Test
    void theDraDriverMayMakeExactlyTheCallsItMakes() {
        var granted = RbacRules.grantedTo(DEFAULTS, NAMESPACE, "tangram-dra-driver");
        assertThat(granted).containsOnlyKeys("");
        assertThat(granted.get("")).containsExactlyInAnyOrderElementsOf(dev.tangram.dra.kube.ApiCalls.all());
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void theExtenderMayMakeExactlyTheCallsItsRenderedConfigurationMakes(String tls) {
        Rendered r = Rendered.of(Map.of("extender.tls.enabled", tls));
        ExtenderConfig config = r.extenderConfig();
        var granted = RbacRules.grantedTo(r, NAMESPACE, "tangram-scheduler");

        assertThat(RbacRules.union(granted)).containsExactlyInAnyOrderElementsOf(dev.tangram.extender.kube.ApiCalls.of(config));
        // the Lease rules hold in the Lease's namespace only; everything else is cluster-wide (nodes and pods of all namespaces)
        String leaseNamespace = dev.tangram.extender.kube.ApiCalls.leaseNamespace(config).orElseThrow();
        assertThat(granted.get(leaseNamespace)).allMatch(c -> c.resource().equals("leases")).isNotEmpty();
        assertThat(granted.get("")).noneMatch(c -> c.resource().equals("leases"));
    }

    @Test
    void kubeSchedulerMayRenewItsOwnLeaseOnly() {
        Role lease = DEFAULTS.one(Role.class, "tangram-kube-scheduler-lease");
        assertThat(lease.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(lease.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResourceNames()).containsExactly("tangram-scheduler");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "update");
        });
        assertThat(DEFAULTS.configFile("tangram-scheduler", "kube-scheduler-config.yaml"))
                .contains("resourceNamespace: " + NAMESPACE).contains("resourceName: tangram-scheduler");
    }

    @Test
    void aRoleGrantingOneVerbTooManyIsCaught() {
        ClusterRole generous = DEFAULTS.one(ClusterRole.class, "tangram-device-plugin");
        var rules = new java.util.ArrayList<>(generous.getRules());
        rules.add(new PolicyRuleBuilder().withApiGroups("").withResources("nodes").withVerbs("update").build());
        Set<ApiCall> expanded = RbacRules.expand(rules);
        assertThat(expanded).isNotEqualTo(dev.tangram.deviceplugin.kube.ApiCalls.all()).contains(ApiCall.of("", "nodes", "update"));
        assertThatThrownBy(() -> RbacRules.expand(List.of(new PolicyRuleBuilder().withApiGroups("").withResources("pods")
                .withVerbs("*").build()))).hasMessageContaining("'*' is not an RBAC verb");
    }
}
