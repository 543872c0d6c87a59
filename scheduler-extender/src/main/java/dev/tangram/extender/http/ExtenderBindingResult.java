package dev.tangram.extender.http;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Bind answer ({@code ExtenderBindingResult}); {@code Error} is "" on success. */
public record ExtenderBindingResult(@JsonProperty("Error") String error) {
}
