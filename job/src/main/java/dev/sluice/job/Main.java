package dev.sluice.job;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code sync-job.jar}. On a Flink cluster ({@code flink run}) Flink is on the
 * classpath and this hands over to {@link SyncJob} directly. Under a bare {@code java -jar} the
 * cluster jar carries no Flink, so this finds the Flink runtime in {@code flink-lib/} beside the
 * jar (the build puts it there) and runs the job in a class loader that adds it.
 *
 * <p>Uses JDK classes only: it must load before Flink is reachable.
 */
public final class Main {

    static final String FLINK_MARKER_CLASS =
            "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment";
    static final String ENTRY_CLASS = "dev.sluice.job.SyncJob";
    static final String FLINK_LIB_DIR = "flink-lib";

    private Main() {}

    private static String[] ARGS = new String[0];

    public static void main(String[] args) throws Throwable {
        ARGS = args;
        ClassLoader loader = Main.class.getClassLoader();
        if (!canLoad(loader, FLINK_MARKER_CLASS)) {
            loader = withFlinkRuntime();
        }
        Thread.currentThread().setContextClassLoader(loader);
        Method main = Class.forName(ENTRY_CLASS, true, loader).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean canLoad(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static ClassLoader withFlinkRuntime() throws MalformedURLException {
        File jar =
                new File(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        File lib = new File(jar.getParentFile(), FLINK_LIB_DIR);
        File[] jars = lib.listFiles((dir, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            System.err.println(
                    "sync-job.jar found no Flink runtime: run it with `flink run` on a Flink"
                            + " cluster, or keep the "
                            + FLINK_LIB_DIR
                            + "/ directory that `mvn package` builds next to it ("
                            + lib.getAbsolutePath()
                            + ").");
            System.exit(2);
        }
        Arrays.sort(jars);
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toURI().toURL());
        for (File f : jars) {
            urls.add(f.toURI().toURL());
        }
        if (System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j.configurationFile", "sluice-log4j2.properties");
        }
        if (System.getProperty("sluice.log.file") == null) {
            // Each tool logs to its own file, so a dev server and a job side by side don't mix.
            boolean devServer = ARGS.length > 0 && "amp-dev-server".equals(ARGS[0]);
            System.setProperty("sluice.log.file", devServer ? "amp-dev-server.log" : "sluice.log");
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }
}
