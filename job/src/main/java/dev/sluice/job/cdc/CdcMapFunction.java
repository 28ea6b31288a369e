package dev.sluice.job.cdc;

import dev.sluice.job.enrich.DeadLetters;
import dev.sluice.sources.postgres.CdcChange;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** After the lookups: the filter expression and the fields, as {@link FieldMapper} says. */
final class CdcMapFunction extends ProcessFunction<CdcChange, CdcChange> {

    private static final long serialVersionUID = 1L;

    private final FieldMapper mapper;

    CdcMapFunction(FieldMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public void processElement(CdcChange change, Context ctx, Collector<CdcChange> out) {
        if (DeadLetters.isDeadLetter(change)) {
            out.collect(change);
            return;
        }
        CdcChange mapped =
                mapper.apply(
                        MappedRow.of(change),
                        change.op(),
                        change.lsn(),
                        change.schema(),
                        change.table());
        if (mapped != null) {
            out.collect(mapped);
        }
    }
}
