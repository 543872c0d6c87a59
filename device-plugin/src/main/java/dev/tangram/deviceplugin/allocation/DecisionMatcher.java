package dev.tangram.deviceplugin.allocation;

import dev.tangram.core.decision.PlacementDecision;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matches a kubelet request to the extender's decision for it. The kubelet names no pod, so a decision matches when it is for
 * the same resource, names exactly as many devices as requested, all of them available, including every must-include device,
 * and is younger than the TTL. Among several, the oldest decision wins (the kubelet admits pods in arrival order). A matched
 * container decision is consumed: it will not match again, and a later Allocate of exactly its devices identifies its pod.
 */
public final class DecisionMatcher {
    /** A decision matched for one container. */
    public record Match(String podUid, String container, List<String> deviceIds) {
    }

    private final PlacementDecisions decisions;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Match> consumed = new ConcurrentHashMap<>();

    public DecisionMatcher(PlacementDecisions decisions, Clock clock, Duration ttl) {
        this.decisions = decisions;
        this.clock = clock;
        this.ttl = ttl;
    }

    public Optional<Match> match(String resource, int size, Collection<String> available, Collection<String> mustInclude) {
        var now = clock.instant();
        Set<String> avail = new HashSet<>(available);
        return decisions.current().stream()
                .filter(d -> !d.expired(now, ttl))
                .sorted(Comparator.comparing(PlacementDecision::decidedAt))
                .flatMap(d -> d.containers().stream()
                        .filter(c -> !consumed.containsKey(key(d.podUid(), c.container())))
                        .filter(c -> c.resource().equals(resource) && c.deviceIds().size() == size
                                && avail.containsAll(c.deviceIds()) && c.deviceIds().containsAll(mustInclude)
                                && new HashSet<>(c.deviceIds()).size() == c.deviceIds().size())
                        .map(c -> new Match(d.podUid(), c.container(), c.deviceIds())))
                .findFirst()
                .map(m -> {
                    consumed.put(key(m.podUid(), m.container()), m);
                    return m;
                });
    }

    /** The consumed decision whose devices are exactly {@code deviceIds}, if one is known: this is how Allocate finds its pod. */
    public Optional<Match> identify(Collection<String> deviceIds) {
        Set<String> ids = new HashSet<>(deviceIds);
        return consumed.values().stream().filter(m -> new HashSet<>(m.deviceIds()).equals(ids)).findFirst();
    }

    /** Forgets consumed decisions of pods that are gone. */
    public void retain(Set<String> livePodUids) {
        consumed.keySet().removeIf(k -> !livePodUids.contains(k.substring(0, k.indexOf('/'))));
    }

    private static String key(String podUid, String container) {
        return podUid + "/" + container;
    }
}
