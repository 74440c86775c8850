package dev.jclip.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parsed options of one subcommand. A single-valued option takes the next argument; a multi-valued
 * one ({@code --image}, {@code --text}) takes every argument up to the next {@code --option}, so
 * {@code --image a.png b.png} and {@code --image a.png --image b.png} both work. Other arguments are
 * positional. The order of all values is kept, for commands whose output follows input order.
 */
final class Args {
    /** One value with the option it came from ({@code null} for a positional argument). */
    record Value(String option, String value) {
    }

    /** The options a subcommand accepts. */
    record Spec(Set<String> single, Set<String> multi, Set<String> flags) {
    }

    private final List<Value> values = new ArrayList<>();
    private final Set<String> flags = new HashSet<>();

    static Args parse(List<String> argv, Spec spec) {
        Args a = new Args();
        String multi = null;      // the multi-valued option collecting values, if any
        String pending = null;    // a single-valued option waiting for its value
        boolean multiHasValue = true;
        for (String arg : argv) {
            if (pending != null) {
                a.values.add(new Value(pending, arg));
                pending = null;
                continue;
            }
            if (arg.startsWith("--") && arg.length() > 2 || spec.single().contains(arg)) {   // "-k" style if declared
                if (!multiHasValue) {
                    throw new UsageException("option " + multi + " needs a value");
                }
                multi = null;
                String name = arg;
                String inline = null;
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    inline = arg.substring(eq + 1);
                }
                if (spec.flags().contains(name)) {
                    if (inline != null) {
                        throw new UsageException("option " + name + " takes no value");
                    }
                    a.flags.add(name);
                } else if (spec.single().contains(name)) {
                    if (inline != null) {
                        a.values.add(new Value(name, inline));
                    } else {
                        pending = name;
                    }
                } else if (spec.multi().contains(name)) {
                    multi = name;
                    multiHasValue = inline != null;
                    if (inline != null) {
                        a.values.add(new Value(name, inline));
                    }
                } else {
                    throw new UsageException("unknown option " + name);
                }
                continue;
            }
            a.values.add(new Value(multi, arg));
            multiHasValue = true;
        }
        if (pending != null) {
            throw new UsageException("option " + pending + " needs a value");
        }
        if (!multiHasValue) {
            throw new UsageException("option " + multi + " needs a value");
        }
        return a;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** Every value, in command-line order. */
    List<Value> all() {
        return values;
    }

    List<String> list(String option) {
        List<String> out = new ArrayList<>();
        for (Value v : values) {
            if (option == null ? v.option() == null : option.equals(v.option())) {
                out.add(v.value());
            }
        }
        return out;
    }

    List<String> positional() {
        return list(null);
    }

    /** For commands whose inputs all come through options. */
    void requireNoPositional(String hint) {
        if (!positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + positional().getFirst() + "' (" + hint + ")");
        }
    }

    String one(String option) {
        List<String> l = list(option);
        if (l.size() > 1) {
            throw new UsageException(option + " given " + l.size() + " times; it takes one value");
        }
        return l.isEmpty() ? null : l.getFirst();
    }

    /** A positive integer option, or {@code dflt} when absent. */
    int positiveInt(String option, int dflt) {
        String v = one(option);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(option + " must be a positive integer, not '" + v + "'");
    }

    String required(String option) {
        String v = one(option);
        if (v == null) {
            throw new UsageException("missing " + option);
        }
        return v;
    }
}
