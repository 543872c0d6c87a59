package dev.tangram.manifests;

import dev.tangram.extender.config.ExtenderConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written manifests outside the chart (manifests/dra, manifests/scheduler) grant the same calls as the chart. */
class StandaloneRbacTest {

    @Test
    void theDraDriversStandaloneRoleEqualsItsRegistry() {
        Rendered r = Rendered.ofFile("manifests/dra/rbac.yaml");
        assertThat(RbacRules.union(RbacRules.grantedTo(r, "tangram-system", "tangram-dra-driver")))
                .containsExactlyInAnyOrderElementsOf(dev.tangram.dra.kube.ApiCalls.all());
    }

    @Test
    void theStandaloneSchedulerGrantsTheExtenderWhatItsConfigMapMakesItCall() {
        Rendered r = Rendered.ofFile("manifests/scheduler/tangram-scheduler.yaml");
        ExtenderConfig config = r.extenderConfig("tangram-extender-config");
        var granted = RbacRules.grantedTo(r, "kube-system", "tangram-scheduler");
        assertThat(RbacRules.union(granted)).containsExactlyInAnyOrderElementsOf(dev.tangram.extender.kube.ApiCalls.of(config));
        assertThat(granted.get(dev.tangram.extender.kube.ApiCalls.leaseNamespace(config).orElseThrow()))
                .allMatch(c -> c.resource().equals("leases"));
    }
}
