package dev.sluice.sources.amp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.sluice.sources.amp.protocol.AmpProtocolException;
import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Reading serialized FlightData and framing the server's IPC headers and bodies gives byte for byte
 * what {@code ArrowStreamWriter} writes: continuation, padded length, header, padding, body, end of
 * stream.
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
                fill(root, block, data, rows);
                byte[] expected = streamWriter(root);
                List<Flight.FlightData> messages = asFlightData(expected, allocator);
                assertThat(messages).hasSize(2);
                for (Flight.FlightData m : messages) {
                    unpaddedHeaders += m.getDataHeader().size() % 8 != 0 ? 1 : 0;
                }
                if (first) {
                    assertThat(read(assembler, messages.get(0).toByteArray()).isBatch()).isFalse();
                    first = false;
                }
                FlightMessage batch = read(assembler, messages.get(1).toByteArray());
                assertThat(batch.isBatch()).isTrue();
                assertThat(batch.rows()).isEqualTo(rows);
                assertThat(batch.ipcStream()).isEqualTo(expected);
            }
            assertThat(unpaddedHeaders).as("messages whose header needs padding").isPositive();
        }
    }

    @Test
    void aBodyBeforeItsHeaderAndUnknownFieldsReadTheSame() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
                BigIntVector block = new BigIntVector("_block_num", allocator);
                VarCharVector data = new VarCharVector("data", allocator);
                VectorSchemaRoot root = VectorSchemaRoot.of(block, data)) {
            fill(root, block, data, 7);
            byte[] expected = streamWriter(root);
            List<Flight.FlightData> messages = asFlightData(expected, allocator);
            Flight.FlightData batch = messages.get(1);
            // Protobuf lets fields come in any order, and readers skip fields they do not know:
            // a varint (field 20), a fixed64 (21), a fixed32 (22) and a string (23) here.
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeUInt64(20, 300);
            out.writeBytes(1000, batch.getDataBody());
            out.writeFixed64(21, 1);
            out.writeBytes(2, batch.getDataHeader());
            out.writeFixed32(22, 2);
            out.writeString(23, "ignored");
            out.writeBytes(3, ByteString.copyFromUtf8("{}"));
            out.flush();
            IpcStreamAssembler assembler = new IpcStreamAssembler();
            read(assembler, messages.get(0).toByteArray());
            FlightMessage message = read(assembler, bytes.toByteArray());
            assertThat(message.isBatch()).isTrue();
            assertThat(message.rows()).isEqualTo(7);
            assertThat(message.ipcStream()).isEqualTo(expected);
            assertThat(new String(message.appMetadata(), StandardCharsets.UTF_8)).isEqualTo("{}");
        }
    }

    @Test
    void metadataWithoutAnArrowMessageIsAnEmptyBatch() throws Exception {
        FlightMessage message =
                read(
                        new IpcStreamAssembler(),
                        Flight.FlightData.newBuilder()
                                .setAppMetadata(ByteString.copyFromUtf8("{\"ranges\":[]}"))
                                .build()
                                .toByteArray());
        assertThat(message.isBatch()).isTrue();
        assertThat(message.rows()).isZero();
        assertThat(message.ipcStream()).isNull();
        assertThat(new String(message.appMetadata(), StandardCharsets.UTF_8))
                .isEqualTo("{\"ranges\":[]}");
    }

    @Test
    void aBatchBeforeTheSchemaOrWithAShortBodyIsAProtocolError() throws Exception {
        List<Flight.FlightData> messages = oneRowStream();
        FlightMessage early = read(new IpcStreamAssembler(), messages.get(1).toByteArray());
        assertThatThrownBy(early::isBatch)
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("before the stream's schema");
        Flight.FlightData batch = messages.get(1);
        byte[] truncated =
                batch.toBuilder()
                        .setDataBody(
                                batch.getDataBody().substring(0, batch.getDataBody().size() - 8))
                        .build()
                        .toByteArray();
        IpcStreamAssembler assembler = new IpcStreamAssembler();
        read(assembler, messages.get(0).toByteArray());
        FlightMessage shortBody = read(assembler, truncated);
        assertThatThrownBy(shortBody::isBatch)
                .isInstanceOf(AmpProtocolException.class)
                .hasMessageContaining("announces");
        // The stream goes on: the next well-formed batch reads as usual.
        assertThat(read(assembler, batch.toByteArray()).rows()).isEqualTo(1);
    }

    @Test
    void aMessageCutShortIsMalformed() throws Exception {
        List<Flight.FlightData> messages = oneRowStream();
        IpcStreamAssembler assembler = new IpcStreamAssembler();
        read(assembler, messages.get(0).toByteArray());
        byte[] whole = messages.get(1).toByteArray();
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> read(assembler, cut))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("bytes into a");
        assertThatThrownBy(() -> read(assembler, new byte[] {0x12, (byte) 0x80}))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("inside a varint");
    }

    @Test
    void anArrowHeaderThatPointsOutsideItsBytesIsMalformed() throws Exception {
        // A FlatBuffer whose root table offset (64) lies beyond its 8 bytes: only reading one of
        // its fields finds that out.
        for (byte[] header : List.of(new byte[] {64, 0, 0, 0, 0, 0, 0, 0}, new byte[] {1, 2})) {
            byte[] message =
                    Flight.FlightData.newBuilder()
                            .setDataHeader(ByteString.copyFrom(header))
                            .setDataBody(ByteString.copyFrom(new byte[8]))
                            .build()
                            .toByteArray();
            assertThatThrownBy(() -> read(new IpcStreamAssembler(), message))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a readable IPC message");
        }
    }

    @Test
    void aFieldThatAppearsTwiceIsMalformed() throws Exception {
        Flight.FlightData batch = oneRowStream().get(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeBytes(2, batch.getDataHeader());
        out.writeBytes(2, batch.getDataHeader());
        out.writeBytes(1000, batch.getDataBody());
        out.flush();
        assertThatThrownBy(() -> read(new IpcStreamAssembler(), bytes.toByteArray()))
                .isInstanceOf(IOException.class)
                .hasMessage("field 2 appears twice");
    }

    @Test
    void aFieldLongerThanTheMessageFailsBeforeItsArrayIsAllocated() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeTag(1000, 2);
        out.writeUInt32NoTag(1 << 30);
        out.writeRawBytes(new byte[] {1, 2, 3});
        out.flush();
        // gRPC's message streams know their length, as this one does.
        class GrpcLike extends ByteArrayInputStream implements KnownLength {
            GrpcLike(byte[] b) {
                super(b);
            }
        }
        assertThatThrownBy(() -> new IpcStreamAssembler().read(new GrpcLike(bytes.toByteArray())))
                .isInstanceOf(EOFException.class)
                .hasMessage("field 1000 announces 1073741824 bytes but the message has 3 left");
    }

    /** The FlightData of a one-column stream: its schema, then a batch of one row. */
    private static List<Flight.FlightData> oneRowStream() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
                BigIntVector block = new BigIntVector("_block_num", allocator);
                VectorSchemaRoot root = VectorSchemaRoot.of(block)) {
            block.setSafe(0, 1);
            root.setRowCount(1);
            return asFlightData(streamWriter(root), allocator);
        }
    }

    private static FlightMessage read(IpcStreamAssembler assembler, byte[] flightData)
            throws Exception {
        return assembler.read(new ByteArrayInputStream(flightData));
    }

    private static void fill(
            VectorSchemaRoot root, BigIntVector block, VarCharVector data, int rows) {
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
    private static List<Flight.FlightData> asFlightData(byte[] ipc, BufferAllocator allocator)
            throws Exception {
        List<Flight.FlightData> messages = new ArrayList<>();
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
            messages.add(data.build());
        }
        return messages;
    }
}
