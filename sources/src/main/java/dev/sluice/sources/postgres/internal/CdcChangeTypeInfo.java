package dev.sluice.sources.postgres.internal;

import dev.sluice.sources.postgres.CdcChange;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link CdcChange} backed by {@link CdcChangeSerializer}. */
public final class CdcChangeTypeInfo extends TypeInformation<CdcChange> {

    private static final long serialVersionUID = 1L;

    public static final CdcChangeTypeInfo INSTANCE = new CdcChangeTypeInfo();

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
    public Class<CdcChange> getTypeClass() {
        return CdcChange.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<CdcChange> createSerializer(SerializerConfig config) {
        return CdcChangeSerializer.INSTANCE;
    }

    @Override
    @SuppressWarnings("deprecation")
    public TypeSerializer<CdcChange> createSerializer(
            org.apache.flink.api.common.ExecutionConfig config) {
        return CdcChangeSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "CdcChange";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof CdcChangeTypeInfo;
    }

    @Override
    public int hashCode() {
        return CdcChangeTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof CdcChangeTypeInfo;
    }
}
