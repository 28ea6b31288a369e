package dev.sluice.sources.amp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/** Turns the record batch a Flight stream just delivered into a self-contained Arrow IPC stream. */
public final class ArrowIpc {

    /** Reused across batches of one stream: it only grows to the largest batch. */
    private final Buffer buffer = new Buffer();

    public byte[] write(VectorSchemaRoot root, DictionaryProvider dictionaries) throws IOException {
        buffer.reset();
        try (ArrowStreamWriter writer =
                new ArrowStreamWriter(root, dictionaries, Channels.newChannel(buffer))) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        return buffer.toByteArray();
    }

    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1 << 16);
        }
    }
}
