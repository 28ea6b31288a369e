package dev.sluice.job.amp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sources.amp.AmpRecord;
import dev.sluice.sources.amp.AmpRecordTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.apache.flink.streaming.runtime.partitioner.KeyGroupStreamPartitioner;
import org.apache.flink.streaming.runtime.partitioner.StreamPartitioner;
import org.junit.jupiter.api.Test;

/** Records are shuffled by stream unless the embedded runner runs one subtask of each. */
class AmpPipelineTest {

    @Test
    void oneSubtaskOnTheLocalRunnerIsForwardedAndChains() {
        assertThat(partitioner(StreamExecutionEnvironment.createLocalEnvironment(1), 1, 1))
                .isInstanceOf(ForwardPartitioner.class);
    }

    @Test
    void moreSubtasksAreShuffledByKeyGroup() {
        LocalStreamEnvironment local = StreamExecutionEnvironment.createLocalEnvironment(2);
        assertThat(partitioner(local, 1, 2)).isInstanceOf(KeyGroupStreamPartitioner.class);
        assertThat(partitioner(StreamExecutionEnvironment.createLocalEnvironment(2), 2, 2))
                .isInstanceOf(KeyGroupStreamPartitioner.class);
    }

    @Test
    void aClusterJobIsAlwaysShuffledSoThatItsVerticesCanBeRescaled() {
        StreamExecutionEnvironment cluster = new StreamExecutionEnvironment(new Configuration());
        assertThat(partitioner(cluster, 1, 1)).isInstanceOf(KeyGroupStreamPartitioner.class);
    }

    private static StreamPartitioner<?> partitioner(
            StreamExecutionEnvironment env, int sourceParallelism, int parallelism) {
        DataStream<AmpRecord> records =
                env.fromSequence(0, 1)
                        .map(i -> (AmpRecord) null, AmpRecordTypeInfo.INSTANCE)
                        .setParallelism(sourceParallelism);
        PartitionTransformation<?> t =
                (PartitionTransformation<?>)
                        AmpPipeline.byStream(records, parallelism).getTransformation();
        return t.getPartitioner();
    }
}
