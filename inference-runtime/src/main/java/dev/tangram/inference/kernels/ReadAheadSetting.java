package dev.tangram.inference.kernels;

/**
 * How the one-token kernels' read-ahead distance is chosen: {@code auto} (timed on this machine at model load,
 * {@link ReadAheadCalibration}), {@code off}, or a number of bytes ahead (a multiple of 64 up to 64 KiB).
 *
 * @param auto  time the candidates and keep the fastest
 * @param bytes the distance when not {@code auto}; 0 is off
 */
public record ReadAheadSetting(boolean auto, long bytes) {
    public static final ReadAheadSetting AUTO = new ReadAheadSetting(true, 0);
    public static final ReadAheadSetting OFF = new ReadAheadSetting(false, 0);

    public ReadAheadSetting {
        if (auto && bytes != 0) {
            throw new IllegalArgumentException("an automatic read-ahead setting carries no distance, got " + bytes);
        }
        if (!ReadAhead.isDistance(bytes)) {
            throw new IllegalArgumentException("read-ahead must be auto, off or a multiple of 64 bytes up to " + ReadAhead.MAX_DISTANCE
                    + ", got " + bytes);
        }
    }

    /** {@code auto}, {@code off}, or a whole number of bytes ({@code 0} is off). */
    public static ReadAheadSetting parse(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("auto")) {
            return AUTO;
        }
        if (t.equalsIgnoreCase("off")) {
            return OFF;
        }
        long bytes;
        try {
            bytes = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("read-ahead must be auto, off or a number of bytes, got '" + text + "'");
        }
        return new ReadAheadSetting(false, bytes);
    }

    @Override
    public String toString() {
        return auto ? "auto" : bytes == 0 ? "off" : Long.toString(bytes);
    }
}
