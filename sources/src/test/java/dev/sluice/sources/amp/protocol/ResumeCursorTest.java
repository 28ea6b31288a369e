package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumeCursorTest {

    static final String H = "0x" + "ab".repeat(32);

    @Test
    void headerHasAmpsShapeAndParsesBack() {
        ResumeCursor cursor =
                new ResumeCursor(Map.of("anvil", new BlockRef(2, H), "base", new BlockRef(7, H)));
        assertThat(cursor.toHeader())
                .isEqualTo(
                        "{\"anvil\":{\"number\":2,\"hash\":\""
                                + H
                                + "\"},\"base\":{\"number\":7,\"hash\":\""
                                + H
                                + "\"}}");
        assertThat(ResumeCursor.parse(cursor.toHeader())).isEqualTo(cursor);
    }

    @Test
    void malformedValuesAreRejectedNotIgnored() {
        assertThatThrownBy(() -> ResumeCursor.parse("{\"anvil\":{\"number\":2}}"))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("needs number and hash");
        assertThatThrownBy(() -> ResumeCursor.parse("[1]"))
                .isInstanceOf(AmpProtocolException.class);
        assertThatThrownBy(() -> new BlockRef(1, "0xabc")).isInstanceOf(AmpProtocolException.class);
    }
}
