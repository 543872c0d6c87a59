package dev.tangram.extender.config;

import dev.tangram.core.names.TangramNames;
import dev.tangram.extender.placement.NodeScorer;
import dev.tangram.extender.placement.PackingScorer;
import dev.tangram.extender.placement.PolicyCatalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the extender can be told, with its defaults. Read from YAML by {@link ExtenderConfigLoader}.
 *
 * @param http            where and how to listen
 * @param scoring         the placement policy and the weights of prioritize
 * @param assumeTtl       how long a bind decision is held in memory while the pod is not yet seen carrying it
 * @param gangTtl         how long a gang plan reserves devices for members that have not bound
 * @param sharedResources resource names of shared replicas
 * @param leaderElection  the Lease that decides which replica binds
 */
public record ExtenderConfig(Http http, Scoring scoring, Duration assumeTtl, Duration gangTtl, Set<String> sharedResources,
                             LeaderElection leaderElection) {

    /** @param tlsClientCaFile present: client certificates are required and must chain to it */
    public record Http(String host, int port, String urlPrefix, long maxRequestBytes, Optional<Path> tlsCertFile,
                       Optional<Path> tlsKeyFile, Optional<Path> tlsClientCaFile) {
    }

    public record Scoring(String policy, long seed, PackingScorer.Mode packing, NodeScorer.Weights weights) {
    }

    /**
     * @param followSchedulerLease "namespace/name" of kube-scheduler's own Lease: when set, the replica next to the active
     *                             scheduler binds, and no Lease of the extender's own is taken
     */
    public record LeaderElection(boolean enabled, String namespace, String name, Duration leaseDuration,
                                 Optional<String> followSchedulerLease) {
    }

    public static ExtenderConfig defaults() {
        return new ExtenderConfig(
                new Http("0.0.0.0", 8888, "/", 32L << 20, Optional.empty(), Optional.empty(), Optional.empty()),
                new Scoring(PolicyCatalog.DEFAULT, 1, PackingScorer.Mode.PACKED, new NodeScorer.Weights(1, 1, 1)),
                Duration.ofMinutes(10), Duration.ofSeconds(60), Set.of(TangramNames.RESOURCE_GPU_SHARED),
                new LeaderElection(true, "kube-system", "tangram-scheduler-extender", Duration.ofSeconds(15), Optional.empty()));
    }

    public ExtenderConfig withPort(int port) {
        return new ExtenderConfig(new Http(http.host(), port, http.urlPrefix(), http.maxRequestBytes(), http.tlsCertFile(),
                http.tlsKeyFile(), http.tlsClientCaFile()), scoring, assumeTtl, gangTtl, sharedResources, leaderElection);
    }

    /** Names of the settings, for the docs. */
    public static List<String> keys() {
        return List.of("http.host", "http.port", "http.urlPrefix", "http.maxRequestBytes", "http.tls.certFile", "http.tls.keyFile",
                "http.tls.clientCaFile", "scoring.policy", "scoring.seed", "scoring.packing", "scoring.weights.topology",
                "scoring.weights.fragmentation", "scoring.weights.packing", "assumeTtl", "gangTtl", "sharedResources",
                "leaderElection.enabled", "leaderElection.namespace", "leaderElection.name", "leaderElection.leaseDuration", "leaderElection.followSchedulerLease");
    }
}
