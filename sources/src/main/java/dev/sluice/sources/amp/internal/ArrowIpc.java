package dev.sluice.sources.amp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns the record batch a Flight stream just delivered into a self-contained Arrow IPC stream:
 * schema message, record batch message, end of stream — what {@code ArrowStreamWriter} writes.
 *
 * <p>A Flight stream delivers every batch into the same root, with the same schema object, so the
 * schema message is serialized once per schema and copied in front of each batch, instead of
 * building its FlatBuffer again for every batch. Schemas with dictionary-encoded fields take {@code
 * ArrowStreamWriter}, which also writes their dictionary batches.
 */
public final class ArrowIpc {

    /** Reused across batches of one stream: it only grows to the largest batch. */
    private final Buffer buffer = new Buffer();

    private Schema schema;
    private byte[] schemaMessage;

    public byte[] write(VectorSchemaRoot root, DictionaryProvider dictionaries) throws IOException {
        Schema current = root.getSchema();
        if (current != schema) {
            if (hasDictionaries(current.getFields())) {
                return writeWithDictionaries(root, dictionaries);
            }
            buffer.reset();
            MessageSerializer.serialize(channel(), current, IpcOption.DEFAULT);
            schemaMessage = buffer.toByteArray();
            schema = current;
        }
        buffer.reset();
        // IPC messages are padded to 8 bytes: the batch after the copied schema stays aligned.
        buffer.write(schemaMessage);
        WriteChannel out = channel();
        try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
            MessageSerializer.serialize(out, batch, IpcOption.DEFAULT);
        }
        ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
        return buffer.toByteArray();
    }

    private byte[] writeWithDictionaries(VectorSchemaRoot root, DictionaryProvider dictionaries)
            throws IOException {
        buffer.reset();
        try (ArrowStreamWriter writer =
                new ArrowStreamWriter(root, dictionaries, Channels.newChannel(buffer))) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        return buffer.toByteArray();
    }

    private WriteChannel channel() {
        return new WriteChannel(Channels.newChannel(buffer));
    }

    private static boolean hasDictionaries(Iterable<Field> fields) {
        for (Field f : fields) {
            if (f.getDictionary() != null || hasDictionaries(f.getChildren())) {
                return true;
            }
        }
        return false;
    }

    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1 << 16);
        }
    }
}
