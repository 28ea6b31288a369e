package dev.sluice.sources.amp.devserver;

import java.nio.charset.StandardCharsets;

/**
 * Keccak-256 (the original Keccak padding Ethereum uses, not SHA3-256), small enough to keep the
 * job jar free of a crypto library. Only what {@code evm_topic} and the generated logs need.
 */
final class Keccak256 {

    private static final int RATE = 136;

    private static final long[] ROUND_CONSTANTS = {
        0x0000000000000001L, 0x0000000000008082L, 0x800000000000808aL, 0x8000000080008000L,
        0x000000000000808bL, 0x0000000080000001L, 0x8000000080008081L, 0x8000000000008009L,
        0x000000000000008aL, 0x0000000000000088L, 0x0000000080008009L, 0x000000008000000aL,
        0x000000008000808bL, 0x800000000000008bL, 0x8000000000008089L, 0x8000000000008003L,
        0x8000000000008002L, 0x8000000000000080L, 0x000000000000800aL, 0x800000008000000aL,
        0x8000000080008081L, 0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L
    };

    /** Rotation offsets, indexed by lane x + 5y. */
    private static final int[] ROTATIONS = {
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14
    };

    private Keccak256() {}

    static byte[] hash(String text) {
        return hash(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hash(byte[] input) {
        long[] state = new long[25];
        byte[] block = new byte[RATE];
        int offset = 0;
        while (input.length - offset >= RATE) {
            absorb(state, input, offset);
            offset += RATE;
        }
        int rest = input.length - offset;
        System.arraycopy(input, offset, block, 0, rest);
        block[rest] ^= 0x01;
        block[RATE - 1] ^= (byte) 0x80;
        absorb(state, block, 0);
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            out[i] = (byte) (state[i >> 3] >>> (8 * (i & 7)));
        }
        return out;
    }

    private static void absorb(long[] state, byte[] data, int offset) {
        for (int i = 0; i < RATE / 8; i++) {
            long lane = 0;
            for (int b = 7; b >= 0; b--) {
                lane = (lane << 8) | (data[offset + 8 * i + b] & 0xFF);
            }
            state[i] ^= lane;
        }
        permute(state);
    }

    private static void permute(long[] a) {
        long[] c = new long[5];
        long[] b = new long[25];
        for (long rc : ROUND_CONSTANTS) {
            for (int x = 0; x < 5; x++) {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }
            for (int x = 0; x < 5; x++) {
                long d = c[(x + 4) % 5] ^ Long.rotateLeft(c[(x + 1) % 5], 1);
                for (int y = 0; y < 25; y += 5) {
                    a[x + y] ^= d;
                }
            }
            for (int x = 0; x < 5; x++) {
                for (int y = 0; y < 5; y++) {
                    // rho and pi: lane (x, y) moves to (y, 2x + 3y).
                    b[y + 5 * ((2 * x + 3 * y) % 5)] =
                            Long.rotateLeft(a[x + 5 * y], ROTATIONS[x + 5 * y]);
                }
            }
            for (int y = 0; y < 25; y += 5) {
                for (int x = 0; x < 5; x++) {
                    a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
                }
            }
            a[0] ^= rc;
        }
    }
}
