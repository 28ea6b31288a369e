package dev.sluice.sources.amp.devserver;

/** Decimal text of an unsigned 256-bit number given as four 64-bit words, without allocating. */
final class Uint256Text {

    private static final long BILLION = 1_000_000_000L;

    private final int[] limbs = new int[8];
    private final int[] chunks = new int[10];

    /**
     * Writes the decimal digits of {@code w3·2^192 + w2·2^128 + w1·2^64 + w0}; returns the length.
     */
    int format(long w3, long w2, long w1, long w0, byte[] out) {
        long[] words = {w3, w2, w1, w0};
        for (int i = 0; i < 4; i++) {
            limbs[2 * i] = (int) (words[i] >>> 32);
            limbs[2 * i + 1] = (int) words[i];
        }
        int n = 0;
        boolean zero;
        do {
            long rem = 0;
            zero = true;
            for (int i = 0; i < 8; i++) {
                long cur = (rem << 32) | (limbs[i] & 0xFFFFFFFFL);
                long q = cur / BILLION;
                rem = cur - q * BILLION;
                limbs[i] = (int) q;
                zero &= q == 0;
            }
            chunks[n++] = (int) rem;
        } while (!zero);
        int len = 0;
        String first = Integer.toString(chunks[n - 1]);
        for (int i = 0; i < first.length(); i++) {
            out[len++] = (byte) first.charAt(i);
        }
        for (int c = n - 2; c >= 0; c--) {
            int v = chunks[c];
            for (int d = 8; d >= 0; d--) {
                out[len + d] = (byte) ('0' + v % 10);
                v /= 10;
            }
            len += 9;
        }
        return len;
    }
}
