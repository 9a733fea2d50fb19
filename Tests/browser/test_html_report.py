#!/usr/bin/env python3
"""Browser test of `dio-trace analyze --format html` on a real leaking capture.

Loads the page of Fixtures/mutants/efault-skip-release (6.1 mutant kernel M3, the 50745b0a7f46
class of leak) in headless Chromium through chromedriver (Selenium), and checks against the
analysis' own JSON output (a separate writer): one track per inode the timeline drew, the finding
markers, the I/O bars, the eviction and unmount marks; a click on a finding marker highlights
exactly that finding's chain and opens its story; zoom and pan change the view. Then it saves a
screenshot and checks its size and layout (not pixels): enough non-background pixels, the
balance colours present, the timeline as wide as the page.

Usage: test_html_report.py DIO_TRACE_BINARY [SCREENSHOT.png]
Exit 0 on success; 77 (skip) when chromium/chromedriver/selenium are missing.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURE = "Fixtures/mutants/efault-skip-release/ftrace.txt.gz"  # relative: the page names it so
WIDTH, HEIGHT = 1400, 1900


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(binary, fmt):
    out = subprocess.run([binary, "analyze", "--format", fmt, CAPTURE], cwd=ROOT, capture_output=True)
    check(out.returncode == 1, f"analyze --format {fmt}: exit {out.returncode} (expected 1: findings), {out.stderr[:300]!r}")
    return out.stdout


def png_pixels(path):
    """Width, height and rows of RGB(A) pixels of a non-interlaced 8-bit PNG (what Chromium writes)."""
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    check(depth == 8 and color in (2, 6) and interlace == 0, f"unexpected PNG format {header}")
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def check_screenshot(path, viewport):
    width, height, bpp, rows = png_pixels(path)
    check((width, height) == tuple(viewport), f"screenshot is {width}x{height}, the viewport {viewport}")
    check(width >= 1000 and height >= 700, f"screenshot only {width}x{height}")
    total = ink = red = 0
    ink_by_band = [0] * 10
    for y in range(0, height, 2):
        row = rows[y]
        for x in range(0, width, 2):
            r, g, b = row[x * bpp], row[x * bpp + 1], row[x * bpp + 2]
            total += 1
            if r < 235 or g < 235 or b < 235:
                ink += 1
                ink_by_band[y * 10 // height] += 1
            if r > 150 and g < 90 and b < 90:
                red += 1
    fraction = ink / total
    print(f"screenshot {width}x{height}: {fraction:.1%} non-background, {red} red samples, bands {ink_by_band}")
    check(0.03 < fraction < 0.7, f"non-background fraction {fraction:.3f} outside (0.03, 0.7): empty or broken page")
    check(red > 50, "no red (metadata balance, failed I/O or finding marker) in the screenshot")
    check(sum(1 for n in ink_by_band if n > 0) >= 8, f"content does not fill the page height: {ink_by_band}")


def main():
    if len(sys.argv) < 2:
        fail("usage: test_html_report.py DIO_TRACE_BINARY [SCREENSHOT.png]")
    binary = os.path.abspath(sys.argv[1])
    shot = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(tempfile.mkdtemp(), "html-report.png")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
    except ImportError:
        print("SKIP: selenium is not installed (pip install selenium)")
        sys.exit(77)
    chromium = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None)
    driver_path = next((p for p in ("/usr/bin/chromedriver",) if os.path.exists(p)), None)
    if not chromium or not driver_path:
        print("SKIP: chromium / chromium-driver are not installed (apt-get install chromium chromium-driver)")
        sys.exit(77)
    if not os.path.exists(os.path.join(ROOT, CAPTURE)):
        fail("capture missing: " + CAPTURE)

    html = run(binary, "html").decode("utf-8")
    findings = json.loads(run(binary, "json"))["findings"]
    check(len(findings) > 0, "the capture has no findings")
    # Self-contained: no external script, style, image or font.
    for needle in ("<script src", "<link", "@import", "url(http", "src=\"http", "href=\"http"):
        check(needle not in html, f"page loads something from outside: {needle}")
    page = os.path.join(tempfile.mkdtemp(), "report.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"page: {len(html.encode())} bytes, {len(findings)} findings")

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        browser.set_page_load_timeout(60)
        browser.get("file://" + page)
        errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
        check(not errors, f"console errors: {errors}")
        css = lambda sel: browser.find_elements(By.CSS_SELECTOR, sel)

        # Tracks: one per inode drawn, the leaking inodes among them.
        tracks = css("g.track")
        inodes = {int(t.get_attribute("data-inode")) for t in tracks}
        leaking = {f["inode"] for f in findings if f["inode"] is not None}
        check(len(tracks) >= len(leaking), f"{len(tracks)} tracks for {len(leaking)} leaking inodes")
        check(leaking <= inodes, f"leaking inodes without a track: {sorted(leaking - inodes)}")
        check(len(css("path.balance[data-kind=metadata_reserved]")) >= len(leaking), "no metadata balance line per leaking inode")
        check(len(css("rect.io")) > 0, "no direct-I/O bars")
        check(len(css("line.mark.eviction")) > 0, "no eviction marks")
        check(len(css("line.mark.unmount")) == 1, "not exactly one unmount mark")
        markers = css("g.finding-marker")
        check(len(markers) == len(findings), f"{len(markers)} finding markers, {len(findings)} findings in the JSON output")
        check(not css("circle.chain-event.highlighted"), "chain highlighted before any click")
        check(all(not s.is_displayed() for s in css("section.story")), "a story is open before any click")

        # Click the topmost marker (last drawn): its chain lights up, its story opens.
        n = int(markers[-1].get_attribute("data-finding"))
        ActionChains(browser).move_to_element(markers[-1].find_element(By.TAG_NAME, "path")).click().perform()
        expect = sum(1 for e in findings[n - 1]["events"] if e["timestamp"] is not None)
        lit = css("circle.chain-event.highlighted")
        check(len(lit) == expect, f"finding #{n}: {len(lit)} highlighted chain events, {expect} in its chain")
        check({c.get_attribute("data-finding") for c in lit} == {str(n)}, "other findings' events highlighted")
        story = browser.find_element(By.ID, f"story-{n}")
        check(story.is_displayed(), f"story #{n} did not open")
        check(findings[n - 1]["rule"] in story.text, "story does not name its rule")
        check(sum(s.is_displayed() for s in css("section.story")) == 1, "more than one story open")
        check(css(f"g.finding-marker.selected[data-finding='{n}']"), "marker not shown as selected")

        # The first finding from the list: the seed story (reserve, release by the worker, evicted holding it).
        browser.find_element(By.CSS_SELECTOR, "a.finding-link[data-finding='1']").click()
        lit = css("circle.chain-event.highlighted")
        expect = sum(1 for e in findings[0]["events"] if e["timestamp"] is not None)
        check(len(lit) == expect and {c.get_attribute("data-finding") for c in lit} == {"1"}, f"finding #1: {len(lit)} lit, {expect} expected")
        story = browser.find_element(By.ID, "story-1")
        check(story.is_displayed() and not browser.find_element(By.ID, f"story-{n}").is_displayed(), "story 1 not the only one open")
        for words in ("reserve 640 KiB metadata", "release 384 KiB metadata", "evicted", "release skipped"):
            check(words in story.text, f"story #1 lacks '{words}'")

        # Zoom halves the visible span; panning moves it.
        span = lambda: browser.execute_script("var v = window.dioTrace.views[0]; return v.t[1] - v.t[0];")
        start = lambda: browser.execute_script("return window.dioTrace.views[0].t[0];")
        before = span()
        css("button.zoom[data-zoom='0.5']")[0].click()
        check(abs(span() - before / 2) < before * 0.01, f"zoom: span {before} -> {span()}")
        s0 = start()
        svg = css("svg.timeline")[0]
        ActionChains(browser).move_to_element(svg).click_and_hold().move_by_offset(-200, 0).release().perform()
        check(start() > s0, "drag to the left did not pan forward")
        css("button.zoom[data-zoom='0']")[0].click()
        check(abs(span() - before) < before * 0.01, "reset did not restore the full span")
        check(svg.size["width"] > WIDTH * 0.8, f"timeline only {svg.size['width']} px wide")

        # Screenshot of the first story opened, chain highlighted.
        browser.find_element(By.CSS_SELECTOR, "a.finding-link[data-finding='1']").click()
        browser.execute_script("window.scrollTo(0, 0)")
        viewport = browser.execute_script("return [window.innerWidth, window.innerHeight];")
        check(browser.save_screenshot(shot), "screenshot failed")
    finally:
        browser.quit()
    check_screenshot(shot, viewport)
    print(f"ok: {shot}")


if __name__ == "__main__":
    main()
