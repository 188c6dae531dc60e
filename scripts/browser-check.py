#!/usr/bin/env python3
"""Loads ctlmon's pages in a real browser (Debian's chromium, headless, through chromium-driver
and selenium) and checks what a person would see:

- no console error, and no request to anything but the page itself;
- every chart (<svg>) has an accessible name and a <title>;
- the verdict is visible, and nothing is wider than the window, at 1280x800 and at a phone's
  390x844;
- prefers-color-scheme: dark gives a dark page;
- every grade shown in colour is also written in words (the text carries a grade's word).

Usage: browser-check.py [--screenshots DIR] URL_OR_FILE...
Exit 0 when every page passes; 1 with each problem on its own line.
"""
import argparse
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
GRADE_WORDS = ("ok", "info", "warning", "critical")


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                 "--disable-sync", "--no-first-run", "--metrics-recording-only"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def requests_made(driver):
    """The URLs the page asked for, from the performance log (Network.requestWillBeSent)."""
    import json
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def check(driver, url, name, shots):
    problems = []
    driver.get_log("browser")
    driver.get_log("performance")
    for size, (w, h) in SIZES.items():
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": size == "phone"})
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
        driver.get(url)
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        for e in errors:
            problems.append(f"{name} {size}: console {e['level']}: {e['message']}")
        for u in requests_made(driver):
            if u.split("#")[0] != url.split("#")[0] and not u.startswith("data:"):
                problems.append(f"{name} {size}: requested {u}")
        verdict = driver.find_elements("id", "verdict")
        if not verdict or not verdict[0].is_displayed():
            problems.append(f"{name} {size}: no visible verdict")
        else:
            rect = verdict[0].rect
            if rect["x"] < 0 or rect["x"] + rect["width"] > w + 1:
                problems.append(f"{name} {size}: the verdict does not fit the width ({rect})")
            words = verdict[0].text.lower()
            if not any(word in words for word in GRADE_WORDS):
                problems.append(f"{name} {size}: the verdict's grade is not in words: {verdict[0].text!r}")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{name} {size}: the page is {overflow}px wider than the window")
        untitled = driver.execute_script(
            "return [...document.querySelectorAll('svg')].filter(s => !s.getAttribute('aria-label') || !s.querySelector('title')).length")
        charts = driver.execute_script("return document.querySelectorAll('svg').length")
        if charts == 0:
            problems.append(f"{name} {size}: no chart on the page")
        if untitled:
            problems.append(f"{name} {size}: {untitled} of {charts} charts without an accessible title")
        coloured = driver.execute_script(
            "return [...document.querySelectorAll('[class^=g], [class*=\" g\"]')].filter(e => /^g-?[0-9]$/.test([...e.classList].find(c => /^g-?[0-9]$/.test(c)) || '')).map(e => e.textContent)")
        for text in coloured:
            if not any(word in text.lower() for word in GRADE_WORDS):
                problems.append(f"{name} {size}: a grade shown by colour alone: {text!r}")
        if shots:
            driver.save_screenshot(os.path.join(shots, f"{name}-{size}.png"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    driver.get(url)
    background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    channels = [int(x) for x in background[background.index("(") + 1:background.index(")")].split(",")[:3]]
    if sum(channels) / 3 > 80:
        problems.append(f"{name}: prefers-color-scheme dark gives background {background}")
    if shots:
        driver.save_screenshot(os.path.join(shots, f"{name}-dark.png"))
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshots")
    parser.add_argument("pages", nargs="+")
    args = parser.parse_args()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    driver = browser()
    problems = []
    try:
        for page in args.pages:
            url = page if "://" in page else "file://" + os.path.abspath(page)
            if "://" in page:
                name = "status" + ("-" + page.split("range=")[1].split("&")[0] if "range=" in page else "")
            else:
                name = os.path.splitext(os.path.basename(page))[0]
            problems += check(driver, url, name, args.screenshots)
    finally:
        driver.quit()
    for p in problems:
        print(p)
    print(f"browser-check: {len(args.pages)} page(s), {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
