package dev.sluice.job.config;

import java.io.Serializable;

/** A secret value from the pipeline file: printed as {@code ******} everywhere. */
public final class Secret implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String value;

    public Secret(String value) {
        this.value = value;
    }

    /** The secret itself; hand it to a driver, never to a log or a message. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "******";
    }
}
