package dev.sluice.sinks.postgres.internal;

import dev.sluice.sinks.postgres.PostgresSinkRecord;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information of {@link PostgresSinkRecord} backed by {@link PostgresSinkRecordSerializer}.
 */
public final class PostgresSinkRecordTypeInfo extends TypeInformation<PostgresSinkRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<PostgresSinkRecord> getTypeClass() {
        return PostgresSinkRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PostgresSinkRecord> createSerializer(SerializerConfig config) {
        return PostgresSinkRecordSerializer.INSTANCE;
    }

    @Override
    @SuppressWarnings("deprecation")
    public TypeSerializer<PostgresSinkRecord> createSerializer(
            org.apache.flink.api.common.ExecutionConfig config) {
        return PostgresSinkRecordSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PostgresSinkRecord";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PostgresSinkRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return PostgresSinkRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof PostgresSinkRecordTypeInfo;
    }
}
