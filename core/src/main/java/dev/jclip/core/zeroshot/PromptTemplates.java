package dev.jclip.core.zeroshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Prompt templates for zero-shot classification: each has one {@code {}} where the label goes.
 * {@code clip} is the CLIP paper's 80-template ImageNet ensemble; {@code none} uses the label as is.
 */
public record PromptTemplates(String name, List<String> templates) {

    public PromptTemplates {
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("templates '" + name + "': no templates");
        }
        for (String t : templates) {
            if (!t.contains("{}")) {
                throw new IllegalArgumentException("templates '" + name + "': template '" + t + "' has no {} for the label");
            }
        }
        templates = List.copyOf(templates);
    }

    /** The CLIP paper's 80 ImageNet templates, bundled. */
    public static PromptTemplates clip() {
        return new PromptTemplates("clip", lines(resource("clip_imagenet_templates.txt")));
    }

    /** The label itself, no prompt. */
    public static PromptTemplates none() {
        return new PromptTemplates("none", List.of("{}"));
    }

    /** {@code clip}, {@code none}, or a file with one template per line. */
    public static PromptTemplates parse(String spec) {
        return switch (spec) {
            case "clip" -> clip();
            case "none" -> none();
            default -> {
                Path file = Path.of(spec);
                try {
                    yield new PromptTemplates(file.toString(), lines(Files.readString(file)));
                } catch (NoSuchFileException e) {
                    throw new IllegalArgumentException("templates file " + spec + ": no such file (or use clip or none)");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** The prompt for {@code label} from template {@code i}. */
    public String apply(int i, String label) {
        return templates.get(i).replace("{}", label);
    }

    /** The bundled ImageNet class names, in class-index order. */
    public static List<String> imagenetClasses() {
        return lines(resource("imagenet_classes.txt"));
    }

    static String resource(String name) {
        try (InputStream in = PromptTemplates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
