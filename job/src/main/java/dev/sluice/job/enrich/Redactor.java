package dev.sluice.job.enrich;

import dev.sluice.job.config.Datastore;
import dev.sluice.job.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Replaces a datastore's secret values (password, token, secret headers, and the Basic credentials
 * made of them) in messages that may quote a server's answer, which could echo them back.
 */
final class Redactor {

    /** Shorter secrets would replace ordinary words; they are still never put in messages. */
    private static final int MIN_LENGTH = 4;

    private final List<String> secrets = new ArrayList<>();

    Redactor(Datastore datastore) {
        if (datastore == null) {
            return;
        }
        add(datastore.password);
        add(datastore.authToken);
        datastore.headers.values().forEach(this::add);
        if (datastore.password != null && datastore.username != null) {
            String basic = datastore.username + ":" + datastore.password.reveal();
            secrets.add(Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void add(Secret secret) {
        if (secret != null && secret.reveal() != null && secret.reveal().length() >= MIN_LENGTH) {
            secrets.add(secret.reveal());
        }
    }

    String redact(String message) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (String s : secrets) {
            out = out.replace(s, "******");
        }
        return out;
    }
}
