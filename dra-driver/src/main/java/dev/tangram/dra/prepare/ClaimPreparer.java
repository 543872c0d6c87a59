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
    private Checkpoint checkpoint;

    public ClaimPreparer(String driver, ClaimSource claims, Supplier<DevicePlan> devices, GpuProbe probe, CdiDirectory cdi,
                         CheckpointFile file, Checkpoint loaded, Optional<CrashPoint> crashAt, DriverMetrics metrics) {
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
            for (MigEntry m : c.migDevices()) {
                String uuid = m.migUuid() != null ? m.migUuid() : findUnrecorded(inventory, m, completedMigs).orElse(null);
                if (uuid != null) {
                    destroyQuietly(uuid);
                }
            }
            cdi.delete(c.uid());
            save(checkpoint.without(c.uid()));
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

    /** Prepares each claim independently; one claim's failure does not touch the others. */
    public synchronized Map<String, PrepareResult> prepare(List<ClaimRef> refs) {
        Map<String, PrepareResult> results = new LinkedHashMap<>();
        for (ClaimRef ref : refs) {
            long start = System.nanoTime();
            PrepareResult r = prepareOne(ref);
            metrics.prepared(Duration.ofNanos(System.nanoTime() - start), r instanceof PrepareResult.Prepared);
            results.put(ref.uid(), r);
        }
        metrics.state(preparedClaims(), -1, -1);
        return results;
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

    private PrepareResult prepareOne(ClaimRef ref) {
        Optional<ClaimEntry> existing = checkpoint.claim(ref.uid());
        if (existing.isPresent() && existing.get().state() == ClaimState.PREPARE_COMPLETED) {
            return new PrepareResult.Prepared(existing.get().devices());
        }
        existing.ifPresent(this::rollBack);
        List<PlannedDevice> planned;
        try {
            ClaimAllocation allocation = claims.fetch(ref);
            planned = planner.plan(allocation, devices.get());
            Optional<String> conflict = DeviceConflicts.find(planned, held(ref.uid()));
            if (conflict.isPresent()) {
                throw new ClaimLookupException("claim " + ref + ": " + conflict.get());
            }
        } catch (ClaimLookupException e) {
            LOG.warn("cannot prepare claim {}: {}", ref, e.getMessage());
            return new PrepareResult.Failed(e.getMessage());
        }
        ClaimEntry entry = startedEntry(ref, planned);
        try {
            save(checkpoint.started(entry));
            CrashPoint.AFTER_PREPARE_STARTED.reachedWith(crashAt);
            Map<String, String> migUuids = new HashMap<>();
            for (MigEntry m : entry.migDevices()) {
                MigDevice created = probe.createMigDevice(m.gpuUuid(), m.profile(), m.placementStart());
                CrashPoint.AFTER_MIG_CREATE.reachedWith(crashAt);
                save(checkpoint.migCreated(ref.uid(), m.device(), created.uuid()));
                CrashPoint.AFTER_MIG_RECORDED.reachedWith(crashAt);
                migUuids.put(m.device(), created.uuid());
            }
            ContainerEdits edits = ContainerEditsPlanner.edits(ref, planned, migUuids);
            cdi.write(ref.uid(), CdiSpecs.forClaim(ref.uid(), edits));
            CrashPoint.AFTER_CDI_WRITE.reachedWith(crashAt);
            save(checkpoint.completed(ref.uid()));
            CrashPoint.AFTER_PREPARE_COMPLETED.reachedWith(crashAt);
            LOG.info("prepared claim {}: {}", ref, planned.stream().map(PlannedDevice::deviceName).toList());
            return new PrepareResult.Prepared(checkpoint.claim(ref.uid()).orElseThrow().devices());
        } catch (ProbeException e) {
            LOG.warn("cannot prepare claim {}: {}", ref, e.getMessage());
            rollBackAfterFailure(ref);
            return new PrepareResult.Failed("claim " + ref + ": MIG device creation failed (" + e.kind() + "): " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("cannot prepare claim {}", ref, e);
            rollBackAfterFailure(ref);
            return new PrepareResult.Failed("claim " + ref + ": prepare failed: " + e.getMessage());
        }
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

    private List<DeviceConflicts.Held> held(String exceptUid) {
        DevicePlan plan = devices.get();
        List<DeviceConflicts.Held> held = new ArrayList<>();
        for (ClaimEntry c : checkpoint.claims().values()) {
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
        for (MigEntry m : entry.migDevices()) {
            if (m.migUuid() != null) {
                destroyQuietly(m.migUuid());
            }
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
