package dev.sluice.sinks.postgres;

import dev.sluice.sinks.postgres.internal.PostgresSinkRecordSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What the PostgreSQL sink writes: a columnar Arrow batch, a rollback of a stream's blocks, a row
 * change, a new column, or a table replaced. Records of one writer are applied in stream order
 * inside the checkpoint's transaction.
 */
public sealed interface PostgresSinkRecord
        permits ArrowBatchRecord,
                RollbackRecord,
                RowChangeRecord,
                AddColumnRecord,
                ReplaceTableRecord {

    /** The table this record writes to. */
    TableRef table();

    /** Explicit (non-Kryo) type information, for {@code returns(...)} and state. */
    static TypeInformation<PostgresSinkRecord> typeInfo() {
        return PostgresSinkRecordSerializer.TYPE_INFO;
    }
}
