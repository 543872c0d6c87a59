package dev.tangram.inference.http;

import io.javalin.http.Context;
import org.eclipse.jetty.server.Request;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Watches the connection of a request that answers in one body, for the moment its client leaves. While such a request
 * waits for its tokens, nothing is read from or written to its socket, so the server would not otherwise notice the
 * client closing it. The socket is registered, for reading, with a selector of this watcher's own (a channel may be
 * registered with several); readable means the client closed or reset it, or sent more bytes (a pipelined request).
 * One byte is then read to tell which: end of stream or an error means the client is gone. A byte of a pipelined request
 * cannot be put back, so then the answer asks for the connection to be closed after it ({@link #mustClose()}), and the
 * client sends that request again on a new one, as HTTP/1.1 clients do when a connection closes under their pipeline.
 * A client that only shuts down its sending side (a half-close) reads as gone too; HTTP/1.1 clients do not do that.
 */
final class ClientConnection implements AutoCloseable {
    /** For a transport that is not a socket channel: never gone. */
    private static final ClientConnection UNWATCHED = new ClientConnection(null, null, null);

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private boolean gone;
    private boolean mustClose;

    private ClientConnection(SocketChannel channel, Selector selector, SelectionKey key) {
        this.channel = channel;
        this.selector = selector;
        this.key = key;
    }

    /** Watches the connection {@code ctx} came on; one that cannot be watched reads as never gone. */
    static ClientConnection of(Context ctx) {
        Request request = Request.getBaseRequest(ctx.req());
        Object transport = request == null ? null : request.getHttpChannel().getEndPoint().getTransport();
        if (!(transport instanceof SocketChannel channel) || channel.isBlocking()) {
            return UNWATCHED;
        }
        Selector selector = null;
        try {
            selector = Selector.open();
            return new ClientConnection(channel, selector, channel.register(selector, SelectionKey.OP_READ));
        } catch (IOException | RuntimeException e) {
            closeQuietly(selector);
            return UNWATCHED;
        }
    }

    /** Whether the client has closed or reset the connection (checked now, without waiting). */
    boolean gone() {
        if (gone || selector == null || !key.isValid()) {
            return gone;
        }
        try {
            if (selector.selectNow() == 0) {
                return false;
            }
            selector.selectedKeys().clear();
            int read = channel.read(ByteBuffer.allocate(1));
            if (read < 0) {
                gone = true;
            } else if (read > 0) {
                mustClose = true;
                key.cancel(); // the rest of the pipelined request stays unread: do not look again
            }
        } catch (IOException e) {
            gone = true;
        }
        return gone;
    }

    /** Whether a byte of a following request was read, so that this connection must be closed after the answer. */
    boolean mustClose() {
        return mustClose;
    }

    /** Ends the watch (the socket stays open for the answer). */
    @Override
    public void close() {
        closeQuietly(selector);
    }

    private static void closeQuietly(Selector selector) {
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // only the watcher's own selector: nothing of the connection is lost
            }
        }
    }
}
