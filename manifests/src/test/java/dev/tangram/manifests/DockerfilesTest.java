package dev.tangram.manifests;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The images cannot be built here (no Docker engine); this checks what can be checked without one: each Dockerfile starts
 * the main class bin/tangram starts, with the launcher's JVM flags, copies what packaging produces, and runs as non-root
 * where the binary allows.
 */
class DockerfilesTest {

    @ParameterizedTest
    @CsvSource({
            "device-plugin,      device-plugin, root",
            "dra-driver,         dra-driver,    root",
            "scheduler-extender, extender,      non-root",
            "inference-runtime,  serve,         non-root",
    })
    void eachImageRunsItsCommandAsTheLauncherDoes(String image, String command, String user) throws IOException {
        String dockerfile = Files.readString(Chart.ROOT.resolve("images").resolve(image).resolve("Dockerfile"));
        String module = Launcher.module(command);
        assertThat(module).isEqualTo(image);

        assertThat(dockerfile).contains("FROM eclipse-temurin:25-jre")
                .contains("COPY " + module + "/target/lib/ /app/lib/")
                .contains("COPY " + module + "/target/tangram-" + module + "-${VERSION}.jar");
        assertThat(Files.isDirectory(Chart.ROOT.resolve(module))).isTrue();
        List<String> entrypoint = entrypoint(dockerfile);
        assertThat(entrypoint.getLast()).isEqualTo(Launcher.mainClass(command));
        assertThat(entrypoint).contains("--enable-native-access=ALL-UNNAMED");

        // JVM flags: JAVA_TOOL_OPTIONS plus those in the entrypoint, as a whole equal to the launcher's
        List<String> flags = new ArrayList<>(Arrays.asList(env(dockerfile, "JAVA_TOOL_OPTIONS").split(" ")));
        flags.addAll(entrypoint.subList(1, entrypoint.indexOf("-cp")));
        flags.remove("--enable-native-access=ALL-UNNAMED");
        assertThat(String.join(" ", flags)).isEqualTo(Launcher.jvmFlags(command).replace("--add-modules jdk.incubator.vector ", "")
                + (entrypoint.contains("jdk.incubator.vector") ? " --add-modules jdk.incubator.vector" : ""));

        String userLine = dockerfile.lines().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        if (user.equals("root")) {
            assertThat(userLine).isEqualTo("USER 0:0");
            assertThat(dockerfile).contains("Runs as root:"); // and says why
        } else {
            assertThat(userLine).matches("USER [1-9][0-9]*:[1-9][0-9]*");
        }
    }

    private static String env(String dockerfile, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dockerfile);
        assertThat(m.find()).as("ENV " + name).isTrue();
        return m.group(1);
    }

    private static List<String> entrypoint(String dockerfile) {
        String line = dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT [")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(line);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
