package dev.tangram.inference.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Python scripts the conformance ITs run, kept under {@code src/test/resources/conformance}. */
final class PythonScript {
    private PythonScript() {}

    /**
     * The Python the environment variable {@code variable} names; the test is skipped, saying "set {@code variable} to a
     * Python with {@code having}", where it names none or nothing that runs (as on CI).
     */
    static String interpreter(String variable, String having) {
        String python = System.getenv(variable);
        assumeTrue(python != null && Files.isExecutable(Path.of(python)), "set " + variable + " to a Python with " + having);
        return python;
    }

    /** Writes script {@code name} from the test resources into {@code dir}, and returns where it is. */
    static Path copy(Path dir, String name) throws IOException {
        Path script = dir.resolve(name);
        try (InputStream in = PythonScript.class.getResourceAsStream("/conformance/" + name)) {
            if (in == null) {
                throw new IOException("no test resource /conformance/" + name);
            }
            Files.write(script, in.readAllBytes());
        }
        return script;
    }
}
