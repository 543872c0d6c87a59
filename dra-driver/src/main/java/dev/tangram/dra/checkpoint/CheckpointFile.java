package dev.tangram.dra.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tangram.dra.fs.AtomicFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;

/**
 * The checkpoint on disk, {@code <state-dir>/checkpoint.json}: versioned JSON, written temp + fsync + rename. A file that
 * cannot be read as a checkpoint of a known version is moved aside, never left in the way of a restart.
 */
public final class CheckpointFile {
    public static final String FILE_NAME = "checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** What loading found. */
    public sealed interface Loaded {
        Checkpoint checkpoint();
    }

    public record Found(Checkpoint checkpoint) implements Loaded {
    }

    public record Missing(Checkpoint checkpoint) implements Loaded {
    }

    /** The file could not be used; it now lies at {@code movedTo} and the driver starts from an empty checkpoint. */
    public record Corrupt(Checkpoint checkpoint, String reason, Path movedTo) implements Loaded {
    }

    private final Path path;
    private final Clock clock;

    public CheckpointFile(Path stateDir, Clock clock) {
        this.path = stateDir.resolve(FILE_NAME);
        this.clock = clock;
    }

    public Path path() {
        return path;
    }

    public Loaded load(String bootId) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return new Missing(Checkpoint.empty(bootId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
        try {
            return new Found(decode(bytes));
        } catch (IllegalArgumentException e) {
            Path aside = path.resolveSibling(FILE_NAME + ".corrupt-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS").withZone(ZoneOffset.UTC).format(clock.instant()));
            try {
                Files.move(path, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException io) {
                throw new UncheckedIOException("cannot move corrupt checkpoint " + path + " aside: " + io.getMessage(), io);
            }
            return new Corrupt(Checkpoint.empty(bootId), e.getMessage(), aside);
        }
    }

    public void save(Checkpoint checkpoint) {
        AtomicFile.write(path, encode(checkpoint));
    }

    public static byte[] encode(Checkpoint checkpoint) {
        try {
            return JSON.writeValueAsBytes(checkpoint);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode checkpoint: " + e.getMessage(), e);
        }
    }

    /** Parses a checkpoint; anything unusable is an IllegalArgumentException saying what. */
    public static Checkpoint decode(byte[] bytes) {
        JsonNode tree;
        try {
            tree = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode version = tree.get("version");
        if (version == null || !version.canConvertToInt()) {
            throw new IllegalArgumentException("no version field");
        }
        if (version.asInt() != Checkpoint.CURRENT_VERSION) {
            throw new IllegalArgumentException("version " + version.asInt() + " is not one this driver reads (it reads "
                    + Checkpoint.CURRENT_VERSION + ")");
        }
        try {
            return JSON.treeToValue(tree, Checkpoint.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a version " + Checkpoint.CURRENT_VERSION + " checkpoint: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }
}
