package dev.sluice.job.manifest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.NativeArray;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;

/**
 * Evaluates a {@code .js/.mjs/.ts/.mts} manifest in Rhino, sandboxed: interpreted only, only the
 * ECMAScript standard objects (no {@code java}, {@code Packages}, {@code load}, file, network or
 * process access; every Java class is shut out), a bounded stack and an instruction and time
 * budget. The sandbox provides {@code defineDataset}; the module's default export is the manifest.
 */
final class ScriptManifestReader {

    static final long MAX_INSTRUCTIONS = 50_000_000L;
    static final long MAX_MILLIS = 5_000;

    private static final String PRELUDE =
            "function defineDataset(f) { return typeof f === 'function' ? f({}) : f; }\n"
                    + "var module = { exports: undefined }; var exports = {};\n";

    private static final ContextFactory SANDBOX = new SandboxFactory();

    private ScriptManifestReader() {}

    static DatasetManifest read(Path file, String source) throws ManifestException {
        String script;
        try {
            script = TypeScriptStripper.strip(source);
        } catch (TypeScriptStripper.UnsupportedImport e) {
            throw new ManifestException(file + ":" + e.line + ": " + e.getMessage());
        }
        Object root = evaluate(file, script);
        return new ManifestTree(file, path -> lineOf(source, path)).toManifest(root);
    }

    private static Object evaluate(Path file, String script) throws ManifestException {
        Context cx = SANDBOX.enterContext();
        try {
            cx.putThreadLocal(Budget.class, new Budget());
            ScriptableObject scope = cx.initSafeStandardObjects(null, true);
            cx.evaluateString(scope, PRELUDE, "<sluice prelude>", 1, null);
            cx.evaluateString(scope, script, file.getFileName().toString(), 1, null);
            Object result = ScriptableObject.getProperty(scope, TypeScriptStripper.RESULT);
            if (result == Scriptable.NOT_FOUND) {
                Object module = scope.get("module", scope);
                result = ((Scriptable) module).get("exports", (Scriptable) module);
            }
            if (result == Scriptable.NOT_FOUND || result == null || result instanceof Undefined) {
                throw new ManifestException(
                        file
                                + ": nothing is exported; expected export default"
                                + " defineDataset(() => ({ … }))");
            }
            return toJava(result);
        } catch (EvaluatorException e) {
            throw new ManifestException(
                    file + ":" + e.lineNumber() + ": syntax error: " + e.details() + where(e), e);
        } catch (EcmaError e) {
            throw new ManifestException(
                    file
                            + ":"
                            + e.lineNumber()
                            + ": "
                            + e.getName()
                            + ": "
                            + e.getErrorMessage()
                            + where(e),
                    e);
        } catch (JavaScriptException e) {
            throw new ManifestException(
                    file + ":" + e.lineNumber() + ": the manifest threw " + e.details(), e);
        } catch (BudgetExceeded e) {
            throw new ManifestException(
                    file
                            + ": evaluating the manifest "
                            + e.getMessage()
                            + "; a manifest must only build its dataset object");
        } finally {
            Context.exit();
        }
    }

    private static String where(RhinoException e) {
        return e.lineSource() == null ? "" : " (at: " + e.lineSource().strip() + ")";
    }

    private static Object toJava(Object v) {
        if (v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Function) {
            return ManifestTree.FUNCTION;
        }
        if (v instanceof NativeArray) {
            NativeArray a = (NativeArray) v;
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < a.getLength(); i++) {
                list.add(toJava(a.get(i, a)));
            }
            return list;
        }
        if (v instanceof Scriptable) {
            Scriptable o = (Scriptable) v;
            Map<String, Object> map = new LinkedHashMap<>();
            for (Object id : o.getIds()) {
                String key = String.valueOf(id);
                map.put(key, toJava(ScriptableObject.getProperty(o, key)));
            }
            return map;
        }
        return null;
    }

    /**
     * Best-effort line of a key path in the source: the first line defining each key in turn
     * (JavaScript values carry no positions).
     */
    static int lineOf(String source, List<String> path) {
        String[] lines = source.split("\n", -1);
        int from = 0;
        int found = 0;
        for (String key : path) {
            Pattern p =
                    Pattern.compile(
                            "(^|[\\s{,])([\"'`]?)" + Pattern.quote(key) + "\\2\\s*(:|,|}|$)");
            int hit = -1;
            for (int i = from; i < lines.length; i++) {
                if (p.matcher(lines[i]).find()) {
                    hit = i;
                    break;
                }
            }
            if (hit < 0) {
                return found;
            }
            found = hit + 1;
            from = hit;
        }
        return found;
    }

    /** How much of the budget one evaluation has used. */
    private static final class Budget {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_MILLIS);
        long instructions;
    }

    /** Thrown from inside the interpreter when the budget is spent; stops any script. */
    private static final class BudgetExceeded extends Error {
        private static final long serialVersionUID = 1L;

        BudgetExceeded(String message) {
            super(message, null, false, false);
        }
    }

    /** Makes the sandboxed contexts and enforces the budget. */
    private static final class SandboxFactory extends ContextFactory {
        @Override
        protected Context makeContext() {
            Context cx = super.makeContext();
            cx.setLanguageVersion(Context.VERSION_ES6);
            cx.setInterpretedMode(true);
            cx.setClassShutter(className -> false);
            cx.setMaximumInterpreterStackDepth(2_000);
            cx.setInstructionObserverThreshold(10_000);
            return cx;
        }

        @Override
        protected void observeInstructionCount(Context cx, int instructionCount) {
            Budget budget = (Budget) cx.getThreadLocal(Budget.class);
            if (budget == null) {
                return;
            }
            budget.instructions += instructionCount;
            if (budget.instructions > MAX_INSTRUCTIONS) {
                throw new BudgetExceeded("ran more than " + MAX_INSTRUCTIONS + " instructions");
            }
            if (System.nanoTime() > budget.deadline) {
                throw new BudgetExceeded("took longer than " + MAX_MILLIS + " ms");
            }
        }
    }
}
