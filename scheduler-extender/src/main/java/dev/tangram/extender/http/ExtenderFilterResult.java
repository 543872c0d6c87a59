package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.NodeList;

import java.util.List;
import java.util.Map;

/** Filter answer ({@code ExtenderFilterResult}); {@code Error} is "" when all went well. */
public record ExtenderFilterResult(@JsonProperty("Nodes") NodeList nodes, @JsonProperty("NodeNames") List<String> nodeNames,
                                   @JsonProperty("FailedNodes") Map<String, String> failedNodes,
                                   @JsonProperty("FailedAndUnresolvableNodes") Map<String, String> failedAndUnresolvableNodes,
                                   @JsonProperty("Error") String error) {
}
