package dev.sluice.sources.amp.protocol;

import java.util.Locale;

/** Block hashes as Amp writes them: {@code 0x} followed by 64 lowercase hex digits. */
public final class BlockHashes {

    public static final String ZERO = "0x" + "0".repeat(64);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private BlockHashes() {}

    /**
     * Normalizes a hash to lowercase and checks its form; returns {@code null} for null. Called for
     * every range of every batch, so a hash already in normal form is returned as it is, checked by
     * a plain loop.
     */
    public static String normalize(String hash) {
        if (hash == null || isNormal(hash)) {
            return hash;
        }
        String lower = hash.toLowerCase(Locale.ROOT);
        if (isNormal(lower)) {
            return lower;
        }
        throw new AmpProtocolException(
                "Malformed block hash '" + hash + "': expected 0x followed by 64 hex digits");
    }

    /** {@code 0x} and 64 lowercase hex digits. */
    private static boolean isNormal(String hash) {
        if (hash.length() != 66 || hash.charAt(0) != '0' || hash.charAt(1) != 'x') {
            return false;
        }
        for (int i = 2; i < 66; i++) {
            char c = hash.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    public static boolean isZero(String hash) {
        return hash == null || ZERO.equals(hash);
    }

    public static String toHex(byte[] bytes) {
        char[] out = new char[2 + bytes.length * 2];
        out[0] = '0';
        out[1] = 'x';
        for (int i = 0; i < bytes.length; i++) {
            out[2 + 2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[3 + 2 * i] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    public static byte[] fromHex(String hex) {
        String digits = hex.startsWith("0x") ? hex.substring(2) : hex;
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("Odd number of hex digits in '" + hex + "'");
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
