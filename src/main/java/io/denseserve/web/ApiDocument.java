package io.denseserve.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's own description: what the service is, its version and licence. */
@Configuration
class ApiDocument {

    @Bean
    OpenAPI denseServeApi(@Value("${spring.application.version:development}") String version) {
        return new OpenAPI().info(new Info()
                .title("DenseServe")
                .version(version)
                .description("Image classification with DenseNet: POST /classify (one image) and /classify/batch, "
                        + "the model at /models, and the Open Inference Protocol (KServe v2) under /v2. Errors are "
                        + "RFC 9457 problem JSON (under /v2: {\"error\": \"...\"}); 503 answers carry Retry-After.")
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")));
    }
}
