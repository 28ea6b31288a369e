package dev.sluice.sources.amp.devserver;

import java.util.Locale;

/**
 * {@code evm_topic('sig')}: the keccak-256 of an event's canonical signature. Parameter names and
 * {@code indexed} are dropped and {@code uint}/{@code int} widen to 256 bits, so {@code
 * Transfer(address indexed from, address indexed to, uint256 value)} and {@code
 * Transfer(address,address,uint256)} give the same topic.
 */
public final class EvmTopics {

    private EvmTopics() {}

    /** The 32-byte topic of an event signature. */
    public static byte[] topic(String signature) {
        return Keccak256.hash(canonicalSignature(signature));
    }

    /**
     * {@code Name(type,type,…)}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong with the signature
     */
    public static String canonicalSignature(String signature) {
        String sig = signature.trim();
        int open = sig.indexOf('(');
        if (open <= 0 || !sig.endsWith(")")) {
            throw new IllegalArgumentException(
                    "Event signature '"
                            + signature
                            + "' must look like Name(type name, …), e.g."
                            + " Transfer(address,address,uint256)");
        }
        String name = sig.substring(0, open).trim();
        if (!name.matches("[A-Za-z_$][A-Za-z0-9_$]*")) {
            throw new IllegalArgumentException(
                    "Event name '" + name + "' in signature '" + signature + "' is not valid");
        }
        String params = sig.substring(open + 1, sig.length() - 1).trim();
        StringBuilder out = new StringBuilder(name).append('(');
        if (!params.isEmpty()) {
            String[] parts = params.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                String[] words = parts[i].trim().split("\\s+");
                String type = words[0].toLowerCase(Locale.ROOT);
                if (type.isEmpty() || !type.matches("[a-z][a-z0-9]*(\\[[0-9]*\\])*")) {
                    throw new IllegalArgumentException(
                            "Parameter "
                                    + (i + 1)
                                    + " of event signature '"
                                    + signature
                                    + "' has no valid type (tuple parameters are not"
                                    + " supported by the dev server)");
                }
                if (i > 0) {
                    out.append(',');
                }
                out.append(widen(type));
            }
        }
        return out.append(')').toString();
    }

    private static String widen(String type) {
        int bracket = type.indexOf('[');
        String base = bracket < 0 ? type : type.substring(0, bracket);
        String suffix = bracket < 0 ? "" : type.substring(bracket);
        if (base.equals("uint") || base.equals("int")) {
            base += "256";
        }
        return base + suffix;
    }
}
