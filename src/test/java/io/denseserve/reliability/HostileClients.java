package io.denseserve.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Clients that attack the server rather than use it, each running on its own thread until closed,
 * counting what the server did to them by outcome ({@code 408}, {@code closed}, ...).
 */
abstract class HostileClients implements AutoCloseable {

    protected final InetSocketAddress server;
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final Thread thread;
    protected volatile boolean running = true;

    HostileClients(RunningService server, String name) {
        this.server = new InetSocketAddress("127.0.0.1", server.uri("/").getPort());
        this.thread = new Thread(this::runQuietly, name);
        this.thread.setDaemon(true);
    }

    HostileClients start() {
        thread.start();
        return this;
    }

    abstract void run() throws Exception;

    private void runQuietly() {
        try {
            run();
        } catch (Exception e) {
            if (running) {
                count("driver error " + e);
            }
        }
    }

    void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    }

    Map<String, Long> outcomes() {
        Map<String, Long> copy = new TreeMap<>();
        outcomes.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }

    /** The status code of an HTTP response's first line, or {@code closed} without one. */
    static String status(byte[] response) {
        String head = new String(response, 0, Math.min(response.length, 16), StandardCharsets.US_ASCII);
        return head.startsWith("HTTP/1.1 ") && head.length() >= 12 ? head.substring(9, 12) : "closed";
    }

    /**
     * {@code count} connections, each sending the headers of a 100,000-byte upload (half of them
     * to {@code /classify}, the rest where nothing reads it) and then one byte of it per second; whichever way one ends, it is counted and opened anew, so the
     * server faces {@code count} of them throughout. One selector thread drives them all.
     */
    static final class Tricklers extends HostileClients {
        /**
         * A classification; a body sent to a path that answers 404, and to one that answers 405: no
         * handler reads those, and the container would read them on a request thread after the answer.
         */
        private static final List<byte[]> HEADERS = Stream.of("POST /classify", "POST /classify", "POST /nothing", "PUT /models")
                .map(head -> (head + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII))
                .toList();
        private int opened;
        private final int count;

        Tricklers(RunningService server, int count) {
            super(server, "tricklers");
            this.count = count;
        }

        private static final class Connection {
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            long nextByteNanos;
        }

        @Override
        void run() throws IOException {
            try (Selector selector = Selector.open()) {
                List<SelectionKey> keys = new ArrayList<>();
                for (int i = 0; i < count && running; i++) {
                    keys.add(open(selector));
                }
                ByteBuffer read = ByteBuffer.allocate(4096);
                while (running) {
                    selector.select(50);
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel channel = (SocketChannel) key.channel();
                        Connection c = (Connection) key.attachment();
                        read.clear();
                        int n;
                        try {
                            n = channel.read(read);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n > 0) {
                            c.answer.write(read.array(), 0, n);
                        } else if (n < 0) {
                            end(key, selector, keys);
                        }
                    }
                    selector.selectedKeys().clear();
                    long now = System.nanoTime();
                    for (SelectionKey key : List.copyOf(keys)) {
                        Connection c = (Connection) key.attachment();
                        if (key.isValid() && now >= c.nextByteNanos) {
                            c.nextByteNanos = now + 1_000_000_000L;
                            try {
                                ((SocketChannel) key.channel()).write(ByteBuffer.wrap(new byte[] {'x'}));
                            } catch (IOException e) {
                                end(key, selector, keys);
                            }
                        }
                    }
                }
                for (SelectionKey key : keys) {
                    key.channel().close();
                }
            }
        }

        private SelectionKey open(Selector selector) throws IOException {
            SocketChannel channel = SocketChannel.open(server);
            channel.write(ByteBuffer.wrap(HEADERS.get(opened++ % HEADERS.size())));
            channel.configureBlocking(false);
            Connection c = new Connection();
            c.nextByteNanos = System.nanoTime();
            return channel.register(selector, SelectionKey.OP_READ, c);
        }

        private void end(SelectionKey key, Selector selector, List<SelectionKey> keys) throws IOException {
            if (!keys.remove(key)) {
                return;
            }
            count(status(((Connection) key.attachment()).answer.toByteArray()));
            key.cancel();
            key.channel().close();
            if (running) {
                try {
                    keys.add(open(selector));
                } catch (IOException e) {
                    count("connect failed");
                }
            }
        }
    }

    /**
     * {@code count} connections that send nothing, opened evenly over {@code spread} (all at once
     * when it is zero); one the server closes is counted and opened anew, so once all are open
     * {@code count} stay open. Opened at once, they time out together and reopen then.
     */
    static final class IdleConnections extends HostileClients {
        private final int count;
        private final Duration spread;
        private final AtomicLong open = new AtomicLong();

        IdleConnections(ServerProcess server, int count, Duration spread) {
            super(server, "idle-connections");
            this.count = count;
            this.spread = spread;
        }

        long open() {
            return open.get();
        }

        /** Waits (at most {@code limit}) until all connections are open; returns how many are. */
        long awaitAllOpen(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (open.get() < count && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            return open.get();
        }

        @Override
        void run() throws IOException {
            try (Selector selector = Selector.open()) {
                long start = System.nanoTime();
                int opened = 0;
                ByteBuffer read = ByteBuffer.allocate(1024);
                while (running) {
                    long elapsed = System.nanoTime() - start;
                    while (opened < count && running && (long) ((double) opened / count * spread.toNanos()) <= elapsed) {
                        openOne(selector);
                        opened++;
                    }
                    selector.select(opened < count ? 10 : 100);
                    for (SelectionKey key : selector.selectedKeys()) {
                        read.clear();
                        int n;
                        try {
                            n = ((SocketChannel) key.channel()).read(read);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n != 0) {
                            count(n < 0 ? "closed by the server" : "answered");
                            key.cancel();
                            key.channel().close();
                            open.decrementAndGet();
                            if (running) {
                                openOne(selector);
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
                for (SelectionKey key : selector.keys()) {
                    key.channel().close();
                }
            }
        }

        private void openOne(Selector selector) {
            try {
                SocketChannel channel = SocketChannel.open(server);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                open.incrementAndGet();
            } catch (IOException e) {
                count("connect failed");
            }
        }
    }

    /**
     * {@code clients} threads, each sending the next of {@code uploads} as fast as it is answered:
     * large bodies sent whole, or cut off after a part (the connection is then closed).
     */
    static final class Burst extends HostileClients {
        record Upload(String name, String contentType, byte[] body, int sendBytes) {}

        private final List<Upload> uploads;
        private final int clients;
        private final List<Thread> threads = new ArrayList<>();
        private final Map<String, AtomicLong> retryAfterMissing = new ConcurrentHashMap<>();

        Burst(ServerProcess server, int clients, List<Upload> uploads) {
            super(server, "burst");
            this.clients = clients;
            this.uploads = uploads;
        }

        @Override
        void run() throws InterruptedException {
            for (int i = 0; i < clients; i++) {
                int first = i;
                Thread t = new Thread(() -> loop(first), "burst-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
        }

        private void loop(int first) {
            for (int i = first; running; i++) {
                Upload upload = uploads.get(i % uploads.size());
                try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
                    socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + upload.contentType()
                            + "\r\nContent-Length: " + upload.body().length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    try {
                        out.write(upload.body(), 0, upload.sendBytes());
                        out.flush();
                    } catch (IOException answeredEarly) {
                        // the server may answer (413, 503) and close before the whole body is sent
                    }
                    if (upload.sendBytes() < upload.body().length) {
                        count(upload.name() + " cut off");
                        continue;
                    }
                    byte[] response = readAll(socket.getInputStream());
                    String status = status(response);
                    count(upload.name() + " " + status + (status.startsWith("5") && !status.equals("503")
                            ? " (" + detail(response) + ")" : ""));
                    if (status.equals("503") && !new String(response, StandardCharsets.US_ASCII).contains("Retry-After")) {
                        retryAfterMissing.computeIfAbsent(upload.name(), k -> new AtomicLong()).incrementAndGet();
                    }
                } catch (IOException e) {
                    if (running) {
                        count(upload.name() + " " + e.getClass().getSimpleName());
                    }
                }
            }
        }

        long retryAfterMissing() {
            return retryAfterMissing.values().stream().mapToLong(AtomicLong::get).sum();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(70_000);
            }
        }

        /** The problem's {@code detail}, or the start of the body where there is none. */
        private static String detail(byte[] response) {
            String text = new String(response, StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"detail\"\\s*:\\s*\"([^\"]*)\"").matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            int body = text.indexOf("\r\n\r\n");
            return body < 0 ? "" : text.substring(body + 4, Math.min(text.length(), body + 84));
        }

        private static byte[] readAll(InputStream in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                in.transferTo(out);
            } catch (IOException reset) {
                // what arrived before a reset is the answer
            }
            return out.toByteArray();
        }
    }
}
