package io.denseserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.denseserve.testing.Http;
import io.denseserve.testing.Images;
import io.denseserve.testing.Prerequisites;
import io.denseserve.training.FashionMnist;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The demo page at {@code /} in headless Chromium (Debian's chromium and chromium-driver; Selenium
 * downloads nothing): a Fashion-MNIST test image uploaded through the page shows the top 5 as
 * labelled bars, the same as {@code POST /classify} answers; an invalid file shows the problem's
 * title and detail; the picker is reachable from the keyboard; on a phone-sized window nothing
 * overflows sideways. Screenshots go to {@code target/demo-page*.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DemoPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @LocalServerPort
    int port;

    @TempDir
    Path tmp;

    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void openTheBrowser() {
        Prerequisites.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "demo page browser test: Debian's chromium and chromium-driver are not installed");
        new Http(port).awaitReady();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + tmp.resolve("profile"), "--window-size=1100,900");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get("http://localhost:" + port + "/");
    }

    @AfterEach
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anImageShowsTheTopFiveAndAnInvalidFileShowsTheProblem() throws Exception {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model"), "fashion-mnist-densenet-bc"));
        Prerequisites.require(Files.exists(FashionMnist.dataDir().resolve("t10k-images-idx3-ubyte.gz")),
                "demo page browser test: dataset-fashion-mnist is not installed");
        FashionMnist test = FashionMnist.test(FashionMnist.dataDir()).head(1);
        BufferedImage item = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        item.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(test.images(), 0, 784));
        Path png = tmp.resolve("ankle-boot.png");
        Files.write(png, Images.encode(item, "png"));

        browser.findElement(By.id("file")).sendKeys(png.toString());
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#predictions li"), 5));
        List<WebElement> rows = browser.findElements(By.cssSelector("#predictions li"));
        JsonNode expected = new ObjectMapper().readTree(new Http(port).postRaw("/classify?topK=5", "image/png",
                Files.readAllBytes(png)).body()).path("topK");
        for (int i = 0; i < 5; i++) {
            String label = rows.get(i).findElement(By.cssSelector(".label span")).getText();
            assertThat(label).as("row %d", i).isEqualTo(expected.get(i).path("label").asText());
        }
        assertThat(rows.get(0).findElement(By.cssSelector(".bar span")).getSize().getWidth())
                .as("the top bar is the longest").isGreaterThan(rows.get(1).findElement(By.cssSelector(".bar span")).getSize().getWidth());
        assertThat(browser.findElement(By.id("timings")).getText()).contains("ms", "batch", "map and overlay");
        WebElement overlay = browser.findElement(By.id("overlay"));
        assertThat(overlay.getAttribute("src")).startsWith("data:image/png;base64,");
        wait.until(d -> ((Number) ((JavascriptExecutor) d).executeScript(
                "return document.getElementById('overlay').naturalWidth")).intValue() == 28);
        assertThat(overlay.isDisplayed()).isTrue();
        assertThat(overlay.getSize().getWidth()).as("overlay drawn at a readable size").isGreaterThan(100);
        assertThat(browser.findElement(By.id("overlay-caption")).getText())
                .contains(expected.get(0).path("label").asText(), "class activation map");
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        screenshot("demo-page.png");

        Path broken = tmp.resolve("broken.png");
        Files.writeString(broken, "a text file named like an image");
        browser.findElement(By.id("file")).sendKeys(broken.toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        JsonNode problem = new ObjectMapper().readTree(new Http(port).postRaw("/classify", "image/png",
                Files.readAllBytes(broken)).body());
        assertThat(browser.findElement(By.id("error-title")).getText()).isEqualTo(problem.path("title").asText());
        assertThat(browser.findElement(By.id("error-detail")).getText()).isEqualTo(problem.path("detail").asText()).isNotBlank();
        assertThat(browser.findElement(By.id("result")).isDisplayed()).isFalse();
        screenshot("demo-page-error.png");
    }

    @Test
    void theModelsClassesAndASampleOneClickAway() throws Exception {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("labels"), "Ankle boot"));
        assertThat(new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("model-choice"))).getOptions())
                .extracting(WebElement::getText).containsExactly("fashion-mnist-densenet-bc (version epoch-20)");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("samples")));
        List<WebElement> samples = browser.findElements(By.cssSelector("#sample-list button"));
        assertThat(samples).hasSize(10);
        WebElement trouser = browser.findElement(By.cssSelector("#sample-list button[title='Trouser']"));
        trouser.click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#predictions li"), 5));
        byte[] png;
        try (var in = getClass().getResourceAsStream("/static/samples/fashion-mnist-1.png")) {
            png = in.readAllBytes();
        }
        JsonNode expected = new ObjectMapper().readTree(new Http(port).postRaw("/classify?topK=5", "image/png", png).body())
                .path("topK");
        assertThat(browser.findElement(By.cssSelector("#predictions li .label span")).getText())
                .isEqualTo(expected.get(0).path("label").asText());
    }

    @Test
    void theKeyboardReachesThePickerAndAPhoneScreenDoesNotScrollSideways() {
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).as("first stop of the tab order")
                .isEqualTo("model-choice");
        String focused = null;
        for (int tab = 0; tab < 15 && !"drop".equals(focused) && !"file".equals(focused); tab++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            focused = browser.switchTo().activeElement().getAttribute("id");
        }
        assertThat(focused).as("the image picker, past the samples").isIn("drop", "file");

        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        Long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow).as("horizontal overflow in pixels at 390 px").isLessThanOrEqualTo(0L);
    }

    private void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(Path.of("target"));
        Files.copy(shot.toPath(), Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
    }
}
