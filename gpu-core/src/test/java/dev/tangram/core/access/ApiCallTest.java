package dev.tangram.core.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiCallTest {

    @ParameterizedTest
    @CsvSource({
            "GET,    /api/v1/nodes/dgx-01,                                                     '', nodes,        get",
            "GET,    /api/v1/pods?resourceVersion=0,                                           '', pods,         list",
            "GET,    /api/v1/pods?allowWatchBookmarks=true&watch=true&resourceVersion=12,      '', pods,         watch",
            "PATCH,  /api/v1/namespaces/default/pods/p1,                                        '', pods,         patch",
            "POST,   /api/v1/namespaces/default/bindings,                                       '', bindings,     create",
            "POST,   /api/v1/namespaces/default/pods/p1/binding,                                '', pods/binding, create",
            "PUT,    /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l,              coordination.k8s.io, leases, update",
            "GET,    /apis/apiextensions.k8s.io/v1/customresourcedefinitions/podgroups.x.io,    apiextensions.k8s.io, customresourcedefinitions, get",
            "DELETE, /apis/resource.k8s.io/v1/resourceslices/s1,                                resource.k8s.io, resourceslices, delete",
            "DELETE, /apis/resource.k8s.io/v1/resourceslices?fieldSelector=spec.nodeName%3Dn,   resource.k8s.io, resourceslices, deletecollection",
            "GET,    /api/v1/namespaces/kube-system,                                            '', namespaces,   get",
    })
    void translatesAnHttpRequestIntoWhatRbacChecks(String method, String path, String group, String resource, String verb) {
        assertThat(ApiCall.ofRequest(method, path)).isEqualTo(ApiCall.of(group, resource, verb));
    }

    @Test
    void refusesPathsThatAreNotResourceRequests() {
        assertThatThrownBy(() -> ApiCall.ofRequest("GET", "/version")).hasMessageContaining("not a resource request");
        assertThatThrownBy(() -> ApiCall.ofRequest("OPTIONS", "/api/v1/pods")).hasMessageContaining("no RBAC verb");
    }

    @Test
    void refusesAVerbRbacDoesNotKnow() {
        assertThatThrownBy(() -> ApiCall.of("", "pods", "read")).hasMessageContaining("'read' is not an RBAC verb");
    }

    @Test
    void sortsByGroupResourceThenVerbInRbacOrder() {
        var sorted = new java.util.TreeSet<>(ApiCall.verbs("", "pods", "patch", "get", "watch", "list"));
        assertThat(sorted).extracting(ApiCall::verb).containsExactly("get", "list", "watch", "patch");
    }
}
