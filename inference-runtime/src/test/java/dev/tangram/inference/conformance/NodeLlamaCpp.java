package dev.tangram.inference.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp itself, as the npm package {@code node-llama-cpp} ships it (prebuilt for the usual platforms), installed
 * from the npm registry into a cache folder under the temp directory on first use. Tests that need it are skipped,
 * with the reason, where node or npm or the registry is not available.
 */
final class NodeLlamaCpp {
    static final String VERSION = System.getProperty("tangram.nodeLlamaCpp.version", "3.22.1");
    static final Path HOME = Path.of(System.getProperty("java.io.tmpdir"), "tangram-npm", "node-llama-cpp-" + VERSION);

    private NodeLlamaCpp() {}

    /** Installs the package if needed; skips the calling test when that is impossible. */
    static synchronized Path installed() throws IOException, InterruptedException {
        Path marker = HOME.resolve("node_modules/node-llama-cpp/package.json");
        if (!Files.exists(marker)) {
            assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed to run llama.cpp from the npm package node-llama-cpp");
            Files.createDirectories(HOME);
            Result r = run(HOME, 600, "npm", "install", "--prefix", HOME.toString(), "--no-audit", "--no-fund", "--ignore-scripts",
                    "--loglevel=error", "node-llama-cpp@" + VERSION);
            assumeTrue(r.code == 0 && Files.exists(marker), "npm could not install node-llama-cpp@" + VERSION
                    + " (is the npm registry reachable?): " + tail(r.output));
        }
        return HOME;
    }

    /** Runs a node script (an ES module) placed next to the installed package. */
    static List<String> node(String name, String script, String... args) throws IOException, InterruptedException {
        Path home = installed();
        Path file = home.resolve(name + ".mjs");
        Files.writeString(file, script);
        List<String> cmd = new ArrayList<>(List.of("node", file.toString()));
        cmd.addAll(List.of(args));
        Result r = run(home, 300, cmd.toArray(String[]::new));
        assumeTrue(!r.output.contains("NoBinaryFoundError") && !r.output.contains("no prebuilt binary"),
                "node-llama-cpp has no prebuilt llama.cpp binary for this platform: " + tail(r.output));
        if (r.code != 0) {
            throw new IllegalStateException("node " + name + " failed (" + r.code + "): " + r.output);
        }
        List<String> lines = new ArrayList<>();
        for (String line : r.output.split("\n", -1)) {
            if (line.startsWith("OUT ")) {
                lines.add(line.substring(4));
            }
        }
        return lines;
    }

    record Result(int code, String output) {}

    /** Runs a command in {@code dir}, stdout and stderr together. */
    static Result run(Path dir, int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }

    static String tail(String s) {
        return s.length() > 400 ? s.substring(s.length() - 400) : s;
    }
}
