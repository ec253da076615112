package io.denseserve.web;

import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's NIO connector, except that a new connection's deadline for its first bytes is drawn
 * per connection, evenly between {@code (1 - spread)} times {@code server.tomcat.connection-timeout}
 * and all of it. Connections opened together then do not time out together: Tomcat's one poller
 * thread looks for expired connections about once a second and hands every one it finds to a
 * request thread to be closed in that pass, and answers wait behind a pass that closes thousands
 * (RELIABILITY.md §5). Once a connection has sent bytes, Tomcat's own timeouts apply unchanged.
 *
 * <p>Public, with a public constructor: Tomcat creates its protocol handler from the class name.
 */
public class SpreadTimeoutNioProtocol extends Http11NioProtocol {

    public SpreadTimeoutNioProtocol() {
        super(new Endpoint());
    }

    /** The fraction of the connection timeout over which first deadlines are spread, 0 to 1 (0: all equal). */
    public void setFirstDeadlineSpread(double spread) {
        if (!(spread >= 0 && spread < 1)) {
            throw new IllegalArgumentException("spread must be at least 0 and below 1: " + spread);
        }
        ((Endpoint) getEndpoint()).spread = spread;
    }

    public double getFirstDeadlineSpread() {
        return ((Endpoint) getEndpoint()).spread;
    }

    /** A first deadline, for {@code draw} in [0, 1): {@code timeout} less up to {@code spread} of it. */
    static long firstDeadlineMillis(long timeoutMillis, double spread, double draw) {
        return timeoutMillis - Math.round(timeoutMillis * spread * draw);
    }

    private static final class Endpoint extends NioEndpoint {

        private volatile double spread;

        @Override
        protected boolean setSocketOptions(SocketChannel socket) {
            if (!super.setSocketOptions(socket)) {
                return false;
            }
            long timeout = getConnectionTimeout();
            SocketWrapperBase<NioChannel> wrapper = connections.get(socket);
            // The poller already watches the connection with the full timeout; lowering it now, a
            // moment later, only moves a deadline that is seconds away. A connection whose first
            // request was already answered in that moment has a keep-alive timeout instead: leave it.
            if (wrapper != null && spread > 0 && timeout > 0 && wrapper.getReadTimeout() == timeout) {
                wrapper.setReadTimeout(firstDeadlineMillis(timeout, spread, ThreadLocalRandom.current().nextDouble()));
            }
            return true;
        }
    }
}
