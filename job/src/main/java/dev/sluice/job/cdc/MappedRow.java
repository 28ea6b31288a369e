package dev.sluice.job.cdc;

import java.util.ArrayList;
import java.util.List;

/** A row on its way through the transform: ordered columns with types, values, unchanged flags. */
final class MappedRow {

    final List<String> columns = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    final List<Object> values = new ArrayList<>();
    final List<Boolean> unchanged = new ArrayList<>();

    void add(String column, String type, Object value, boolean isUnchanged) {
        columns.add(column);
        types.add(type);
        values.add(value);
        unchanged.add(isUnchanged);
    }

    int indexOf(String column) {
        return columns.indexOf(column);
    }

    Object get(String column) {
        int i = columns.indexOf(column);
        return i < 0 ? null : values.get(i);
    }

    boolean[] unchangedFlags() {
        boolean[] out = new boolean[unchanged.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = unchanged.get(i);
        }
        return out;
    }
}
