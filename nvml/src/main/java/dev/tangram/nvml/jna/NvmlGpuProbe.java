package dev.tangram.nvml.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.tangram.core.model.ComputeCapability;
import dev.tangram.core.model.Gpu;
import dev.tangram.core.model.Health;
import dev.tangram.core.model.LinkMatrix;
import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuEvent;
import dev.tangram.core.probe.GpuMetrics;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import static dev.tangram.nvml.jna.NvmlLibrary.*;

/**
 * The {@link GpuProbe} of a real node: NVML ({@code libnvidia-ml.so.1}) through JNA.
 *
 * <p>What never changes while the driver runs (identity, PCI, NUMA, architecture, links) is read once at {@link #open};
 * health and MIG devices are read on every {@link #inventory()}. A GPU that NVML reports lost keeps its row, marked
 * unhealthy, with the identity read at open. Every NVML failure is a {@link ProbeException} of a typed kind.
 */
public final class NvmlGpuProbe implements GpuProbe {
    /** System property naming the NVML library (a path or a name); tests point it at the fake library. */
    public static final String LIBRARY_PROPERTY = "tangram.nvml.library";
    /** Environment variable naming the NVML library, read when the property is absent. */
    public static final String LIBRARY_ENV = "TANGRAM_NVML_LIBRARY";
    public static final String DEFAULT_LIBRARY = "libnvidia-ml.so.1";
    /** Health of a GPU NVML reports lost. */
    public static final Health LOST = Health.unhealthy("GPU lost");

    private static final Logger LOG = LoggerFactory.getLogger(NvmlGpuProbe.class);
    private static final long MIB = 1024L * 1024L;
    private static final int XID_FALLEN_OFF_THE_BUS = 79;

    private final Nvml nvml;
    private final String library;
    private final String nodeName;
    private final String driverVersion;
    private final String cudaVersion;
    private final Pointer[] devices;
    private final Gpu[] identity;
    private final boolean[] lostAtOpen;
    private final LinkMatrix links;
    private final List<List<MigDevice>> lastMig = new ArrayList<>();
    private final boolean[] lastMigEnabled;
    private final Pointer eventSet;
    private final Deque<GpuEvent> pendingEvents = new ArrayDeque<>();
    private final boolean[] reportedLost;
    private final Clock clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private NvmlGpuProbe(Nvml nvml, String library, String nodeName, Clock clock) {
        this.nvml = nvml;
        this.library = library;
        this.nodeName = nodeName;
        this.clock = clock;
        this.driverVersion = nvml.driverVersion();
        this.cudaVersion = nvml.cudaDriverVersion();
        int count = nvml.deviceCount();
        this.devices = new Pointer[count];
        this.identity = new Gpu[count];
        this.lostAtOpen = new boolean[count];
        this.lastMigEnabled = new boolean[count];
        this.reportedLost = new boolean[count];
        for (int i = 0; i < count; i++) {
            readIdentity(i);
            lastMig.add(List.of());
        }
        Pointer[] live = new Pointer[count];
        for (int i = 0; i < count; i++) {
            live[i] = lostAtOpen[i] ? null : devices[i];
        }
        this.links = NvmlLinkReader.read(nvml, live, Arrays.stream(identity).map(Gpu::pciBusId).toList());
        this.eventSet = createEventSet();
        for (int i = 0; i < count; i++) {
            current(i); // remembers the MIG layout, so that a GPU lost later still lists its MIG devices
        }
    }

    /** Opens NVML from {@link #libraryName()}; {@code nodeName} is the Kubernetes node name (NVML does not know it). */
    public static NvmlGpuProbe open(String nodeName) {
        return open(nodeName, libraryName());
    }

    /** Opens NVML from {@code library} (a path or a library name). */
    public static NvmlGpuProbe open(String nodeName, String library) {
        NvmlLibrary lib;
        try {
            lib = Native.load(library, NvmlLibrary.class);
        } catch (UnsatisfiedLinkError e) {
            throw new ProbeException(ProbeException.Kind.LIBRARY_NOT_FOUND, NVML_ERROR_LIBRARY_NOT_FOUND,
                    "cannot load NVML from '" + library + "' (is the NVIDIA driver installed? set -D" + LIBRARY_PROPERTY + " or "
                            + LIBRARY_ENV + " to its path): " + e.getMessage().lines().skip(1).findFirst().orElse(e.getMessage()), e);
        }
        Nvml nvml = new Nvml(lib);
        nvml.init();
        try {
            return new NvmlGpuProbe(nvml, library, nodeName, Clock.systemUTC());
        } catch (RuntimeException e) {
            nvml.shutdown();
            throw e;
        }
    }

    /** The library to load: the {@value #LIBRARY_PROPERTY} property, else {@value #LIBRARY_ENV}, else {@value #DEFAULT_LIBRARY}. */
    public static String libraryName() {
        String property = System.getProperty(LIBRARY_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property;
        }
        String env = System.getenv(LIBRARY_ENV);
        return env != null && !env.isBlank() ? env : DEFAULT_LIBRARY;
    }

    private void readIdentity(int i) {
        boolean[] lost = {false};
        Pointer d;
        try {
            d = nvml.deviceByIndex(i);
        } catch (ProbeException e) {
            if (e.kind() != ProbeException.Kind.GPU_LOST) {
                throw e;
            }
            d = null;
            lost[0] = true;
        }
        devices[i] = d;
        Pointer h = d;
        String uuid = h == null ? lostUuid(i) : field(() -> nvml.uuid(h), lostUuid(i), lost);
        String product = h == null ? "unknown" : field(() -> nvml.name(h), "unknown", lost);
        int minor = h == null ? i : field(() -> nvml.minor(h), i, lost);
        long memoryMib = h == null ? 1 : field(() -> Math.max(1, nvml.memory(h).total / MIB), 1L, lost);
        String busId = h == null ? "0000:00:00.0" : field(() -> nvml.pci(h).normalizedBusId(), "0000:00:00.0", lost);
        int numa = h == null ? -1 : numaNode(h, busId, lost);
        String arch = h == null ? NvmlArchitecture.UNKNOWN
                : optional(() -> NvmlArchitecture.familyOf(nvml.architecture(h)), NvmlArchitecture.UNKNOWN, lost);
        int[] cc = h == null ? new int[] {0, 0} : optional(() -> nvml.computeCapability(h), new int[] {0, 0}, lost);
        boolean migCapable = false;
        if (h != null) {
            try {
                lastMigEnabled[i] = nvml.migEnabled(h);
                migCapable = true;
            } catch (ProbeException e) {
                if (e.kind() == ProbeException.Kind.GPU_LOST) {
                    lost[0] = true;
                } else if (e.kind() != ProbeException.Kind.NOT_SUPPORTED) {
                    throw e;
                }
            }
        }
        lostAtOpen[i] = lost[0];
        reportedLost[i] = lost[0];
        identity[i] = new Gpu(uuid, i, minor, product, arch, new ComputeCapability(Math.max(0, cc[0]), Math.max(0, cc[1])), memoryMib,
                busId, numa, lost[0] ? LOST : Health.HEALTHY, migCapable, false, List.of(), Optional.empty());
        if (lost[0]) {
            LOG.warn("GPU {} ({}) is lost; it is listed unhealthy", i, uuid);
        }
    }

    private static String lostUuid(int index) {
        return "GPU-lost-at-index-" + index;
    }

    /** A value that a lost GPU cannot give: the fallback, with the GPU marked lost. */
    private static <T> T field(Supplier<T> read, T fallback, boolean[] lost) {
        try {
            return read.get();
        } catch (ProbeException e) {
            if (e.kind() != ProbeException.Kind.GPU_LOST) {
                throw e;
            }
            lost[0] = true;
            return fallback;
        }
    }

    /** Like {@link #field}, and also the fallback when this GPU or driver does not support the query. */
    private static <T> T optional(Supplier<T> read, T fallback, boolean[] lost) {
        try {
            return field(read, fallback, lost);
        } catch (ProbeException e) {
            if (e.kind() == ProbeException.Kind.NOT_SUPPORTED) {
                return fallback;
            }
            throw e;
        }
    }

    /** The NUMA node of NVML's memory affinity (as {@code nvidia-smi topo -m}), else the PCI device's {@code numa_node} in sysfs, else -1. */
    private int numaNode(Pointer device, String busId, boolean[] lost) {
        int fromNvml = optional(() -> nvml.numaNode(device), -1, lost);
        if (fromNvml >= 0) {
            return fromNvml;
        }
        Path sysfs = Path.of("/sys/bus/pci/devices", busId, "numa_node");
        try {
            return Integer.parseInt(Files.readString(sysfs).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private Pointer createEventSet() {
        Pointer set;
        try {
            set = nvml.createEventSet();
        } catch (ProbeException e) {
            if (e.kind() == ProbeException.Kind.NOT_SUPPORTED) {
                LOG.warn("NVML event sets are not supported here: no Xid events");
                return null;
            }
            throw e;
        }
        for (int i = 0; i < devices.length; i++) {
            if (devices[i] != null && !lostAtOpen[i]) {
                int code = nvml.registerXidEvents(devices[i], set);
                if (code != NVML_SUCCESS) {
                    LOG.warn("GPU {}: cannot register for Xid events: {}", i, NvmlErrors.nameOf(code));
                }
            }
        }
        return set;
    }

    @Override
    public String name() {
        return "nvml:" + library;
    }

    @Override
    public NodeInventory inventory() {
        lock.readLock().lock();
        try {
            ensureOpen();
            List<Gpu> gpus = new ArrayList<>();
            for (int i = 0; i < devices.length; i++) {
                gpus.add(current(i));
            }
            return new NodeInventory(nodeName, driverVersion, cudaVersion, gpus, links);
        } finally {
            lock.readLock().unlock();
        }
    }

    private synchronized Gpu current(int i) {
        Gpu gpu = identity[i];
        if (lostAtOpen[i]) {
            return gpu;
        }
        Pointer d = devices[i];
        try {
            nvml.memory(d);
            if (gpu.migCapable()) {
                boolean enabled = nvml.migEnabled(d);
                lastMigEnabled[i] = enabled;
                lastMig.set(i, enabled ? NvmlMigReader.devices(nvml, d, gpu) : List.of());
            }
            return gpu.withMig(lastMigEnabled[i], lastMig.get(i));
        } catch (ProbeException e) {
            if (e.kind() != ProbeException.Kind.GPU_LOST) {
                throw e;
            }
            return gpu.withMig(lastMigEnabled[i], lastMig.get(i)).withHealth(LOST);
        }
    }

    @Override
    public Optional<GpuEvent> awaitEvent(Duration timeout) {
        lock.readLock().lock();
        try {
            ensureOpen();
            synchronized (pendingEvents) {
                if (!pendingEvents.isEmpty()) {
                    return Optional.of(pendingEvents.poll());
                }
            }
            if (eventSet == null) {
                throw new ProbeException(ProbeException.Kind.NOT_SUPPORTED, "NVML on this node does not deliver events");
            }
            long ms = Math.clamp(timeout.toMillis(), 0, Integer.MAX_VALUE);
            NvmlStructs.EventData data = new NvmlStructs.EventData();
            int code = nvml.waitEvent(eventSet, data, (int) ms);
            return switch (code) {
                case NVML_SUCCESS -> toEvent(data);
                case NVML_ERROR_TIMEOUT -> Optional.empty();
                case NVML_ERROR_GPU_IS_LOST -> newlyLost();
                default -> throw NvmlErrors.of(code, "nvmlEventSetWait_v2");
            };
        } finally {
            lock.readLock().unlock();
        }
    }

    private Optional<GpuEvent> toEvent(NvmlStructs.EventData data) {
        int index = indexOf(data.device);
        if (index < 0) {
            LOG.warn("NVML event {} for a device handle Tangram does not know; ignored", data.eventType);
            return Optional.empty();
        }
        if ((data.eventType & NVML_EVENT_TYPE_XID_CRITICAL_ERROR) == 0) {
            return Optional.empty();
        }
        String uuid = identity[index].uuid();
        int xid = (int) data.eventData;
        if (xid == XID_FALLEN_OFF_THE_BUS) {
            reportedLost[index] = true;
            return Optional.of(new GpuEvent(GpuEvent.Kind.GPU_LOST, uuid, xid, "Xid 79: GPU has fallen off the bus", clock.instant()));
        }
        return Optional.of(GpuEvent.xid(uuid, xid, clock.instant()));
    }

    /** The wait said a GPU is lost: find which ones newly are, report the first and queue the rest. */
    private Optional<GpuEvent> newlyLost() {
        for (int i = 0; i < devices.length; i++) {
            if (!reportedLost[i] && !current(i).health().healthy()) {
                reportedLost[i] = true;
                synchronized (pendingEvents) {
                    pendingEvents.add(GpuEvent.lost(identity[i].uuid(), clock.instant()));
                }
            }
        }
        synchronized (pendingEvents) {
            return Optional.ofNullable(pendingEvents.poll());
        }
    }

    private int indexOf(Pointer device) {
        for (int i = 0; i < devices.length; i++) {
            if (devices[i] != null && devices[i].equals(device)) {
                return i;
            }
        }
        return -1;
    }

    private int indexOf(String uuid) {
        for (int i = 0; i < identity.length; i++) {
            if (identity[i].uuid().equals(uuid)) {
                return i;
            }
        }
        throw new ProbeException(ProbeException.Kind.NOT_FOUND, "no GPU " + uuid + " on this node");
    }

    @Override
    public GpuMetrics metrics(String gpuUuid) {
        lock.readLock().lock();
        try {
            ensureOpen();
            int i = indexOf(gpuUuid);
            if (lostAtOpen[i]) {
                throw new ProbeException(ProbeException.Kind.GPU_LOST, "GPU " + gpuUuid + " is lost");
            }
            Pointer d = devices[i];
            NvmlStructs.Memory memory = nvml.memory(d);
            NvmlStructs.Utilization utilization = nvml.utilization(d);
            return new GpuMetrics(utilization.gpu, utilization.memory, memory.used / MIB, memory.total / MIB, nvml.temperature(d),
                    nvml.powerMilliwatts(d) / 1000.0, nvml.eccErrors(d, NVML_MEMORY_ERROR_TYPE_CORRECTED),
                    nvml.eccErrors(d, NVML_MEMORY_ERROR_TYPE_UNCORRECTED));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public MigDevice createMigDevice(String gpuUuid, String profile, int placementStart) {
        lock.readLock().lock();
        try {
            ensureOpen();
            int i = indexOf(gpuUuid);
            if (lostAtOpen[i]) {
                throw new ProbeException(ProbeException.Kind.GPU_LOST, "GPU " + gpuUuid + " is lost");
            }
            synchronized (this) {
                return NvmlMigReader.create(nvml, devices[i], identity[i], profile, placementStart);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void destroyMigDevice(String migUuid) {
        lock.readLock().lock();
        try {
            ensureOpen();
            synchronized (this) {
                for (int i = 0; i < devices.length; i++) {
                    if (lostAtOpen[i] || !identity[i].migCapable()) {
                        continue;
                    }
                    List<MigDevice> carved;
                    try {
                        carved = nvml.migEnabled(devices[i]) ? NvmlMigReader.devices(nvml, devices[i], identity[i]) : List.of();
                    } catch (ProbeException e) {
                        if (e.kind() != ProbeException.Kind.GPU_LOST) {
                            throw e;
                        }
                        carved = List.of();
                    }
                    for (MigDevice m : carved) {
                        if (m.uuid().equals(migUuid)) {
                            NvmlMigReader.destroy(nvml, devices[i], m);
                            return;
                        }
                    }
                }
            }
            throw new ProbeException(ProbeException.Kind.NOT_FOUND, "no MIG device " + migUuid + " on this node");
        } finally {
            lock.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("probe " + name() + " is closed");
        }
    }

    /** Frees the event set and shuts NVML down; waits for calls in flight (an event wait at most its timeout). */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (eventSet != null) {
                nvml.freeEventSet(eventSet);
            }
            nvml.shutdown();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
