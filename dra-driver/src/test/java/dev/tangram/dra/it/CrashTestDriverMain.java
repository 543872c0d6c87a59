package dev.tangram.dra.it;

import dev.tangram.dra.DraDriverCommand;
import dev.tangram.nvml.sim.SimulatedGpuProbe;
import picocli.CommandLine;

import java.nio.file.Path;

/** The real command in a child JVM, with MIG devices kept in the file {@code $TANGRAM_TEST_MIG_STATE} across kills. */
public final class CrashTestDriverMain {
    public static final String MIG_STATE_ENV = "TANGRAM_TEST_MIG_STATE";

    private CrashTestDriverMain() {
    }

    public static void main(String[] args) {
        Path migState = Path.of(System.getenv(MIG_STATE_ENV));
        System.exit(new CommandLine(new DraDriverCommand(spec -> new FileBackedMigProbe(SimulatedGpuProbe.open(spec), migState)))
                .execute(args));
    }
}
