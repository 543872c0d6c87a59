package dev.tangram.core.model;

/** CUDA compute capability, e.g. 9.0 for Hopper. */
public record ComputeCapability(int major, int minor) {
    public ComputeCapability {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("compute capability must not be negative: " + major + "." + minor);
        }
    }

    public static ComputeCapability parse(String text) {
        String[] parts = text.trim().split("\\.");
        if (parts.length != 2) {
            throw new IllegalArgumentException("compute capability must look like MAJOR.MINOR, got '" + text + "'");
        }
        try {
            return new ComputeCapability(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("compute capability must look like MAJOR.MINOR, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
