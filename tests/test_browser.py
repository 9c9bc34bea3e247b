"""The drawing page in a real browser: headless Debian Chromium driven by Playwright.

Draws a digit stroke by stroke with pointer events, uploads an image, clears the canvas; saves a
screenshot to test-artifacts/. `make test` installs Chromium when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser test: run `make browser`")
    pytest.skip("Debian's chromium is not installed (run `make browser`)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server_url():
    import uvicorn

    from digit_recognizer.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def page(server_url):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-width screen
        page.goto(server_url)
        yield page
        browser.close()


def draw(page, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw strokes given in canvas fractions (0–1), with real pointer events."""
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            for t in np.linspace(0, 1, 8)[1:]:
                page.mouse.move(
                    box["x"] + (x0 + t * (x1 - x0)) * box["width"], box["y"] + (y0 + t * (y1 - y0)) * box["height"]
                )
        page.mouse.up()


def test_empty_canvas_asks_for_a_digit(page):
    expect(page.locator("#answer")).to_have_text("Draw a digit")


def test_drawing_a_seven_reads_seven(page):
    draw(page, [[(0.25, 0.22), (0.75, 0.22), (0.45, 0.85)]])  # the bar and the stem, one stroke
    expect(page.locator("#answer")).to_have_text("7", timeout=10_000)
    expect(page.locator("#seen")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-seven.png"), full_page=True)


def test_clear_shows_no_guess(page):
    page.click("#clear")
    expect(page.locator("#answer")).to_have_text("Draw a digit")
    expect(page.locator("#bars li")).to_have_count(0)


def test_two_strokes_and_undo(page):
    draw(page, [[(0.5, 0.15), (0.5, 0.85)], [(0.3, 0.5), (0.7, 0.5)]])  # a 1, then a bar making a +
    page.click("#undo")  # back to the 1
    expect(page.locator("#answer")).to_have_text("1", timeout=10_000)
    page.click("#clear")


def test_uploading_an_image(page, mnist, tmp_path):
    digit = 255 - np.asarray(Image.fromarray(mnist.test_images[1]).resize((200, 200)))  # a 2, dark on white
    path = tmp_path / "two.png"
    Image.fromarray(digit).save(path)
    page.set_input_files("#upload", str(path))
    expect(page.locator("#answer")).to_have_text("2", timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "browser-upload.png"), full_page=True)
    page.click("#clear")
    expect(page.locator("#answer")).to_have_text("Draw a digit")


def test_a_number_drawn_without_the_switch_says_to_tick_it(page):
    draw(page, [[(0.2, 0.3), (0.2, 0.75)], [(0.5, 0.3), (0.8, 0.3), (0.62, 0.75)]])  # a 1, then a 7
    expect(page.locator("#detail")).to_contain_text("looks like several digits", timeout=10_000)
    page.click("#clear")
    expect(page.locator("#answer")).to_have_text("Draw a digit")


def test_several_digits_show_the_number(page):
    page.check("#multi")
    draw(page, [[(0.2, 0.3), (0.2, 0.75)], [(0.5, 0.3), (0.8, 0.3), (0.62, 0.75)]])  # a 1, then a 7
    expect(page.locator("#answer")).to_have_text("17", timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "browser-number.png"), full_page=True)
    page.uncheck("#multi")
    page.click("#clear")
    expect(page.locator("#answer")).to_have_text("Draw a digit")
