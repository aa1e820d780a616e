package io.slackir.page;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium, Debian's, driven through Debian's chromedriver: nothing is downloaded. Without them the
 * browser tests are skipped, except on CI ({@code CI} set), where {@code .ci/run} installs them and a missing browser
 * is a failure.
 */
final class Browser implements AutoCloseable {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    static final Duration PATIENCE = Duration.ofSeconds(15);

    final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    static void assumeInstalled() {
        boolean installed = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        if (!installed && System.getenv("CI") != null) {
            throw new IllegalStateException(
                    "Chromium and chromedriver are missing: apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(installed, "Debian's chromium and chromium-driver are not installed");
    }

    static Browser start() {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1280,800", "--lang=en-GB");
        return new Browser(new ChromeDriver(service, options));
    }

    /** Opens the page in a room and waits until it is connected. */
    Browser open(String url) {
        driver.get(url);
        awaitStatus("Connected");
        return this;
    }

    void awaitStatus(String start) {
        new WebDriverWait(driver, PATIENCE).withMessage(() -> "status: " + status())
                .until(d -> status().startsWith(start));
    }

    String status() {
        return driver.findElement(By.id("status")).getText();
    }

    /** Types a name and a message and presses Enter, as a person would. */
    Browser shout(String name, String message) {
        WebElement nameField = driver.findElement(By.id("name"));
        nameField.clear();
        if (!name.isEmpty()) {
            nameField.sendKeys(name);
        }
        WebElement messageField = driver.findElement(By.id("message"));
        messageField.sendKeys(message);
        messageField.sendKeys(Keys.ENTER);
        return this;
    }

    /** The messages the page shows, oldest first: id, state, name, text and problem, as the page renders them. */
    @SuppressWarnings("unchecked")
    List<Map<String, String>> messages() {
        return (List<Map<String, String>>) js("""
                return [...document.querySelectorAll('#messages > li')].map(li => ({
                    id: li.dataset.id || '', state: li.dataset.state || '',
                    name: li.querySelector('.who').textContent, text: li.querySelector('.text').textContent,
                    problem: li.querySelector('.problem').textContent }));""");
    }

    List<Map<String, String>> awaitMessages(int count) {
        new WebDriverWait(driver, PATIENCE).withMessage(() -> "messages: " + messages())
                .until(d -> messages().size() >= count);
        return messages();
    }

    /** Takes the page's network away (or gives it back), as a phone that sleeps or a laptop between Wi-Fis. */
    void offline(boolean offline) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", offline, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
    }

    Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    void screenshot(String name, int width, int height) throws IOException {
        driver.manage().window().setSize(new Dimension(width, height));
        Path file = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(file.getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
