package io.denseserve.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.denseserve.testing.Images;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder tells the caller an image's pixel count before decoding, and lets its refusal through as it is. */
class ImageDecoderAdmissionTest {

    private final ImageDecoder decoder = new ImageDecoder(1 << 20, 1 << 20);

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "bmp", "gif"})
    void admitHearsThePixelCountAndItsRefusalIsNotTakenForCorruption(String format) {
        byte[] image = Images.encoded(format, 40, 30, BufferedImage.TYPE_3BYTE_BGR);
        List<Long> heard = new ArrayList<>();
        assertThat(decoder.decode(image, heard::add).width()).isEqualTo(40);
        assertThat(heard).isNotEmpty().allMatch(p -> p == 1200L);

        IllegalStateException full = new IllegalStateException("no room");
        assertThatThrownBy(() -> decoder.decode(image, pixels -> {
            throw full;
        })).isSameAs(full);
    }
}
