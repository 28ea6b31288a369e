package dev.sluice.job.cdc;

import dev.sluice.sources.postgres.CdcChange;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys a change by its unique_key values, so every version of a target row goes to the same merge
 * and sink subtask (one key never waits on another subtask's prepared transaction). Without a
 * unique_key (append) all changes share one key.
 */
final class UniqueKeySelector implements KeySelector<CdcChange, String> {

    private static final long serialVersionUID = 1L;

    private final String[] keys;

    UniqueKeySelector(List<String> keys) {
        this.keys = keys.toArray(new String[0]);
    }

    @Override
    public String getKey(CdcChange c) {
        StringBuilder b = new StringBuilder();
        for (String key : keys) {
            int i = c.indexOf(key);
            Object v = i < 0 ? null : c.value(i);
            b.append(v == null ? "\u0000" : v.toString()).append('\u0001');
        }
        return b.toString();
    }
}
