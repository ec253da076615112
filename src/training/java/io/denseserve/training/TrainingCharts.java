package io.denseserve.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The trainer's and the evaluator's PNG charts, drawn with XChart. */
final class TrainingCharts {

    private TrainingCharts() {}

    /** Loss and accuracy per epoch, train against test, side by side (1000 x 400). */
    static void curves(Path file, List<EpochMetrics> history) throws IOException {
        XYChart loss = epochChart("loss", history, EpochMetrics::trainLoss, EpochMetrics::testLoss);
        XYChart accuracy = epochChart("accuracy", history, EpochMetrics::trainAccuracy, EpochMetrics::testAccuracy);
        BitmapEncoder.saveBitmap(List.of(loss, accuracy), 1, 2, withoutPng(file), BitmapFormat.PNG);
    }

    private static XYChart epochChart(String name, List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> train,
            ToDoubleFunction<EpochMetrics> test) {
        XYChart chart = new XYChartBuilder().width(500).height(400).title("DenseNet-BC on Fashion-MNIST: " + name)
                .xAxisTitle("epoch").yAxisTitle(name).build();
        List<Integer> epochs = history.stream().map(EpochMetrics::epoch).toList();
        chart.addSeries("train " + name, epochs, history.stream().map(train::applyAsDouble).toList());
        chart.addSeries("test " + name, epochs, history.stream().map(test::applyAsDouble).toList());
        return chart;
    }

    /** confusion[truth][prediction] as a heat map of counts (900 x 750), truth down the vertical axis. */
    static void confusion(Path file, int[][] confusion, List<String> classes) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(900).height(750)
                .title("Fashion-MNIST test set: rows truth, columns prediction").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setXAxisLabelRotation(45);
        int n = confusion.length;
        List<Number[]> cells = new ArrayList<>();
        for (int truth = 0; truth < n; truth++) {
            for (int predicted = 0; predicted < n; predicted++) {
                cells.add(new Number[] {predicted, n - 1 - truth, confusion[truth][predicted]});
            }
        }
        // Heat maps count rows from the bottom: reversed, the first class is the top row.
        List<String> rows = IntStream.range(0, n).mapToObj(i -> classes.get(n - 1 - i)).toList();
        chart.addSeries("count", classes, rows, cells);
        BitmapEncoder.saveBitmap(chart, withoutPng(file), BitmapFormat.PNG);
    }

    /** XChart appends the format's extension itself. */
    private static String withoutPng(Path file) {
        String name = file.toString();
        return name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    }
}
