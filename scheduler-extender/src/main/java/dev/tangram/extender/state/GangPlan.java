package dev.tangram.extender.state;

import dev.tangram.core.placement.Assignment;
import dev.tangram.core.placement.PodDemand;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A gang's reserved plan: one slot per member still to place, each with its node and devices. Reserved devices count as
 * taken for every other pod until the slot's member binds, the plan expires or the gang's pods go away.
 *
 * @param gangKey   namespace/gang name
 * @param size      members the gang needs in all
 * @param slots     the members still planned
 * @param createdAt when it was planned
 * @param expiresAt when the unbound part of it is released
 */
public record GangPlan(String gangKey, int size, List<Slot> slots, Instant createdAt, Instant expiresAt) {
    public GangPlan {
        Objects.requireNonNull(gangKey, "gangKey");
        slots = List.copyOf(slots);
    }

    /**
     * @param node       where the member goes
     * @param demand     what the member was planned for
     * @param assignment the devices reserved for it
     * @param memberUid  the pod that claimed the slot, if one has
     * @param bound      the member has bound: its devices are now its own (assumed or annotated)
     */
    public record Slot(String node, PodDemand demand, Assignment assignment, Optional<String> memberUid, boolean bound) {
        public Slot {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(memberUid, "memberUid");
        }

        Slot claimedBy(String uid) {
            return new Slot(node, demand, assignment, Optional.of(uid), bound);
        }

        Slot asBound() {
            return new Slot(node, demand, assignment, memberUid, true);
        }

        public List<String> deviceIds() {
            return assignment.containers().stream().flatMap(c -> c.deviceIds().stream()).toList();
        }
    }

    public GangPlan withSlot(int index, Slot slot) {
        List<Slot> copy = new java.util.ArrayList<>(slots);
        copy.set(index, slot);
        return new GangPlan(gangKey, size, copy, createdAt, expiresAt);
    }

    public boolean allBound() {
        return slots.stream().allMatch(Slot::bound);
    }

    public boolean expired(Instant now) {
        return now.isAfter(expiresAt);
    }

    public long reservedSlots() {
        return slots.stream().filter(s -> !s.bound()).count();
    }
}
