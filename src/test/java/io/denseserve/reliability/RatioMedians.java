package io.denseserve.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The p99 ratios a side-by-side bench collects per setting over its trials, printed last as one
 * {@code RESULT,setting,trials,median,[sorted ratios]} line per setting.
 */
final class RatioMedians {

    private final List<String> labels;
    private final List<List<Double>> ratios = new ArrayList<>();

    RatioMedians(List<String> labels) {
        this.labels = List.copyOf(labels);
        labels.forEach(l -> ratios.add(new ArrayList<>()));
    }

    void add(int setting, double ratio) {
        ratios.get(setting).add(ratio);
    }

    void printResults() {
        for (int s = 0; s < labels.size(); s++) {
            List<Double> sorted = ratios.get(s).stream().sorted().toList();
            System.out.printf(Locale.ROOT, "RESULT,%s,%d,%.2f,%s%n", labels.get(s), sorted.size(), sorted.get(sorted.size() / 2),
                    sorted.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
        }
    }
}
