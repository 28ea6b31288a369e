package dev.sluice.sources.amp.devserver;

/** Deterministic pseudo-random values: the splitmix64 finalizer, cheap and allocation-free. */
final class Mix {

    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Mix() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The i-th value derived from a seed. */
    static long derive(long seed, int i) {
        return mix(seed + i * GOLDEN);
    }

    /** A value in {@code [0, bound)}. */
    static int below(long random, int bound) {
        return (int) Long.remainderUnsigned(random, bound);
    }

    static void putLongBE(byte[] out, int offset, long v) {
        for (int i = 7; i >= 0; i--) {
            out[offset + i] = (byte) v;
            v >>>= 8;
        }
    }
}
