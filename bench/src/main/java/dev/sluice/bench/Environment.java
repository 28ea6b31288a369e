package dev.sluice.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Prints what the numbers depend on: cores, memory, load, Java. */
final class Environment {

    private Environment() {}

    static void print(PrintStream out) {
        out.printf(
                "Machine: %d cores, %s; load average %s; Java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(),
                memTotal(),
                loadAverage(),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.1f GiB RAM", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown RAM";
    }
}
