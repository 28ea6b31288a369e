package dev.sluice.sinks.postgres.internal;

import dev.sluice.common.SerializerTypeInfo;
import dev.sluice.sinks.postgres.PostgresSinkRecord;

/**
 * Type information of {@link PostgresSinkRecord} backed by {@link PostgresSinkRecordSerializer}.
 */
public final class PostgresSinkRecordTypeInfo extends SerializerTypeInfo<PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;

    public PostgresSinkRecordTypeInfo() {
        super(PostgresSinkRecord.class, PostgresSinkRecordSerializer.INSTANCE);
    }
}
