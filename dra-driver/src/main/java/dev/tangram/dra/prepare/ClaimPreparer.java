package dev.tangram.dra.prepare;

import dev.tangram.core.model.MigDevice;
import dev.tangram.core.model.NodeInventory;
import dev.tangram.core.probe.GpuProbe;
import dev.tangram.core.probe.ProbeException;
import dev.tangram.dra.DriverMetrics;
import dev.tangram.dra.cdi.CdiDirectory;
import dev.tangram.dra.cdi.CdiSpecs;
import dev.tangram.dra.checkpoint.Checkpoint;
import dev.tangram.dra.checkpoint.CheckpointFile;
import dev.tangram.dra.checkpoint.ClaimEntry;
import dev.tangram.dra.checkpoint.ClaimState;
import dev.tangram.dra.checkpoint.DeviceEntry;
import dev.tangram.dra.checkpoint.MigEntry;
import dev.tangram.dra.claim.ClaimAllocation;
import dev.tangram.dra.claim.ClaimLookupException;
import dev.tangram.dra.claim.ClaimRef;
import dev.tangram.dra.claim.ClaimSource;
import dev.tangram.dra.device.DevicePlan;
import dev.tangram.dra.device.DeviceTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Prepares and unprepares claims on this node, one at a time: GET the claim, plan its devices, checkpoint
 * PrepareStarted, create MIG devices, write the CDI spec, checkpoint PrepareCompleted. Any failure rolls back what the
 * claim had made; a crash is rolled back by {@link #recover} on the next start.
 */
public final class ClaimPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimPreparer.class);

    private final String driver;
    private final ClaimSource claims;
    private final Supplier<DevicePlan> devices;
    private final GpuProbe probe;
    private final CdiDirectory cdi;
    private final CheckpointFile file;
    private final Optional<CrashPoint> crashAt;
    private final DriverMetrics metrics;
    private final ClaimPlanner planner;
    private final Supplier<MigCapabilities> migCapabilities;
    private Checkpoint checkpoint;

    public ClaimPreparer(String driver, ClaimSource claims, Supplier<DevicePlan> devices, GpuProbe probe, CdiDirectory cdi,
                         CheckpointFile file, Checkpoint loaded, Optional<CrashPoint> crashAt, DriverMetrics metrics,
                         Supplier<MigCapabilities> migCapabilities) {
        this.driver = driver;
        this.claims = claims;
        this.devices = devices;
        this.probe = probe;
        this.cdi = cdi;
        this.file = file;
        this.checkpoint = loaded;
        this.crashAt = crashAt;
        this.metrics = metrics;
        this.planner = new ClaimPlanner(driver);
        this.migCapabilities = migCapabilities;
    }

    public synchronized Checkpoint checkpoint() {
        return checkpoint;
    }

    /** MIG devices the driver made for claims (they are no foreign MIG layout). */
    public synchronized Set<String> ownedMigUuids() {
        return checkpoint.claims().values().stream().flatMap(c -> c.migDevices().stream())
                .map(MigEntry::migUuid).filter(u -> u != null).collect(Collectors.toSet());
    }

    public synchronized int preparedClaims() {
        return checkpoint.inState(ClaimState.PREPARE_COMPLETED).size();
    }

    /**
     * Brings the node in line with the checkpoint after a start: after a reboot every claim is forgotten (the kubelet
     * prepares them again); a claim caught in PrepareStarted is rolled back (its MIG devices destroyed, including one made
     * but not yet recorded, its CDI spec removed); CDI specs of claims not prepared are removed.
     */
    public synchronized void recover(String bootId, NodeInventory inventory) {
        if (!checkpoint.nodeBootId().equals(bootId)) {
            LOG.warn("node rebooted (boot ID {} → {}): forgetting {} prepared claims; the kubelet prepares them again",
                    checkpoint.nodeBootId(), bootId, checkpoint.claims().size());
            for (ClaimEntry c : checkpoint.claims().values()) {
                cdi.delete(c.uid());
            }
            save(Checkpoint.empty(bootId));
        }
        Set<String> completedMigs = checkpoint.inState(ClaimState.PREPARE_COMPLETED).stream()
                .flatMap(c -> c.migDevices().stream()).map(MigEntry::migUuid).filter(u -> u != null).collect(Collectors.toSet());
        for (ClaimEntry c : checkpoint.inState(ClaimState.PREPARE_STARTED)) {
            LOG.warn("claim {}/{} ({}) was being prepared when the driver stopped: rolling it back", c.namespace(), c.name(), c.uid());
            try {
                cdi.delete(c.uid());
                for (MigEntry m : c.migDevices()) {
                    String uuid = m.migUuid() != null ? m.migUuid() : findUnrecorded(inventory, m, completedMigs).orElse(null);
                    if (uuid != null) {
                        destroyQuietly(uuid);
                    }
                }
                save(checkpoint.without(c.uid()));
            } catch (RuntimeException e) {
                // keep the entry: its devices stay reserved, and the next prepare or unprepare of the claim retries
                LOG.error("cannot roll back claim {}/{} ({}) yet: {}", c.namespace(), c.name(), c.uid(), e.getMessage());
            }
        }
        for (String uid : cdi.claimUids()) {
            if (checkpoint.claim(uid).filter(c -> c.state() == ClaimState.PREPARE_COMPLETED).isEmpty()) {
                LOG.warn("removing CDI spec of claim {}: no prepared claim has it", uid);
                cdi.delete(uid);
            }
        }
    }

    private static Optional<String> findUnrecorded(NodeInventory inventory, MigEntry m, Set<String> owned) {
        return inventory.gpu(m.gpuUuid()).stream().flatMap(g -> g.migDevices().stream())
                .filter(d -> d.profile().equals(m.profile()) && d.placementStart() == m.placementStart())
                .map(MigDevice::uuid).filter(u -> !owned.contains(u)).findFirst();
    }

    /**
     * Prepares each claim independently; one claim's failure does not touch the others. The claims of one call share
     * their checkpoint writes: one PrepareStarted write before anything is made, one PrepareCompleted write at the end.
     */
    public synchronized Map<String, PrepareResult> prepare(List<ClaimRef> refs) {
        long start = System.nanoTime();
        Map<String, PrepareResult> results = new HashMap<>();
        Map<ClaimRef, List<PlannedDevice>> batch = new LinkedHashMap<>();
        Checkpoint pending = null;
        for (ClaimRef ref : refs) {
            Optional<ClaimEntry> existing = checkpoint.claim(ref.uid());
            if (existing.isPresent() && existing.get().state() == ClaimState.PREPARE_COMPLETED) {
                results.put(ref.uid(), new PrepareResult.Prepared(existing.get().devices()));
                continue;
            }
            existing.ifPresent(this::rollBack);
            Checkpoint base = pending == null ? checkpoint : pending;
            try {
                ClaimAllocation allocation = claims.fetch(ref);
                List<PlannedDevice> planned = planner.plan(allocation, devices.get());
                Optional<String> conflict = DeviceConflicts.find(planned, held(base, ref.uid()));
                if (conflict.isPresent()) {
                    throw new ClaimLookupException("claim " + ref + ": " + conflict.get());
                }
                batch.put(ref, planned);
                pending = base.started(startedEntry(ref, planned));
            } catch (ClaimLookupException e) {
                LOG.warn("cannot prepare claim {}: {}", ref, e.getMessage());
                results.put(ref.uid(), new PrepareResult.Failed(e.getMessage()));
            }
        }
        if (!batch.isEmpty()) {
            prepareBatch(batch, pending, results);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Map<String, PrepareResult> ordered = new LinkedHashMap<>();
        for (ClaimRef ref : refs) {
            PrepareResult r = results.get(ref.uid());
            metrics.prepared(took, r instanceof PrepareResult.Prepared);
            ordered.put(ref.uid(), r);
        }
        metrics.state(preparedClaims(), -1, -1);
        return ordered;
    }

    private void prepareBatch(Map<ClaimRef, List<PlannedDevice>> batch, Checkpoint started, Map<String, PrepareResult> results) {
        try {
            save(started);
        } catch (RuntimeException e) {
            LOG.error("cannot write the checkpoint", e);
            batch.keySet().forEach(ref -> results.put(ref.uid(), new PrepareResult.Failed("claim " + ref
                    + ": cannot write the driver's checkpoint: " + e.getMessage())));
            return;
        }
        CrashPoint.AFTER_PREPARE_STARTED.reachedWith(crashAt);
        List<ClaimRef> made = new ArrayList<>();
        for (Map.Entry<ClaimRef, List<PlannedDevice>> e : batch.entrySet()) {
            ClaimRef ref = e.getKey();
            try {
                make(ref, e.getValue());
                made.add(ref);
            } catch (ProbeException ex) {
                LOG.warn("cannot prepare claim {}: {}", ref, ex.getMessage());
                rollBackAfterFailure(ref);
                results.put(ref.uid(), new PrepareResult.Failed("claim " + ref + ": MIG device creation failed (" + ex.kind()
                        + "): " + ex.getMessage()));
            } catch (RuntimeException ex) {
                LOG.error("cannot prepare claim {}", ref, ex);
                rollBackAfterFailure(ref);
                results.put(ref.uid(), new PrepareResult.Failed("claim " + ref + ": prepare failed: " + ex.getMessage()));
            }
        }
        if (made.isEmpty()) {
            return;
        }
        Checkpoint completed = checkpoint;
        for (ClaimRef ref : made) {
            completed = completed.completed(ref.uid());
        }
        try {
            save(completed);
        } catch (RuntimeException ex) {
            LOG.error("cannot write the checkpoint", ex);
            made.forEach(ref -> {
                rollBackAfterFailure(ref);
                results.put(ref.uid(), new PrepareResult.Failed("claim " + ref + ": cannot write the driver's checkpoint: "
                        + ex.getMessage()));
            });
            return;
        }
        CrashPoint.AFTER_PREPARE_COMPLETED.reachedWith(crashAt);
        for (ClaimRef ref : made) {
            LOG.info("prepared claim {}: {}", ref, batch.get(ref).stream().map(PlannedDevice::deviceName).toList());
            results.put(ref.uid(), new PrepareResult.Prepared(checkpoint.claim(ref.uid()).orElseThrow().devices()));
        }
    }

    /** Creates the claim's MIG devices (each recorded as soon as it exists) and writes its CDI spec. */
    private void make(ClaimRef ref, List<PlannedDevice> planned) {
        Map<String, MigDevice> createdMigs = new HashMap<>();
        for (MigEntry m : checkpoint.claim(ref.uid()).orElseThrow().migDevices()) {
            MigDevice created = probe.createMigDevice(m.gpuUuid(), m.profile(), m.placementStart());
            CrashPoint.AFTER_MIG_CREATE.reachedWith(crashAt);
            save(checkpoint.migCreated(ref.uid(), m.device(), created.uuid()));
            CrashPoint.AFTER_MIG_RECORDED.reachedWith(crashAt);
            createdMigs.put(m.device(), created);
        }
        if (!planned.isEmpty()) { // a claim with no device of this driver needs no spec
            ContainerEdits edits = ContainerEditsPlanner.edits(ref, planned, createdMigs, migCapabilities.get());
            cdi.write(ref.uid(), CdiSpecs.forClaim(ref.uid(), edits));
        }
        CrashPoint.AFTER_CDI_WRITE.reachedWith(crashAt);
    }

    /** Unprepares each claim; a claim never prepared or already gone is fine. Answers an error message per failed claim. */
    public synchronized Map<String, Optional<String>> unprepare(List<ClaimRef> refs) {
        Map<String, Optional<String>> results = new LinkedHashMap<>();
        for (ClaimRef ref : refs) {
            long start = System.nanoTime();
            Optional<String> error;
            try {
                Optional<ClaimEntry> entry = checkpoint.claim(ref.uid());
                if (entry.isPresent()) {
                    rollBack(entry.get());
                } else {
                    cdi.delete(ref.uid());
                }
                error = Optional.empty();
            } catch (RuntimeException e) {
                LOG.error("unprepare of claim {} failed", ref, e);
                error = Optional.of("unprepare of claim " + ref + " failed: " + e.getMessage());
            }
            metrics.unprepared(Duration.ofNanos(System.nanoTime() - start), error.isEmpty());
            results.put(ref.uid(), error);
        }
        metrics.state(preparedClaims(), -1, -1);
        return results;
    }

    private void rollBackAfterFailure(ClaimRef ref) {
        try {
            checkpoint.claim(ref.uid()).ifPresent(this::rollBack);
        } catch (RuntimeException e) {
            LOG.error("rolling back claim {} failed; the next start retries", ref, e);
        }
    }

    private ClaimEntry startedEntry(ClaimRef ref, List<PlannedDevice> planned) {
        List<DeviceEntry> entries = new ArrayList<>();
        List<MigEntry> migs = new ArrayList<>();
        for (PlannedDevice d : planned) {
            entries.add(new DeviceEntry(d.request(), d.pool(), d.deviceName(), d.target().gpu().uuid(), d.shareId().orElse(null),
                    CdiSpecs.qualifiedName(ref.uid(), d.deviceName())));
            if (d.target() instanceof DeviceTarget.MigPartition p) {
                migs.add(new MigEntry(d.deviceName(), p.gpu().uuid(), p.profile().name(), p.placementStart(), null));
            }
        }
        return new ClaimEntry(ref.uid(), ref.namespace(), ref.name(), ClaimState.PREPARE_STARTED, entries, migs);
    }

    private List<DeviceConflicts.Held> held(Checkpoint state, String exceptUid) {
        DevicePlan plan = devices.get();
        List<DeviceConflicts.Held> held = new ArrayList<>();
        for (ClaimEntry c : state.claims().values()) {
            if (c.uid().equals(exceptUid)) {
                continue;
            }
            for (DeviceEntry d : c.devices()) {
                plan.target(d.device()).ifPresent(t -> held.add(new DeviceConflicts.Held(c.uid(), d.device(), t, d.shareId() != null)));
            }
        }
        return held;
    }

    private void rollBack(ClaimEntry entry) {
        boolean unprepare = entry.state() == ClaimState.PREPARE_COMPLETED;
        if (unprepare) {
            // mark the claim incomplete on disk before destroying anything, so that a kill part-way leaves a claim that
            // recover() rolls back, never a PrepareCompleted claim whose MIG device or CDI spec is gone
            save(checkpoint.unprepareStarted(entry.uid()));
            CrashPoint.AFTER_UNPREPARE_STARTED.reachedWith(crashAt);
        }
        for (MigEntry m : entry.migDevices()) {
            if (m.migUuid() != null) {
                destroyQuietly(m.migUuid());
            }
        }
        if (unprepare) {
            CrashPoint.AFTER_UNPREPARE_MIG_DESTROY.reachedWith(crashAt);
        }
        cdi.delete(entry.uid());
        save(checkpoint.without(entry.uid()));
        LOG.info("claim {}/{} ({}) unprepared", entry.namespace(), entry.name(), entry.uid());
    }

    private void destroyQuietly(String migUuid) {
        try {
            probe.destroyMigDevice(migUuid);
        } catch (ProbeException e) {
            if (e.kind() != ProbeException.Kind.NOT_FOUND) {
                throw e;
            }
            LOG.info("MIG device {} was already gone", migUuid);
        }
    }

    private void save(Checkpoint next) {
        file.save(next);
        checkpoint = next;
    }
}
