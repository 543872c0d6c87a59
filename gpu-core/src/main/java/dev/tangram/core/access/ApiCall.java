package dev.tangram.core.access;

import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One kind of Kubernetes API call, as RBAC sees it: API group ({@code ""} for the core group), resource (with
 * {@code /subresource} when there is one) and verb. Each binary lists the calls its adapters make (its {@code ApiCalls}
 * registry); the shipped RBAC rules are compared with those lists, and each binary's tests compare the list with the
 * requests a mock API server received ({@link #ofRequest}).
 */
public record ApiCall(String group, String resource, String verb) implements Comparable<ApiCall> {
    private static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");
    private static final Comparator<ApiCall> ORDER = Comparator.comparing(ApiCall::group).thenComparing(ApiCall::resource)
            .thenComparing(c -> VERBS.indexOf(c.verb()));

    public ApiCall {
        Objects.requireNonNull(group, "group");
        if (resource == null || resource.isBlank()) {
            throw new IllegalArgumentException("API call without a resource");
        }
        if (!VERBS.contains(verb)) {
            throw new IllegalArgumentException("'" + verb + "' is not an RBAC verb of a resource request (one of " + VERBS + ")");
        }
    }

    public static ApiCall of(String group, String resource, String verb) {
        return new ApiCall(group, resource, verb);
    }

    /** Several verbs on one resource. */
    public static List<ApiCall> verbs(String group, String resource, String... verbs) {
        return Arrays.stream(verbs).map(v -> new ApiCall(group, resource, v)).toList();
    }

    /**
     * The RBAC view of an HTTP request to the API server, e.g. {@code GET /api/v1/pods?watch=true} is
     * {@code ("", "pods", "watch")} and {@code POST /api/v1/namespaces/ns/pods/p/binding} is {@code ("", "pods/binding", "create")}.
     *
     * @throws IllegalArgumentException for a path that is not a resource request ({@code /version}, {@code /openapi/...})
     */
    public static ApiCall ofRequest(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String[] s = Arrays.stream(uri.getPath().split("/")).filter(p -> !p.isEmpty()).toArray(String[]::new);
        int i;
        String group;
        if (s.length >= 3 && s[0].equals("api")) {
            group = "";
            i = 2;
        } else if (s.length >= 4 && s[0].equals("apis")) {
            group = s[1];
            i = 3;
        } else {
            throw new IllegalArgumentException("not a resource request: " + method + " " + pathAndQuery);
        }
        List<String> rest = Arrays.asList(s).subList(i, s.length);
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size()); // namespaced: drop namespaces/<ns>
        }
        String resource = rest.get(0);
        boolean named = rest.size() >= 2;
        if (rest.size() >= 3) {
            resource = resource + "/" + rest.get(2);
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        boolean watch = Arrays.asList(query.split("&")).contains("watch=true") || Arrays.asList(query.split("&")).contains("watch=1");
        String verb = switch (method.toUpperCase(Locale.ROOT)) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("no RBAC verb for HTTP method " + method + " (" + pathAndQuery + ")");
        };
        return new ApiCall(group, resource, verb);
    }

    @Override
    public int compareTo(ApiCall o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return (group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb;
    }
}
