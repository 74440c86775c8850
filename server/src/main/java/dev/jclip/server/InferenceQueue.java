package dev.jclip.server;

import dev.jclip.core.ClipModel;
import dev.jclip.core.WarmUp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one place the model runs: request threads enqueue texts or preprocessed images and wait; one
 * worker thread takes the oldest job together with waiting jobs of the same kind, up to a batch, and
 * runs them as one batch. The model's kernels already use every core, so one worker keeps them busy
 * without oversubscribing them, and concurrent requests share each pass over the weights.
 * How many requests may wait is bounded by the router's admission limit, not here.
 *
 * <p>Started with a warm-up, the worker first runs {@link WarmUp}'s passes while no job waits, so that
 * the JIT has compiled the kernels before the first request; a job that arrives waits for the pass
 * in progress at most, and the warm-up ends there (real passes warm the kernels just as well).
 */
final class InferenceQueue implements AutoCloseable {
    private static final int TEXT_BATCH = 256;

    private enum Kind { TEXT, IMAGE }

    /** What {@code /healthz} reports of the warm-up. */
    enum WarmUpState {
        /** not asked for */
        OFF,
        /** passes are running */
        RUNNING,
        /** every pass ran */
        DONE,
        /** ended early for requests or a stop */
        STOPPED,
        /** a pass failed; requests are served all the same */
        FAILED
    }

    /** {@code inputs} are Strings for TEXT, pixel tensors [3, S, S] for IMAGE. */
    private record Job(Kind kind, List<?> inputs, CompletableFuture<List<float[]>> result) {
    }

    private final ClipModel clip;
    private final Metrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    private int waitingInputs;
    private int holds;          // while above 0 the worker takes no jobs (tests fill the queue this way)
    private boolean closing;
    private final Thread worker;
    private volatile WarmUpState warmUp = WarmUpState.OFF;
    private volatile String warmUpError;

    InferenceQueue(ClipModel clip, Metrics metrics) {
        this.clip = clip;
        this.metrics = metrics;
        this.worker = Thread.ofPlatform().name("clip-inference").daemon(true).unstarted(this::work);
    }

    /** Starts the worker, which warms the kernels up first if asked to; jobs submitted before wait for it. */
    InferenceQueue start(boolean warmUpFirst) {
        warmUp = warmUpFirst ? WarmUpState.RUNNING : WarmUpState.OFF;
        worker.start();
        return this;
    }

    WarmUpState warmUpState() {
        return warmUp;
    }

    /** Why the warm-up failed, or null. */
    String warmUpError() {
        return warmUpError;
    }

    /** The embeddings of {@code texts}, in order. */
    List<float[]> embedTexts(List<String> texts) {
        return await(submit(Kind.TEXT, texts));
    }

    /** The embeddings of preprocessed images, in order. */
    List<float[]> embedPixels(List<float[]> pixels) {
        return await(submit(Kind.IMAGE, pixels));
    }

    /** Until the returned hold is closed the worker takes no new jobs, so requests stay waiting in the queue. */
    AutoCloseable hold() {
        lock.lock();
        try {
            holds++;
        } finally {
            lock.unlock();
        }
        return () -> {
            lock.lock();
            try {
                holds--;
                available.signal();
            } finally {
                lock.unlock();
            }
        };
    }

    int depth() {
        lock.lock();
        try {
            return jobs.size();
        } finally {
            lock.unlock();
        }
    }

    int waitingInputs() {
        lock.lock();
        try {
            return waitingInputs;
        } finally {
            lock.unlock();
        }
    }

    private CompletableFuture<List<float[]>> submit(Kind kind, List<?> inputs) {
        CompletableFuture<List<float[]>> f = new CompletableFuture<>();
        if (inputs.isEmpty()) {
            f.complete(List.of());
            return f;
        }
        lock.lock();
        try {
            if (closing) {
                throw ApiException.overloaded("the server is shutting down", 5);
            }
            jobs.addLast(new Job(kind, List.copyOf(inputs), f));
            waitingInputs += inputs.size();
            available.signal();
        } finally {
            lock.unlock();
        }
        return f;
    }

    private static List<float[]> await(CompletableFuture<List<float[]>> f) {
        return Waiting.result(f, "the model");
    }

    private void work() {
        if (warmUp == WarmUpState.RUNNING) {
            warmUp();
        }
        while (true) {
            List<Job> batch = next();
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    private void warmUp() {
        try {
            int passes = WarmUp.run(clip, this::idle);
            warmUp = passes == WarmUp.passes(clip) ? WarmUpState.DONE : WarmUpState.STOPPED;
        } catch (RuntimeException e) {
            // The same model serves the requests: what failed here answers them with its own error.
            warmUpError = e.getMessage();
            warmUp = WarmUpState.FAILED;
        }
    }

    /** No job waits and no stop was asked for. */
    private boolean idle() {
        lock.lock();
        try {
            return jobs.isEmpty() && !closing;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest job and the waiting jobs of its kind that fit in its batch; null once closed and empty. */
    private List<Job> next() {
        lock.lock();
        try {
            while (jobs.isEmpty() || (holds > 0 && !closing)) {
                if (closing) {
                    return null;
                }
                available.awaitUninterruptibly();
            }
            Job first = jobs.removeFirst();
            List<Job> batch = new ArrayList<>(List.of(first));
            int limit = first.kind() == Kind.IMAGE ? ClipModel.IMAGE_BATCH : TEXT_BATCH;
            int size = first.inputs().size();
            for (Iterator<Job> it = jobs.iterator(); it.hasNext() && size < limit; ) {
                Job j = it.next();
                if (j.kind() == first.kind() && size + j.inputs().size() <= limit) {
                    it.remove();
                    batch.add(j);
                    size += j.inputs().size();
                }
            }
            for (Job j : batch) {
                waitingInputs -= j.inputs().size();
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private void run(List<Job> batch) {
        Kind kind = batch.getFirst().kind();
        List<Object> all = new ArrayList<>();
        for (Job j : batch) {
            all.addAll(j.inputs());
        }
        try {
            List<float[]> out = kind == Kind.TEXT
                    ? clip.encodeTexts((List<String>) (List<?>) all)
                    : clip.encodePixels((List<float[]>) (List<?>) all);
            metrics.batch(kind == Kind.IMAGE ? all.size() : 0, kind == Kind.TEXT ? all.size() : 0);
            int at = 0;
            for (Job j : batch) {
                j.result().complete(out.subList(at, at + j.inputs().size()));
                at += j.inputs().size();
            }
        } catch (RuntimeException | Error e) {
            if (batch.size() > 1) {
                for (Job j : batch) {   // one job's bad input must not fail the others
                    run(List.of(j));
                }
            } else {
                batch.getFirst().result().completeExceptionally(e);
            }
        }
    }

    /** Stops taking jobs, runs those already queued, and waits for the worker. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            available.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
