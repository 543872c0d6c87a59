package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Bind request ({@code ExtenderBindingArgs}). */
public record ExtenderBindingArgs(@JsonProperty("PodName") String podName, @JsonProperty("PodNamespace") String podNamespace,
                                  @JsonProperty("PodUID") String podUid, @JsonProperty("Node") String node) {
}
