package dev.tangram.dra.claim;

import java.util.List;
import java.util.Objects;

/**
 * One opaque configuration entry of an allocation.
 *
 * @param fromClass      true when it came from the DeviceClass, false when from the claim (claim entries win)
 * @param requests       the requests it applies to; empty means all
 * @param driver         the driver it is meant for
 * @param parametersJson the parameters, as JSON text
 */
public record OpaqueConfig(boolean fromClass, List<String> requests, String driver, String parametersJson) {
    public OpaqueConfig {
        requests = List.copyOf(requests);
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(parametersJson, "parametersJson");
    }

    public boolean appliesTo(String requestName) {
        return requests.isEmpty() || requests.stream().anyMatch(r -> r.equals(requestName) || r.equals(stripSub(requestName)));
    }

    private static String stripSub(String request) {
        int slash = request.indexOf('/');
        return slash < 0 ? request : request.substring(0, slash);
    }
}
