package io.denseserve.serving;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A model that would pass the memory limit is refused before it loads, with the figures. */
class MemoryHeadroomTest {

    static final long MIB = 1 << 20;

    @Test
    void aModelThatFitsLoadsAndOneThatDoesNotIsRefusedWithTheFigures() {
        assertThatCode(() -> MemoryHeadroom.check("densenet121' version '2", 500 * MIB, 3072 * MIB, 31 * MIB))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> MemoryHeadroom.check("densenet121' version '2", 2900 * MIB, 3072 * MIB, 31 * MIB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs about 310 MiB").hasMessageContaining("2900 MiB the process holds")
                .hasMessageContaining("the limit is 3072 MiB");
    }
}
