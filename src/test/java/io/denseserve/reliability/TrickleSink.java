package io.denseserve.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A stand-in server for warming up the trickling clients' own code: it accepts connections, reads
 * and drops what they send, and after two seconds answers each with a bare 408 and closes it, as
 * the service ends a slow body. The driver shares the 2 CPUs with the server it measures; run
 * against this first, the JIT compiles the driver's code before a server meets it, so that a
 * server's first attack is measured without the driver's own compilation beside it.
 */
final class TrickleSink implements RunningService, AutoCloseable {

    private static final byte[] TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final long LIFETIME_NANOS = Duration.ofSeconds(2).toNanos();

    private final ServerSocketChannel listener;
    private final Thread thread;
    private volatile boolean running = true;

    private TrickleSink() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        thread = new Thread(this::serve, "trickle-sink");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code count} trickling connections against a sink for {@code duration}. */
    static void warmUpTricklers(int count, Duration duration) throws Exception {
        try (TrickleSink sink = new TrickleSink(); HostileClients tricklers = new HostileClients.Tricklers(sink, count).start()) {
            Thread.sleep(duration.toMillis());
        }
    }

    @Override
    public int port() {
        return listener.socket().getLocalPort();
    }

    private void serve() {
        try (Selector selector = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer drop = ByteBuffer.allocate(4096);
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel channel;
                        while ((channel = listener.accept()) != null) {
                            channel.configureBlocking(false);
                            channel.register(selector, SelectionKey.OP_READ, System.nanoTime() + LIFETIME_NANOS);
                        }
                    } else if (key.isReadable()) {
                        drop.clear();
                        if (readQuietly((SocketChannel) key.channel(), drop) < 0) {
                            closeQuietly(key);
                        }
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                for (SelectionKey key : selector.keys()) {
                    if (key.isValid() && key.attachment() instanceof Long due && now >= due) {
                        try {
                            ((SocketChannel) key.channel()).write(ByteBuffer.wrap(TIMEOUT));
                        } catch (IOException gone) {
                            // closed below either way
                        }
                        closeQuietly(key);
                    }
                }
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        } catch (IOException e) {
            throw new IllegalStateException("the trickle sink failed", e);
        }
    }

    private static int readQuietly(SocketChannel channel, ByteBuffer into) {
        try {
            return channel.read(into);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        thread.join(10_000);
        listener.close();
    }
}
