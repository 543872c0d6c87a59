package dev.tangram.dra;

import java.time.Duration;

/** What the driver counts and times; a no-op by default, Micrometer in the binary. */
public interface DriverMetrics {
    void prepared(Duration took, boolean ok);

    void unprepared(Duration took, boolean ok);

    /** Claims currently prepared, and devices published by health. */
    void state(int preparedClaims, int healthyDevices, int unhealthyDevices);

    DriverMetrics NONE = new DriverMetrics() {
        @Override
        public void prepared(Duration took, boolean ok) {
        }

        @Override
        public void unprepared(Duration took, boolean ok) {
        }

        @Override
        public void state(int preparedClaims, int healthyDevices, int unhealthyDevices) {
        }
    };
}
