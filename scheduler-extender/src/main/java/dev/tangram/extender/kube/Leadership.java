package dev.tangram.extender.kube;

import java.util.Optional;

/** Which replica may bind: the one that leads. */
public interface Leadership extends AutoCloseable {
    boolean leading();

    /** Why this replica must not bind now, or empty when it leads. */
    Optional<String> bindRefusal();

    @Override
    void close();
}
