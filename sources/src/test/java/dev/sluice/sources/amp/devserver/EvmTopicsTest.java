package dev.sluice.sources.amp.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sources.amp.protocol.BlockHashes;
import org.junit.jupiter.api.Test;

class EvmTopicsTest {

    @Test
    void keccakVectors() {
        assertThat(BlockHashes.toHex(Keccak256.hash("")))
                .isEqualTo("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assertThat(BlockHashes.toHex(EvmTopics.topic("Transfer(address,address,uint256)")))
                .isEqualTo("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
        // More than one 136-byte block.
        assertThat(Keccak256.hash("a".repeat(300))).hasSize(32);
    }

    @Test
    void canonicalizesSignatures() {
        assertThat(
                        EvmTopics.canonicalSignature(
                                "Transfer(address indexed from, address indexed to, uint value)"))
                .isEqualTo("Transfer(address,address,uint256)");
        assertThatThrownBy(() -> EvmTopics.canonicalSignature("Transfer"))
                .hasMessageContaining("Name(type");
    }

    @Test
    void uint256Text() {
        byte[] out = new byte[80];
        Uint256Text t = new Uint256Text();
        assertThat(new String(out, 0, t.format(0, 0, 0, 0, out))).isEqualTo("0");
        assertThat(new String(out, 0, t.format(-1, -1, -1, -1, out)))
                .isEqualTo(
                        java.math.BigInteger.ONE
                                .shiftLeft(256)
                                .subtract(java.math.BigInteger.ONE)
                                .toString());
        assertThat(new String(out, 0, t.format(0, 0, 1, 5, out)))
                .isEqualTo(
                        java.math.BigInteger.ONE
                                .shiftLeft(64)
                                .add(java.math.BigInteger.valueOf(5))
                                .toString());
    }
}
