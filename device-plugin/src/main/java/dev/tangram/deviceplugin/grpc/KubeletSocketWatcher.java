package dev.tangram.deviceplugin.grpc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Notices the kubelet restarting: a file watch on the kubelet directory sees {@code kubelet.sock} created, and a periodic
 * check (in case the watch missed it) compares the socket's identity (inode) and runs the repair check. The thread sleeps in
 * the watch service between events: no busy loop.
 */
public final class KubeletSocketWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeletSocketWatcher.class);

    private final Path dir;
    private final Path kubeletSocket;
    private final Duration checkEvery;
    private final Runnable onKubeletRestart;
    private final Runnable periodicCheck;
    private final WatchService watch;
    private final Thread thread;
    private volatile Object lastIdentity;

    public KubeletSocketWatcher(Path kubeletDir, Duration checkEvery, Runnable onKubeletRestart, Runnable periodicCheck) {
        this.dir = kubeletDir;
        this.kubeletSocket = kubeletDir.resolve(GrpcKubeletRegistrar.KUBELET_SOCKET);
        this.checkEvery = checkEvery;
        this.onKubeletRestart = onKubeletRestart;
        this.periodicCheck = periodicCheck;
        try {
            this.watch = kubeletDir.getFileSystem().newWatchService();
            kubeletDir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + kubeletDir + ": " + e.getMessage(), e);
        }
        this.lastIdentity = identity();
        this.thread = Thread.ofPlatform().daemon().name("tangram-kubelet-watch").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    private Object identity() {
        try {
            BasicFileAttributes a = Files.readAttributes(kubeletSocket, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : a.creationTime();
        } catch (IOException e) {
            return null;
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                WatchKey key = watch.poll(checkEvery.toMillis(), TimeUnit.MILLISECONDS);
                boolean created = false;
                if (key != null) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.OVERFLOW
                                || GrpcKubeletRegistrar.KUBELET_SOCKET.equals(String.valueOf(event.context()))) {
                            created = true;
                        }
                    }
                    key.reset();
                }
                Object now = identity();
                if (created || (now != null && !Objects.equals(now, lastIdentity))) {
                    lastIdentity = now;
                    if (now != null) {
                        LOG.info("{} was (re)created: the kubelet restarted", kubeletSocket);
                        onKubeletRestart.run();
                    }
                } else {
                    lastIdentity = now;
                    periodicCheck.run();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("kubelet watch of {}: {}", dir, e.toString());
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
