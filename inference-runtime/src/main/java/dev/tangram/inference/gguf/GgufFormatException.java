package dev.tangram.inference.gguf;

/** A GGUF file that cannot be read: truncated, corrupt, or using something this reader does not support. */
public class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
