package dev.sluice.sources.amp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockHashesTest {

    private static final String HASH = "0x" + "0123456789abcdef".repeat(4);

    @Test
    void aNormalHashIsReturnedAsItIs() {
        assertThat(BlockHashes.normalize(HASH)).isSameAs(HASH);
        assertThat(BlockHashes.normalize(null)).isNull();
    }

    @Test
    void upperCaseDigitsAndPrefixAreLowered() {
        assertThat(BlockHashes.normalize(HASH.toUpperCase(Locale.ROOT))).isEqualTo(HASH);
        assertThat(BlockHashes.normalize("0X" + HASH.substring(2))).isEqualTo(HASH);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "0x",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "1x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
                "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
                "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
                "0x0123456789abcdef0123456789abcdef 123456789abcdef0123456789abcdef",
                "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/"
            })
    void malformedHashesAreRejectedWithTheHashInTheMessage(String hash) {
        assertThatThrownBy(() -> BlockHashes.normalize(hash))
                .isInstanceOf(AmpProtocolException.class)
                .hasMessage(
                        "Malformed block hash '"
                                + hash
                                + "': expected 0x followed by 64 hex digits");
    }
}
