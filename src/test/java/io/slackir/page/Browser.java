package io.slackir.page;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

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

    /**
     * At every start Selenium looks for its typed DevTools bindings of this Chromium's version, finds none (Debian's
     * Chromium is newer than any selenium-devtools artifact), and warns twice. These tests use no typed DevTools:
     * {@link ChromeDriver#executeCdpCommand} sends raw CDP through chromedriver. So the two loggers that only speak of
     * those bindings are kept to SEVERE; held here, or java.util.logging could drop the loggers and their levels.
     */
    private static final List<Logger> DEVTOOLS_LOOKUP = Stream.of("org.openqa.selenium.devtools.CdpVersionFinder",
            "org.openqa.selenium.chromium.ChromiumDriver").map(Logger::getLogger).toList();

    static {
        DEVTOOLS_LOOKUP.forEach(logger -> logger.setLevel(Level.SEVERE));
    }

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
        typeName(name);
        WebElement messageField = driver.findElement(By.id("message"));
        messageField.sendKeys(message);
        messageField.sendKeys(Keys.ENTER);
        return this;
    }

    /**
     * Types over the name in the name field, as a person would: selecting it and typing. (WebDriver's clear() would
     * also leave the field, which commits the empty name: the page would reconnect unnamed first.)
     */
    Browser typeName(String name) {
        driver.findElement(By.id("name")).sendKeys(Keys.chord(Keys.CONTROL, "a"), name.isEmpty() ? Keys.DELETE : name);
        return this;
    }

    /** Types a name and leaves the field with Tab: the page reconnects under it. */
    Browser name(String name) {
        typeName(name);
        driver.findElement(By.id("name")).sendKeys(Keys.TAB);
        return this;
    }

    /** Types in the message box without sending. */
    Browser type(String text) {
        driver.findElement(By.id("message")).sendKeys(text);
        return this;
    }

    /** The names the member list shows, in its order. */
    @SuppressWarnings("unchecked")
    List<String> members() {
        return (List<String>) js(
                "return [...document.querySelectorAll('#people-list .member-name')].map(e => e.textContent);");
    }

    void awaitMembers(List<String> names) {
        new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100)).withMessage(() -> "members: " + members())
                .until(d -> members().equals(names));
    }

    /** What the line under the messages says about who is typing. */
    String typing() {
        return (String) js("return document.getElementById('typing').textContent;");
    }

    void awaitTyping(String text) {
        new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100)).withMessage(() -> "typing: " + typing())
                .until(d -> typing().equals(text));
    }

    /** What an empty room says in place of messages: '' once it says nothing (no-break spaces read as spaces). */
    String emptyRoom() {
        WebElement empty = driver.findElement(By.id("empty"));
        return empty.isDisplayed() ? empty.getText().replace('\u00a0', ' ') : "";
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

    /**
     * Put in every page before its own script: counts the sockets the page opens, and can make its link go bad as a
     * dying connection does ({@link #deaf}, {@link #mute}).
     */
    private static final String LINK = """
            (() => {
                const link = window.__link = { sockets: 0, deaf: false, mute: false };
                const Real = window.WebSocket;
                const onmessage = Object.getOwnPropertyDescriptor(Real.prototype, 'onmessage');
                window.WebSocket = class extends Real {
                    constructor(...args) {
                        super(...args);
                        link.sockets++;
                    }
                    get onmessage() {
                        return onmessage.get.call(this);
                    }
                    set onmessage(handler) {
                        onmessage.set.call(this, (event) => link.deaf || handler(event));
                    }
                    send(data) {
                        if (!link.mute) {
                            super.send(data);
                        }
                    }
                };
            })();
            """;

    /** Watches the sockets of every page this browser opens from now on ({@link #sockets}, {@link #deaf}, {@link #mute}). */
    Browser watchingSockets() {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", LINK));
        return this;
    }

    /** The sockets this page opened since it was loaded. */
    long sockets() {
        return (Long) js("return window.__link.sockets;");
    }

    /** From now on this page's sockets receive nothing: the server's frames are lost on the way. */
    void deaf() {
        js("window.__link.deaf = true;");
    }

    /** From now on what this page's sockets send is lost on the way. */
    void mute() {
        js("window.__link.mute = true;");
    }

    /** Types a message and presses Enter, with no name to type (jwt mode: the token names the speaker). */
    Browser say(String message) {
        type(message).driver.findElement(By.id("message")).sendKeys(Keys.ENTER);
        return this;
    }

    /** The token the page keeps, or null. */
    String token() {
        return (String) js("return sessionStorage.getItem('slackir.token');");
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
