package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Map;

/** Preempt request ({@code ExtenderPreemptionArgs}): victims per node, as whole pods or as UIDs. */
public record ExtenderPreemptionArgs(@JsonProperty("Pod") Pod pod,
                                     @JsonProperty("NodeNameToVictims") Map<String, Victims> nodeNameToVictims,
                                     @JsonProperty("NodeNameToMetaVictims") Map<String, MetaVictims> nodeNameToMetaVictims) {

    /** {@code Victims}: whole pods. */
    public record Victims(@JsonProperty("Pods") List<Pod> pods, @JsonProperty("NumPDBViolations") long numPdbViolations) {
    }

    /** {@code MetaVictims}: pods by UID. */
    public record MetaVictims(@JsonProperty("Pods") List<MetaPod> pods, @JsonProperty("NumPDBViolations") long numPdbViolations) {
    }

    /** {@code MetaPod}. */
    public record MetaPod(@JsonProperty("UID") String uid) {
    }
}
