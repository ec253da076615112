package io.denseserve.web;

import io.denseserve.config.DenseServeProperties;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Closes the connection of a request answered before its body was read (413, 408, 503) without
 * losing the answer. Closed at once with body bytes unread, a connection is reset, and a client
 * still sending (most HTTP clients send the whole body before they read) never sees the answer:
 * its kernel drops what it had not read yet with the reset, and it reports a broken connection.
 * Tomcat avoids that by reading the rest of the body on the request thread, at whatever pace the
 * client sends it, which a trickling client would hold. Here the answer goes out whole, with its
 * length, and the connection lingers: what the client still sends is read as it arrives and
 * discarded, without a thread waiting, until the client has sent it all or gone away, or for
 * {@code denseserve.uploads.lingering-close} at most.
 */
@Component
class LingeringClose {

    /** Where discarded bytes are read to: never read back, so one buffer serves every connection. */
    private static final byte[] SINK = new byte[16 * 1024];

    private final long lingerMillis;
    private final ScheduledThreadPoolExecutor closer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "lingering-close");
        t.setDaemon(true);
        return t;
    });

    @Autowired
    LingeringClose(DenseServeProperties properties) {
        this(properties.getUploads().getLingeringClose());
    }

    LingeringClose(Duration linger) {
        this.lingerMillis = linger.toMillis();
        // Most connections close long before their deadline: cancelled, a deadline leaves the queue
        // rather than holding its finished request until it would have fired.
        closer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Lets the connection of {@code async}, whose answer is out, linger: it closes when the
     * returned connection is {@link Lingering#close closed}, or after the lingering time.
     */
    Lingering linger(AsyncContext async) {
        Lingering lingering = new Lingering(async);
        lingering.deadline = closer.schedule(lingering::close, lingerMillis, TimeUnit.MILLISECONDS);
        return lingering;
    }

    /** Reads and discards what has arrived of a body, without waiting for more. */
    static void discardAvailable(ServletInputStream in) throws IOException {
        while (in.isReady() && in.read(SINK) >= 0) {
            // discarded
        }
    }

    /**
     * One lingering connection. As the read listener of a body nothing else reads, it discards
     * the body and closes once the client has sent all of it or gone away.
     */
    static final class Lingering implements ReadListener {
        private final AsyncContext async;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile ScheduledFuture<?> deadline;

        private Lingering(AsyncContext async) {
            this.async = async;
        }

        @Override
        public void onDataAvailable() throws IOException {
            discardAvailable(async.getRequest().getInputStream());
        }

        @Override
        public void onAllDataRead() {
            close();
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        /** Ends the request, which closes the connection (its answer said {@code Connection: close}); once. */
        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> pending = deadline;
            if (pending != null) {
                pending.cancel(false);
            }
            try {
                async.complete();
            } catch (IllegalStateException alreadyEnded) {
                // the container ended it (the client went away, or the request timed out)
            }
        }
    }

    @PreDestroy
    void stop() {
        closer.shutdownNow();
    }
}
