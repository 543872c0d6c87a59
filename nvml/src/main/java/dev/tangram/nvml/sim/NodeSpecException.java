package dev.tangram.nvml.sim;

/**
 * A node description that cannot be used. The message always names the file, the line and the field:
 * {@code examples/nodes/x.yaml:12: gpus[2].numa: must be an integer, got 'one'}.
 */
public final class NodeSpecException extends RuntimeException {
    private final String file;
    private final int line;
    private final String field;

    public NodeSpecException(String file, int line, String field, String reason) {
        super(file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public String file() {
        return file;
    }

    /** 1-based line of the offending field (or of the mapping that lacks it). */
    public int line() {
        return line;
    }

    /** Dotted path of the field, e.g. {@code gpus[2].mig.devices[0].start}; empty for the document itself. */
    public String field() {
        return field;
    }
}
