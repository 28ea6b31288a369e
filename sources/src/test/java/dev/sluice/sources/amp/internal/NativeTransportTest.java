package dev.sluice.sources.amp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * gRPC runs Flight streams on Netty's native epoll transport when it loads, and quietly falls back
 * to NIO when it does not — at ~20 % more CPU for the same stream, both ends together (bench
 * profiling notes 2026-11-22 04:00). This pins that the native library ships for the platforms we
 * build for and loads.
 */
class NativeTransportTest {

    @Test
    void epollLoadsOnLinux() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(
                os.startsWith("linux") && (arch.equals("amd64") || arch.equals("aarch64")),
                "the epoll transport ships for Linux x86_64 and aarch64 only, this is "
                        + os
                        + " "
                        + arch);
        assertThat(Epoll.isAvailable())
                .as("Netty's epoll transport is unavailable: %s", Epoll.unavailabilityCause())
                .isTrue();
    }
}
