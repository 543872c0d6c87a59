package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;

/** Filter and prioritize request ({@code ExtenderArgs}): the pod and either the whole nodes or their names. */
public record ExtenderArgs(@JsonProperty("Pod") Pod pod, @JsonProperty("Nodes") NodeList nodes,
                           @JsonProperty("NodeNames") List<String> nodeNames) {
}
