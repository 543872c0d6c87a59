package dev.tangram.deviceplugin.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;

import java.nio.file.Path;

/** gRPC over Unix domain sockets (epoll), with one small event loop shared by every server and client of the process. */
public final class UnixSockets {
    private static volatile EventLoopGroup group;

    private UnixSockets() {
    }

    /** The shared event loop: one thread is plenty for a handful of sockets and keeps the footprint small. */
    public static EventLoopGroup eventLoop() {
        EventLoopGroup g = group;
        if (g == null) {
            synchronized (UnixSockets.class) {
                if (group == null) {
                    group = new EpollEventLoopGroup(1, new DefaultThreadFactory("tangram-uds", true));
                }
                g = group;
            }
        }
        return g;
    }

    public static ManagedChannel channel(Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(eventLoop())
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .overrideAuthority("localhost")
                .build();
    }
}
