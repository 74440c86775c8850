package dev.jclip.cli;

import dev.jclip.core.ClipModel;
import dev.jclip.core.json.Json;
import dev.jclip.core.zeroshot.Label;
import dev.jclip.core.zeroshot.PromptTemplates;
import dev.jclip.core.zeroshot.ZeroShotClassifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./clip classify --model M IMAGE... --labels "cat,dog" | --labels-file F [--templates clip|none|FILE] [--top K]}:
 * one line per image, {@code {"image", "labels", "probs"}}, best first.
 */
final class ClassifyCommand implements Command {
    @Override
    public String name() {
        return "classify";
    }

    @Override
    public String usage() {
        return "classify --model M IMAGE... --labels \"a,b\" | --labels-file F [--templates clip|none|FILE] [--top K]\n"
                + "                                                       zero-shot labels, best first (default templates: clip)";
    }

    @Override
    public Args.Spec spec() {
        return new Args.Spec(Set.of("--model", "--labels", "--labels-file", "--templates", "--top"), Set.of(), Set.of());
    }

    @Override
    public int run(Args args, Console console) throws IOException {
        String model = Models.name(args);
        List<String> images = args.positional();
        if (images.isEmpty()) {
            throw new UsageException("classify needs at least one IMAGE");
        }
        List<String> labels = labels(args);
        PromptTemplates templates;
        try {
            templates = PromptTemplates.parse(args.one("--templates") == null ? "clip" : args.one("--templates"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--templates: " + e.getMessage());
        }
        int top = args.positiveInt("--top", labels.size());
        int failed = 0;
        try (ClipModel clip = Models.open(model)) {
            ZeroShotClassifier classifier = new ZeroShotClassifier(clip, labels, templates, Models.labelCache());
            for (String image : images) {
                List<Label> ranked;
                try {
                    ranked = classifier.classify(clip.encodeImage(Path.of(image)));
                } catch (RuntimeException e) {
                    console.inputFailed(image, e);
                    failed++;
                    continue;
                }
                List<Label> shown = ranked.subList(0, Math.min(top, ranked.size()));
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("image", image);
                line.put("labels", shown.stream().map(Label::label).toList());
                line.put("probs", shown.stream().map(Label::probability).toList());
                console.out().println(Json.write(line));
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** From --labels (comma-separated) or --labels-file (one per line); blank entries dropped. */
    private static List<String> labels(Args args) throws IOException {
        String inline = args.one("--labels");
        String file = args.one("--labels-file");
        if ((inline == null) == (file == null)) {
            throw new UsageException("give the labels with exactly one of --labels and --labels-file");
        }
        List<String> raw;
        if (inline != null) {
            raw = List.of(inline.split(","));
        } else {
            try {
                raw = Files.readAllLines(Path.of(file));
            } catch (NoSuchFileException e) {
                throw new UsageException("--labels-file " + file + ": no such file");
            }
        }
        List<String> labels = new ArrayList<>();
        for (String l : raw) {
            if (!l.isBlank()) {
                labels.add(l.strip());
            }
        }
        if (labels.isEmpty()) {
            throw new UsageException("the label list is empty" + (file != null ? " (" + file + ")" : ""));
        }
        return labels;
    }
}
