package dev.tangram.extender.kube;

import java.util.Optional;

/** minMember of the PodGroups of the coscheduling CRD ({@code scheduling.x-k8s.io}), when it is installed. */
public interface PodGroupSizes {
    boolean installed();

    Optional<Integer> minMember(String namespace, String name);

    PodGroupSizes NONE = new PodGroupSizes() {
        @Override
        public boolean installed() {
            return false;
        }

        @Override
        public Optional<Integer> minMember(String namespace, String name) {
            return Optional.empty();
        }
    };
}
