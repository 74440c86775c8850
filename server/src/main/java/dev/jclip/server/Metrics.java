package dev.jclip.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The counters behind {@code GET /metrics}, written in the Prometheus text format (version 0.0.4).
 * Routes are labelled by their pattern ({@code /v1/images/{id}}), so the label set stays small.
 */
final class Metrics {
    /** Request latency histogram bounds, seconds. */
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private record RequestKey(String route, String method, int code) {
    }

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].increment();
                }
            }
            count.increment();
            sum.add(seconds);
        }
    }

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder imagesEmbedded = new LongAdder();
    private final LongAdder textsEmbedded = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final RateWindow imageRate = new RateWindow();
    private final RateWindow textRate = new RateWindow();
    private volatile IntSupplier queueDepth = () -> 0;
    private volatile IntSupplier queueInputs = () -> 0;
    private volatile IntSupplier inFlight = () -> 0;
    private volatile LongSupplier bufferedBytes = () -> 0;

    void gauges(IntSupplier queueDepth, IntSupplier queueInputs, IntSupplier inFlight, LongSupplier bufferedBytes) {
        this.queueDepth = queueDepth;
        this.queueInputs = queueInputs;
        this.inFlight = inFlight;
        this.bufferedBytes = bufferedBytes;
    }

    /** One answered request; {@code code} 499 when the client went away before an answer. */
    void request(String route, String method, int code, long nanos) {
        requests.computeIfAbsent(new RequestKey(route, method, code), k -> new LongAdder()).increment();
        latency.computeIfAbsent(route, k -> new Histogram()).observe(nanos / 1e9);
    }

    void batch(int images, int texts) {
        batches.increment();
        imagesEmbedded.add(images);
        textsEmbedded.add(texts);
        imageRate.add(images);
        textRate.add(texts);
    }

    String prometheus() {
        StringBuilder sb = new StringBuilder();
        header(sb, "clip_http_requests_total", "counter", "HTTP requests answered, by route, method and status code (499: client went away).");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put("{route=\"" + k.route() + "\",method=\"" + k.method() + "\",code=\"" + k.code() + "\"}", v.sum()));
        sorted.forEach((labels, v) -> sb.append("clip_http_requests_total").append(labels).append(' ').append(v).append('\n'));

        header(sb, "clip_http_request_duration_seconds", "histogram", "Time from request to response, by route.");
        new TreeMap<>(latency).forEach((route, h) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                sb.append("clip_http_request_duration_seconds_bucket{route=\"").append(route).append("\",le=\"")
                        .append(BUCKETS[i]).append("\"} ").append(h.counts[i].sum()).append('\n');
            }
            sb.append("clip_http_request_duration_seconds_bucket{route=\"").append(route).append("\",le=\"+Inf\"} ")
                    .append(h.count.sum()).append('\n');
            sb.append("clip_http_request_duration_seconds_sum{route=\"").append(route).append("\"} ").append(h.sum.sum()).append('\n');
            sb.append("clip_http_request_duration_seconds_count{route=\"").append(route).append("\"} ").append(h.count.sum()).append('\n');
        });

        gauge(sb, "clip_inference_queue_depth", "Requests waiting in the inference queue.", queueDepth.getAsInt());
        gauge(sb, "clip_inference_queue_inputs", "Texts and images waiting in the inference queue.", queueInputs.getAsInt());
        gauge(sb, "clip_inference_requests_in_flight", "Requests in the inference path: decoding images, waiting for or running on the model (503 beyond the capacity).", inFlight.getAsInt());
        gauge(sb, "clip_request_body_bytes_buffered", "Memory reserved for request bodies and the copies parsing makes of them (503 beyond the budget).", bufferedBytes.getAsLong());
        counter(sb, "clip_images_embedded_total", "Images encoded.", imagesEmbedded.sum());
        counter(sb, "clip_texts_embedded_total", "Texts encoded.", textsEmbedded.sum());
        counter(sb, "clip_inference_batches_total", "Batches run by the inference queue.", batches.sum());
        gauge(sb, "clip_images_per_second", "Images encoded per second, mean over the last minute.", imageRate.perSecond());
        gauge(sb, "clip_texts_per_second", "Texts encoded per second, mean over the last minute.", textRate.perSecond());
        return sb.toString();
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, double value) {
        header(sb, name, "gauge", help);
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        header(sb, name, "counter", help);
        sb.append(name).append(' ').append(value).append('\n');
    }

    /** Events per second over the last 60 whole seconds, kept in one slot per second. */
    private static final class RateWindow {
        private static final int SECONDS = 60;
        private final long[] counts = new long[SECONDS];
        private final long[] stamps = new long[SECONDS];

        synchronized void add(long n) {
            long now = System.currentTimeMillis() / 1000;
            int slot = (int) (now % SECONDS);
            if (stamps[slot] != now) {
                stamps[slot] = now;
                counts[slot] = 0;
            }
            counts[slot] += n;
        }

        synchronized double perSecond() {
            long now = System.currentTimeMillis() / 1000;
            long total = 0;
            for (int i = 0; i < SECONDS; i++) {
                if (now - stamps[i] < SECONDS) {
                    total += counts[i];
                }
            }
            return (double) total / SECONDS;
        }
    }
}
