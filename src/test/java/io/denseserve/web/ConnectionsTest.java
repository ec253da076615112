package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.HashSet;
import java.util.Set;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;

/** Idle connections opened together get idle timeouts spread over the upper half of the setting. */
class ConnectionsTest {

    @Test
    void eachConnectionsIdleTimeoutIsDrawnBetweenHalfTheSettingAndAllOfIt() {
        Connections.SpreadIdleTimeouts spread = new Connections.SpreadIdleTimeouts();
        Set<Long> drawn = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            EndPoint endPoint = mock(EndPoint.class);
            when(endPoint.getIdleTimeout()).thenReturn(20_000L);
            Connection connection = mock(Connection.class);
            when(connection.getEndPoint()).thenReturn(endPoint);
            spread.onOpened(connection);
            ArgumentCaptor<Long> timeout = ArgumentCaptor.forClass(Long.class);
            Mockito.verify(endPoint).setIdleTimeout(timeout.capture());
            assertThat(timeout.getValue()).isBetween(10_000L, 20_000L);
            drawn.add(timeout.getValue() / 1000);
        }
        assertThat(drawn).as("whole seconds drawn over 200 connections").hasSizeGreaterThanOrEqualTo(8);
    }
}
