package dev.tangram.core.socket;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Unix domain socket path that the kernel accepts: {@code sockaddr_un.sun_path} holds 108 bytes including the
 * terminating NUL, so the absolute path may take at most {@value #MAX_BYTES} bytes of UTF-8. Both binaries that serve gRPC
 * on a socket (device plugin, DRA driver) check it here, so a too-long directory is named at startup instead of failing
 * inside Netty's bind.
 */
public record UnixSocketPath(Path path) {
    public static final int MAX_BYTES = 107;

    public UnixSocketPath {
        Objects.requireNonNull(path, "path");
        int length = path.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_BYTES) {
            throw new IllegalArgumentException("socket path " + path + " is " + length + " bytes, more than the "
                    + MAX_BYTES + " a Unix socket allows; use a shorter directory");
        }
    }

    public static UnixSocketPath of(Path path) {
        return new UnixSocketPath(path);
    }
}
