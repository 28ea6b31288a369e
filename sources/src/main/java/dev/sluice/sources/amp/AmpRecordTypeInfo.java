package dev.sluice.sources.amp;

import dev.sluice.common.SerializerTypeInfo;

/** Explicit type information for {@link AmpRecord}, so Flink never falls back to Kryo. */
public final class AmpRecordTypeInfo extends SerializerTypeInfo<AmpRecord> {

    private static final long serialVersionUID = 1L;

    public static final AmpRecordTypeInfo INSTANCE = new AmpRecordTypeInfo();

    private AmpRecordTypeInfo() {
        super(AmpRecord.class, AmpRecordSerializer.INSTANCE);
    }
}
