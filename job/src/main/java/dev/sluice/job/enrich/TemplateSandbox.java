package dev.sluice.job.enrich;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.loader.ResourceLocator;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.random.RandomNumberGeneratorStrategy;
import java.beans.FeatureDescriptor;
import java.nio.charset.Charset;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.MethodNotFoundException;
import jinjava.javax.el.PropertyNotWritableException;

/**
 * The Jinjava engine of lookup templates, locked down: a template reads row values, literals and
 * Jinjava's own filters, functions and tags, and nothing else. No Java method or bean property of a
 * value is reachable ({@code {{ name.getClass() }}} and {@code {{ name.bytes }}} fail), nothing is
 * read from files or the classpath ({@code include}, {@code import}, {@code from}, {@code extends}
 * are off), values are never rendered again as templates, output, strings, lists and ranges are
 * bounded, and rendering is deterministic ({@code today()} and {@code unixtimestamp()} are off,
 * {@code random} and {@code shuffle} do not shuffle), so a replay asks the same request.
 */
final class TemplateSandbox {

    /** Enough for any key, path or JSON body; a template that renders more is an error. */
    static final long MAX_OUTPUT_CHARS = 1 << 20;

    private static final Jinjava ENGINE = create();

    private TemplateSandbox() {}

    static Jinjava engine() {
        return ENGINE;
    }

    private static Jinjava create() {
        JinjavaConfig config =
                JinjavaConfig.newBuilder()
                        .withElResolver(new ValuesOnlyResolver())
                        .withMaxOutputSize(MAX_OUTPUT_CHARS)
                        .withMaxStringLength(MAX_OUTPUT_CHARS)
                        .withMaxRenderDepth(1)
                        .withNestedInterpretationEnabled(false)
                        .withMaxListSize(10_000)
                        .withMaxMapSize(10_000)
                        .withRangeLimit(10_000)
                        .withEnableRecursiveMacroCalls(false)
                        .withFailOnUnknownTokens(false)
                        // a replay after a failure must ask the same: no clock, no randomness
                        .withRandomNumberGeneratorStrategy(
                                RandomNumberGeneratorStrategy.CONSTANT_ZERO)
                        .withDisabled(
                                Map.of(
                                        Context.Library.FUNCTION,
                                        Set.of(":today", ":unixtimestamp"),
                                        Context.Library.TAG,
                                        Set.of("include", "import", "from", "extends")))
                        .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.setResourceLocator(new NoResources());
        return jinjava;
    }

    /**
     * Jinjava's read-only resolver, restricted to maps, lists, arrays and Jinjava's own objects
     * (filters, functions, {@code loop}); row values (strings, numbers, dates) expose no methods or
     * properties.
     */
    private static final class ValuesOnlyResolver extends ELResolver {
        private final ELResolver delegate = JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY;

        private static boolean readable(Object base) {
            return base == null
                    || base instanceof Map
                    || base instanceof List
                    || base.getClass().isArray()
                    || jinjavaObject(base);
        }

        private static boolean jinjavaObject(Object base) {
            return base != null && base.getClass().getName().startsWith("com.hubspot.jinjava.");
        }

        @Override
        public Class<?> getCommonPropertyType(ELContext context, Object base) {
            return readable(base) ? delegate.getCommonPropertyType(context, base) : null;
        }

        @Override
        public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
            return readable(base)
                    ? delegate.getFeatureDescriptors(context, base)
                    : Collections.emptyIterator();
        }

        @Override
        public Class<?> getType(ELContext context, Object base, Object property) {
            return readable(base) ? delegate.getType(context, base, property) : null;
        }

        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            return readable(base) ? delegate.getValue(context, base, property) : null;
        }

        @Override
        public boolean isReadOnly(ELContext context, Object base, Object property) {
            return true;
        }

        @Override
        public void setValue(ELContext context, Object base, Object property, Object value) {
            throw new PropertyNotWritableException("lookup templates cannot change values");
        }

        @Override
        public Object invoke(
                ELContext context,
                Object base,
                Object method,
                Class<?>[] paramTypes,
                Object[] params) {
            if (jinjavaObject(base)) {
                return delegate.invoke(context, base, method, paramTypes, params);
            }
            throw new MethodNotFoundException(
                    "method '" + method + "' is not available in lookup templates; use filters");
        }
    }

    /** Templates are self-contained: include, import and extends find nothing. */
    private static final class NoResources implements ResourceLocator {
        @Override
        public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter)
                throws ResourceNotFoundException {
            throw new ResourceNotFoundException(
                    "lookup templates cannot include or import other templates (" + fullName + ")");
        }
    }
}
