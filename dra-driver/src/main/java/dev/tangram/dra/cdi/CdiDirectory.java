package dev.tangram.dra.cdi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tangram.dra.fs.AtomicFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CDI directory the container runtime reads ({@code /var/run/cdi}): one spec file per prepared claim. */
public final class CdiDirectory {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PREFIX = CdiSpecs.fileName("").replace(".json", "");

    private final Path dir;

    public CdiDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path pathOf(String claimUid) {
        return dir.resolve(CdiSpecs.fileName(claimUid));
    }

    public static byte[] encode(CdiSpec spec) {
        try {
            return JSON.writeValueAsBytes(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode CDI spec: " + e.getMessage(), e);
        }
    }

    public void write(String claimUid, CdiSpec spec) {
        AtomicFile.write(pathOf(claimUid), encode(spec));
    }

    public boolean delete(String claimUid) {
        return AtomicFile.delete(pathOf(claimUid));
    }

    /** The claim UIDs that have a spec file here. */
    public List<String> claimUids() {
        List<String> uids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return uids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                uids.add(name.substring(PREFIX.length(), name.length() - ".json".length()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list CDI directory " + dir + ": " + e.getMessage(), e);
        }
        return uids;
    }
}
