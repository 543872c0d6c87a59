package dev.tangram.extender;

import dev.tangram.core.decision.PlacementDecision;
import dev.tangram.extender.state.PodInfo;

import java.util.Optional;

/** The one write path of the extender: the decision annotation, then the Binding. */
public interface PodBinder {
    /** The pod as the API has it now (bind of a pod the informer has not seen yet); empty when it does not exist. */
    Optional<PodInfo> fetch(String namespace, String name) throws BindException;

    /**
     * Writes {@code decision} (when present) on the pod, conditional on its UID, then binds it to {@code node}. Throws
     * when either write fails; a failed annotation write leaves the pod unbound.
     */
    void bind(PodInfo pod, String node, Optional<PlacementDecision> decision) throws BindException;

    /** Why a bind failed, in words for the scheduler's event. */
    final class BindException extends Exception {
        public BindException(String message, Throwable cause) {
            super(message, cause);
        }

        public BindException(String message) {
            super(message);
        }
    }

    /** The binder when no Kubernetes API is configured: every bind fails, saying why. */
    PodBinder NO_API = new PodBinder() {
        @Override
        public Optional<PodInfo> fetch(String namespace, String name) throws BindException {
            throw new BindException("bind needs the Kubernetes API: start the extender with a kubeconfig or in a cluster");
        }

        @Override
        public void bind(PodInfo pod, String node, Optional<PlacementDecision> decision) throws BindException {
            throw new BindException("bind needs the Kubernetes API: start the extender with a kubeconfig or in a cluster");
        }
    };
}
