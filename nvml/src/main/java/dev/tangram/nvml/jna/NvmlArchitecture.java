package dev.tangram.nvml.jna;

/** nvmlDeviceArchitecture_t values and the lower-case family names Tangram's model uses. */
public enum NvmlArchitecture {
    KEPLER(2, "kepler"),
    MAXWELL(3, "maxwell"),
    PASCAL(4, "pascal"),
    VOLTA(5, "volta"),
    TURING(6, "turing"),
    AMPERE(7, "ampere"),
    ADA(8, "ada-lovelace"),
    HOPPER(9, "hopper"),
    BLACKWELL(10, "blackwell");

    /** What the model says when NVML cannot tell. */
    public static final String UNKNOWN = "unknown";

    private final int code;
    private final String family;

    NvmlArchitecture(int code, String family) {
        this.code = code;
        this.family = family;
    }

    public int code() {
        return code;
    }

    public String family() {
        return family;
    }

    public static String familyOf(int code) {
        for (NvmlArchitecture a : values()) {
            if (a.code == code) {
                return a.family;
            }
        }
        return UNKNOWN;
    }

    /** The NVML code of a family name; -1 when NVML has none. */
    public static int codeOf(String family) {
        for (NvmlArchitecture a : values()) {
            if (a.family.equals(family)) {
                return a.code;
            }
        }
        return -1;
    }
}
