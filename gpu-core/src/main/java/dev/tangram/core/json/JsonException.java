package dev.tangram.core.json;

/** Malformed JSON, or JSON that does not have the expected shape; the message names where. */
public final class JsonException extends IllegalArgumentException {
    public JsonException(String message) {
        super(message);
    }
}
