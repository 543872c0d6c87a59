package dev.tangram.inference.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Python scripts the conformance ITs run, kept under {@code src/test/resources/conformance}. */
final class PythonScript {
    private PythonScript() {}

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
