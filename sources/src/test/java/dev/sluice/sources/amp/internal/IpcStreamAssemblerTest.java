package dev.sluice.sources.amp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.sluice.sources.amp.protocol.AmpProtocolException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.junit.jupiter.api.Test;

/**
 * Framing the server's IPC headers and bodies gives byte for byte what {@code ArrowStreamWriter}
 * writes: continuation, padded length, header, padding, body, end of stream.
 */
class IpcStreamAssemblerTest {

    @Test
    void framedBatchesAreExactlyTheStreamWritersBytes() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
                BigIntVector block = new BigIntVector("_block_num", allocator);
                VarCharVector data = new VarCharVector("data", allocator);
                VectorSchemaRoot root = VectorSchemaRoot.of(block, data)) {
            IpcStreamAssembler assembler = new IpcStreamAssembler();
            boolean first = true;
            int unpaddedHeaders = 0;
            // Row counts 3, 10, 1 with a null: headers and bodies of different sizes and padding.
            for (int rows : new int[] {3, 10, 1}) {
                root.allocateNew();
                for (int r = 0; r < rows; r++) {
                    block.setSafe(r, rows * 100L + r);
                    if (r == 1) {
                        data.setNull(r);
                    } else {
                        data.setSafe(r, ("row " + rows + "/" + r).getBytes(StandardCharsets.UTF_8));
                    }
                }
                root.setRowCount(rows);
                byte[] expected = streamWriter(root);
                List<FlightMessage> messages = asFlightData(expected, allocator);
                assertThat(messages).hasSize(2);
                for (FlightMessage m : messages) {
                    unpaddedHeaders += m.headerLength % 8 != 0 ? 1 : 0;
                }
                if (first) {
                    assertThat(assembler.add(messages.get(0))).isFalse();
                    first = false;
                }
                assertThat(assembler.add(messages.get(1))).isTrue();
                assertThat(assembler.rows()).isEqualTo(rows);
                assertThat(assembler.ipcStream()).isEqualTo(expected);
            }
            assertThat(unpaddedHeaders).as("messages whose header needs padding").isPositive();
        }
    }

    @Test
    void metadataWithoutAnArrowMessageIsAnEmptyBatch() throws Exception {
        FlightMessage message =
                FlightMessage.parse(
                        Flight.FlightData.newBuilder()
                                .setAppMetadata(ByteString.copyFromUtf8("{\"ranges\":[]}"))
                                .build()
                                .toByteArray());
        IpcStreamAssembler assembler = new IpcStreamAssembler();
        assertThat(assembler.add(message)).isTrue();
        assertThat(assembler.rows()).isZero();
        assertThat(new String(message.appMetadata(), StandardCharsets.UTF_8))
                .isEqualTo("{\"ranges\":[]}");
    }

    @Test
    void aBatchBeforeTheSchemaOrWithAShortBodyIsAProtocolError() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
                BigIntVector block = new BigIntVector("_block_num", allocator);
                VectorSchemaRoot root = VectorSchemaRoot.of(block)) {
            block.setSafe(0, 1);
            root.setRowCount(1);
            List<FlightMessage> messages = asFlightData(streamWriter(root), allocator);
            assertThatThrownBy(() -> new IpcStreamAssembler().add(messages.get(1)))
                    .isInstanceOf(AmpProtocolException.class)
                    .hasMessageContaining("before the stream's schema");
            FlightMessage batch = messages.get(1);
            FlightMessage truncated =
                    FlightMessage.parse(
                            Flight.FlightData.newBuilder()
                                    .setDataHeader(
                                            ByteString.copyFrom(
                                                    batch.bytes,
                                                    batch.headerOffset,
                                                    batch.headerLength))
                                    .setDataBody(
                                            ByteString.copyFrom(
                                                    batch.bytes,
                                                    batch.bodyOffset,
                                                    batch.bodyLength - 8))
                                    .build()
                                    .toByteArray());
            IpcStreamAssembler assembler = new IpcStreamAssembler();
            assembler.add(messages.get(0));
            assertThatThrownBy(() -> assembler.add(truncated))
                    .isInstanceOf(AmpProtocolException.class)
                    .hasMessageContaining("announces");
        }
    }

    private static byte[] streamWriter(VectorSchemaRoot root) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        return out.toByteArray();
    }

    /**
     * The FlightData messages a Flight server sends for the stream: headers as Arrow builds them
     * for Flight (FlatBuffers without the IPC padding), bodies as in the IPC stream.
     */
    private static List<FlightMessage> asFlightData(byte[] ipc, BufferAllocator allocator)
            throws Exception {
        List<FlightMessage> messages = new ArrayList<>();
        MessageChannelReader reader =
                new MessageChannelReader(
                        new ReadChannel(Channels.newChannel(new ByteArrayInputStream(ipc))),
                        allocator);
        for (MessageResult m = reader.readNext(); m != null; m = reader.readNext()) {
            Flight.FlightData.Builder data = Flight.FlightData.newBuilder();
            if (m.getMessage().headerType() == MessageHeader.Schema) {
                data.setDataHeader(
                        ByteString.copyFrom(
                                MessageSerializer.serializeMetadata(
                                        MessageSerializer.deserializeSchema(m.getMessage()))));
            } else {
                byte[] body = new byte[(int) m.getBodyBuffer().readableBytes()];
                m.getBodyBuffer().getBytes(0, body);
                data.setDataBody(ByteString.copyFrom(body));
                // The batch takes the body buffer over and releases it when closed.
                try (ArrowRecordBatch batch =
                        MessageSerializer.deserializeRecordBatch(
                                m.getMessage(), m.getBodyBuffer())) {
                    data.setDataHeader(
                            ByteString.copyFrom(MessageSerializer.serializeMetadata(batch)));
                }
            }
            messages.add(FlightMessage.parse(data.build().toByteArray()));
        }
        return messages;
    }
}
