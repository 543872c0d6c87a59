package dev.tangram.dra.it;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.MigProfile;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.dra.fs.AtomicFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A probe whose MIG devices outlive the process, as MIG instances on a real GPU outlive a killed driver: each create and
 * destroy is written to a file (fsync'd) before it returns. Everything else comes from the wrapped probe.
 */
public final class FileBackedMigProbe implements GpuProbe {
    /** One created MIG device, as stored. */
    public record Stored(String uuid, String gpuUuid, String profile, int placementStart, int placementSize, long memoryMib) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final GpuProbe base;
    private final Path file;

    public FileBackedMigProbe(GpuProbe base, Path file) {
        this.base = base;
        this.file = file;
    }

    public static List<Stored> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<Stored>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(List<Stored> devices) {
        try {
            AtomicFile.write(file, JSON.writeValueAsBytes(devices));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "file-backed:" + base.name();
    }

    @Override
    public synchronized NodeInventory inventory() {
        NodeInventory inv = base.inventory();
        List<Stored> stored = read(file);
        return inv.withGpus(inv.gpus().stream().map(g -> {
            List<MigDevice> all = new ArrayList<>(g.migDevices());
            int gi = 100;
            for (Stored s : stored) {
                if (s.gpuUuid().equals(g.uuid())) {
                    all.add(new MigDevice(s.uuid(), s.gpuUuid(), gi++, 0, s.profile(), s.placementStart(), s.placementSize(), s.memoryMib()));
                }
            }
            return g.withMig(g.migEnabled(), all);
        }).toList());
    }

    @Override
    public Optional<GpuEvent> awaitEvent(Duration timeout) {
        return base.awaitEvent(timeout);
    }

    @Override
    public GpuMetrics metrics(String gpuUuid) {
        return base.metrics(gpuUuid);
    }

    @Override
    public synchronized MigDevice createMigDevice(String gpuUuid, String profileName, int placementStart) {
        Gpu gpu = inventory().gpu(gpuUuid).orElseThrow(() -> new ProbeException(ProbeException.Kind.NOT_FOUND, "no GPU " + gpuUuid));
        if (!gpu.migEnabled()) {
            throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "GPU " + gpuUuid + " does not have MIG mode on");
        }
        MigProfile profile = gpu.migCatalog().flatMap(c -> c.profile(profileName))
                .orElseThrow(() -> new ProbeException(ProbeException.Kind.INVALID_ARGUMENT, "unknown profile " + profileName));
        if (gpu.migDevices().stream().anyMatch(m -> m.overlaps(placementStart, profile.placementSize()))) {
            throw new ProbeException(ProbeException.Kind.INSUFFICIENT_RESOURCES, profileName + " at " + placementStart + " overlaps");
        }
        List<Stored> stored = new ArrayList<>(read(file));
        Stored s = new Stored(String.format("MIG-%08x-0000-4000-8000-%012d", gpu.index(), System.nanoTime() % 1_000_000_000_000L),
                gpuUuid, profileName, placementStart, profile.placementSize(), profile.memoryMib());
        stored.add(s);
        write(stored);
        return new MigDevice(s.uuid(), gpuUuid, 100, 0, profileName, placementStart, profile.placementSize(), profile.memoryMib());
    }

    @Override
    public synchronized void destroyMigDevice(String migUuid) {
        List<Stored> stored = new ArrayList<>(read(file));
        if (!stored.removeIf(s -> s.uuid().equals(migUuid))) {
            throw new ProbeException(ProbeException.Kind.NOT_FOUND, "no MIG device " + migUuid);
        }
        write(stored);
    }

    @Override
    public void close() {
        base.close();
    }
}
