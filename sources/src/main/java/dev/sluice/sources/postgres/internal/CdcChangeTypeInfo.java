package dev.sluice.sources.postgres.internal;

import dev.sluice.common.SerializerTypeInfo;
import dev.sluice.sources.postgres.CdcChange;

/** Type information of {@link CdcChange} backed by {@link CdcChangeSerializer}. */
public final class CdcChangeTypeInfo extends SerializerTypeInfo<CdcChange> {

    private static final long serialVersionUID = 1L;

    public static final CdcChangeTypeInfo INSTANCE = new CdcChangeTypeInfo();

    private CdcChangeTypeInfo() {
        super(CdcChange.class, CdcChangeSerializer.INSTANCE);
    }
}
