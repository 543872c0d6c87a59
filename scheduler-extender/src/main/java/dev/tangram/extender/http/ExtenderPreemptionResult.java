package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** Preempt answer ({@code ExtenderPreemptionResult}), always in the UID form. */
public record ExtenderPreemptionResult(
        @JsonProperty("NodeNameToMetaVictims") Map<String, ExtenderPreemptionArgs.MetaVictims> nodeNameToMetaVictims) {
}
