package io.denseserve;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** DenseServe: a DenseNet image-classification service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DenseServeApplication {

    public static void main(String[] args) {
        // Never reach for the network: natives come from the classpath, nothing is downloaded.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        SpringApplication.run(DenseServeApplication.class, args);
    }
}
