package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of the prioritize answer ({@code HostPriorityList}). */
public record HostPriority(@JsonProperty("Host") String host, @JsonProperty("Score") long score) {
}
