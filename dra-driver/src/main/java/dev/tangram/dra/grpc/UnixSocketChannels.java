package dev.tangram.dra.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.nio.file.Path;

/** Client channels to a Unix domain socket, as the kubelet dials the driver (and the driver dials itself for /healthz). */
public final class UnixSocketChannels {
    private UnixSocketChannels() {
    }

    /** A channel with its own event loop, shut down together with the channel. */
    public static ManagedChannel open(Path socket) {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .usePlaintext()
                .build();
        return new ClosingChannel(channel, group);
    }

    /** Shuts the event loop down with the channel. */
    private static final class ClosingChannel extends io.grpc.ManagedChannel {
        private final ManagedChannel delegate;
        private final EpollEventLoopGroup group;

        ClosingChannel(ManagedChannel delegate, EpollEventLoopGroup group) {
            this.delegate = delegate;
            this.group = group;
        }

        @Override
        public ManagedChannel shutdown() {
            delegate.shutdown();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            return this;
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public ManagedChannel shutdownNow() {
            delegate.shutdownNow();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            return this;
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }

        @Override
        public <Q, R> io.grpc.ClientCall<Q, R> newCall(io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options) {
            return delegate.newCall(method, options);
        }

        @Override
        public String authority() {
            return delegate.authority();
        }
    }
}
