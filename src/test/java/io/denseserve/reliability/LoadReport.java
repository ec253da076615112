package io.denseserve.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened to every request of one load run: answers by status with their latencies, answers
 * with a status the request did not expect, and requests that got no answer at all (timeouts,
 * resets, refused connections), each kept with the time it was sent so a test can tell requests
 * sent before an event (SIGTERM) from those sent after it.
 */
final class LoadReport {

    /** A request that got no HTTP answer. */
    record Failure(String shot, long sentNanos, String error) {}

    /** One answer: when it was due to be sent, how late the sender sent it, and its latency from the due time. */
    private record Answer(long sentNanos, long senderLateNanos, long latencyNanos) {}

    private final Map<Integer, List<Answer>> answers = new TreeMap<>();
    private final List<String> unexpected = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private long sent;
    private long unexpectedCount;
    private double offeredSeconds;

    /** The answers, failures and offered time of several runs of the same load as one report. */
    static LoadReport pooled(LoadReport... runs) {
        LoadReport pooled = new LoadReport();
        for (LoadReport run : runs) {
            synchronized (run) {
                run.answers.forEach((status, list) -> pooled.answers.computeIfAbsent(status, s -> new ArrayList<>()).addAll(list));
                run.unexpected.stream().limit(10 - pooled.unexpected.size()).forEach(pooled.unexpected::add);
                pooled.failures.addAll(run.failures);
                pooled.sent += run.sent;
                pooled.unexpectedCount += run.unexpectedCount;
                pooled.offeredSeconds += run.offeredSeconds;
            }
        }
        return pooled;
    }

    synchronized void sent() {
        sent++;
    }

    /**
     * @param sentNanos when the request was due to be sent
     * @param senderLateNanos how late the sender actually sent it (open loop; part of the latency)
     * @param latencyNanos from {@code sentNanos} to the answer
     */
    synchronized void answered(Shot shot, int status, long sentNanos, long senderLateNanos, long latencyNanos, String body) {
        answers.computeIfAbsent(status, s -> new ArrayList<>()).add(new Answer(sentNanos, senderLateNanos, latencyNanos));
        if (!shot.expected().contains(status)) {
            unexpectedCount++;
            if (unexpected.size() < 10) {
                unexpected.add(shot.name() + " -> " + status + " " + body.substring(0, Math.min(300, body.length())));
            }
        }
    }

    synchronized void failed(Shot shot, long sentNanos, Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        failures.add(new Failure(shot.name(), sentNanos, cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    }

    synchronized void offeredFor(double seconds) {
        offeredSeconds = seconds;
    }

    synchronized long answered(int status) {
        return answers.getOrDefault(status, List.of()).size();
    }

    synchronized long answered() {
        return answers.values().stream().mapToLong(List::size).sum();
    }

    synchronized long unexpectedCount() {
        return unexpectedCount;
    }

    synchronized List<String> unexpectedSamples() {
        return List.copyOf(unexpected);
    }

    synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** When the answers with {@code status} were sent ({@link System#nanoTime()}). */
    synchronized List<Long> sentTimes(int status) {
        return answers.getOrDefault(status, List.of()).stream().map(Answer::sentNanos).toList();
    }

    /** When the slowest answer with {@code status} was sent ({@link System#nanoTime()}); 0 if none. */
    synchronized long slowestSentNanos(int status) {
        return answers.getOrDefault(status, List.of()).stream().max(Comparator.comparingLong(Answer::latencyNanos))
                .map(Answer::sentNanos).orElse(0L);
    }

    /** The {@code p}-th percentile (0..100) of the latency of answers with {@code status}, in ms; NaN if none. */
    synchronized double percentileMs(int status, double p) {
        List<Answer> values = answers.get(status);
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = values.stream().mapToLong(Answer::latencyNanos).toArray();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** Requests sent per second over the run. */
    synchronized double offeredRate() {
        return offeredSeconds > 0 ? sent / offeredSeconds : Double.NaN;
    }

    /** A JSON-ready summary. */
    synchronized Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("sent", sent);
        s.put("offeredPerSecond", round(offeredRate()));
        Map<String, Object> byStatus = new LinkedHashMap<>();
        for (int status : answers.keySet()) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("count", answered(status));
            st.put("p50Ms", round(percentileMs(status, 50)));
            st.put("p99Ms", round(percentileMs(status, 99)));
            st.put("maxMs", round(percentileMs(status, 100)));
            byStatus.put(String.valueOf(status), st);
        }
        s.put("answers", byStatus);
        s.put("unexpectedStatus", unexpectedCount);
        s.put("unexpectedSamples", unexpected);
        s.put("noAnswer", failures.size());
        s.put("noAnswerSamples", failures.stream().limit(10).map(Failure::toString).toList());
        return s;
    }

    /**
     * Every answer as one CSV row (due to be sent, in ms after {@code originNanos}; status; latency
     * in ms; how late the sender sent it, in ms), in the order sent, so a tail can be placed in
     * time: a stall shows as a column of slow answers sent within the same second, steady queueing
     * as a slope, and a late sender as the last column.
     */
    synchronized void writeAnswersCsv(Path file, long originNanos) throws IOException {
        record Row(int status, Answer answer) {}
        List<Row> rows = new ArrayList<>();
        answers.forEach((status, list) -> list.forEach(a -> rows.add(new Row(status, a))));
        rows.sort(Comparator.comparingLong(r -> r.answer().sentNanos()));
        List<String> lines = new ArrayList<>(List.of("sent_ms,status,latency_ms,sender_late_ms"));
        rows.forEach(r -> lines.add(String.format(Locale.ROOT, "%.3f,%d,%.3f,%.3f", (r.answer().sentNanos() - originNanos) / 1e6,
                r.status(), r.answer().latencyNanos() / 1e6, r.answer().senderLateNanos() / 1e6)));
        Files.write(file, lines);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
