package dev.sluice.sources.amp;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Explicit type information for {@link AmpRecord}, so Flink never falls back to Kryo. */
public final class AmpRecordTypeInfo extends TypeInformation<AmpRecord> {

    private static final long serialVersionUID = 1L;

    public static final AmpRecordTypeInfo INSTANCE = new AmpRecordTypeInfo();

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
    public Class<AmpRecord> getTypeClass() {
        return AmpRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<AmpRecord> createSerializer(SerializerConfig config) {
        return AmpRecordSerializer.INSTANCE;
    }

    @Override
    @SuppressWarnings("deprecation")
    public TypeSerializer<AmpRecord> createSerializer(ExecutionConfig config) {
        return AmpRecordSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "AmpRecord";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof AmpRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return AmpRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof AmpRecordTypeInfo;
    }
}
