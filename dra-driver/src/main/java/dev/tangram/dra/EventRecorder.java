package dev.tangram.dra;

/** Tells the cluster something an operator must see (a Kubernetes Event on the node); logs only without an API. */
public interface EventRecorder {
    void warning(String reason, String message);

    EventRecorder NONE = (reason, message) -> {
    };
}
