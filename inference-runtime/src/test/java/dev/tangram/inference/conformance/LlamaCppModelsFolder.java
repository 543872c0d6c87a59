package dev.tangram.inference.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * llama.cpp's {@code models} folder with its vocabulary test vectors ({@code ggml-vocab-NAME.gguf} and
 * {@code .gguf.inp} / {@code .gguf.out}). The npm package {@code node-llama-cpp} ships llama.cpp's source tree as a git
 * bundle ({@code llama/gitRelease.bundle}); on first use this fetches the package with {@code npm pack}, takes the
 * bundle out of the tarball, and extracts only {@code models/ggml-vocab-*} with {@code git archive}. The result is cached
 * per machine under the temp directory (next to {@link NodeLlamaCpp}'s install) and never committed. Callers are
 * skipped, with the reason, where npm, git or tar is missing or the registry is unreachable.
 *
 * <p>{@code -Dtangram.llamaVocabDir=/path/to/llama.cpp/models} uses an existing folder instead.
 */
final class LlamaCppModelsFolder {
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "tangram-npm");
    private static final String PACKAGE = "node-llama-cpp@" + NodeLlamaCpp.VERSION;
    private static final String BUNDLE_IN_TARBALL = "package/llama/gitRelease.bundle";

    /** Why an earlier call in this JVM could not fetch the folder: later calls skip (or fail) at once, without retrying. */
    private static RuntimeException earlierFailure;

    private LlamaCppModelsFolder() {}

    /** The models folder, fetched if needed; skips the calling test when that is impossible. */
    static synchronized Path get() throws IOException, InterruptedException {
        if (earlierFailure instanceof TestAbortedException skipped) {
            throw new TestAbortedException(skipped.getMessage());
        }
        if (earlierFailure != null) {
            throw new IllegalStateException("fetching llama.cpp's models folder failed earlier in this run", earlierFailure);
        }
        try {
            return fetched();
        } catch (RuntimeException e) {
            earlierFailure = e;
            throw e;
        }
    }

    private static Path fetched() throws IOException, InterruptedException {
        String configured = System.getProperty("tangram.llamaVocabDir");
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            assumeTrue(Files.isDirectory(dir), "-Dtangram.llamaVocabDir=" + configured + " is not a directory");
            return dir;
        }
        Path cache = ROOT.resolve("llama-cpp-models-" + NodeLlamaCpp.VERSION);
        Path models = cache.resolve("models");
        if (Files.isDirectory(models)) {
            return models;
        }
        for (String tool : new String[] {"npm", "git", "tar"}) {
            assumeTrue(NodeLlamaCpp.onPath(tool), tool + " is needed to fetch llama.cpp's vocab test vectors from " + PACKAGE);
        }
        Path tarball = packedTarball();
        Files.createDirectories(cache);
        Path work = Files.createTempDirectory(cache, "fetch-");
        try {
            run(work, "tar", "xzf", tarball.toString(), BUNDLE_IN_TARBALL);
            Path bundle = work.resolve(BUNDLE_IN_TARBALL);
            assumeTrue(Files.isRegularFile(bundle), PACKAGE + " has no " + BUNDLE_IN_TARBALL + " (llama.cpp's source tree)");
            Path repo = work.resolve("repo.git");
            run(work, "git", "init", "-q", "--bare", repo.toString());
            run(repo, "git", "fetch", "-q", bundle.toString(), "HEAD");
            Path tar = work.resolve("models.tar");
            run(repo, "git", "archive", "-o", tar.toString(), "FETCH_HEAD", "models/ggml-vocab-*");
            Path tree = work.resolve("tree");
            Files.createDirectories(tree);
            run(tree, "tar", "xf", tar.toString());
            moveUnlessPresent(tree.resolve("models"), models);
        } finally {
            deleteTree(work);
        }
        return models;
    }

    /** {@code npm pack} of the pinned version, cached; the tarball appears under its final name only when complete. */
    private static Path packedTarball() throws IOException, InterruptedException {
        Path home = ROOT.resolve("pack-node-llama-cpp-" + NodeLlamaCpp.VERSION);
        Path tarball = home.resolve("node-llama-cpp-" + NodeLlamaCpp.VERSION + ".tgz");
        if (Files.isRegularFile(tarball)) {
            return tarball;
        }
        Files.createDirectories(home);
        Path work = Files.createTempDirectory(home, "pack-");
        try {
            NodeLlamaCpp.Result r = NodeLlamaCpp.run(work, 600, "npm", "pack", "--silent", "--loglevel=error", PACKAGE);
            Path packed = work.resolve(tarball.getFileName());
            assumeTrue(r.code() == 0 && Files.isRegularFile(packed),
                    "npm pack " + PACKAGE + " failed (is the npm registry reachable?): " + NodeLlamaCpp.tail(r.output()));
            moveUnlessPresent(packed, tarball);
        } finally {
            deleteTree(work);
        }
        return tarball;
    }

    /** Atomic rename; where another build on this machine got there first, its (identical) copy stays. */
    private static void moveUnlessPresent(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.exists(to)) {
                throw e;
            }
        }
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        NodeLlamaCpp.Result r = NodeLlamaCpp.run(dir, 300, cmd);
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.code() + "): " + NodeLlamaCpp.tail(r.output()));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
