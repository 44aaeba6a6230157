"""A real browser opens the offline map: headless Chromium, networking disabled.

Chromium is driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages separated by NUL on fds 3/4), so
no websocket client, chromedriver or port is needed. The test asserts that
the page rendered (Leaflet container, one SVG marker per feature, the bundled
basemap), that no script error or console error occurred, that nothing was
requested beyond the file itself, that HTML payloads in the data did not run,
and saves a screenshot that is not blank.

Skipped when Chromium is not installed (Debian: ``apt-get install -y chromium``).
"""

from __future__ import annotations

import base64
import io
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from geobias.hotspots import hotspots
from geobias.maps import explore, save_map
from conftest import synthetic_per_centre

pytestmark = pytest.mark.browser

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


class DevTools:
    """Minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, exe: str, profile: str, timeout: float = 60.0) -> None:
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        def child_fds() -> None:  # runs in the child before exec: the pipe ends become fds 3 and 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            # networking off: an unusable proxy and no name resolution (and offline emulation below)
            "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1000,700", "about:blank",
        ]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.timeout = timeout
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        for e in self.events:
            if e.get("method") == event:
                return e
        while True:
            e = self._next(deadline)
            self.events.append(e)
            if e.get("method") == event:
                return e

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._next(deadline))
        except TimeoutError:
            pass

    def _next(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>\" onmouseover=\"alert(3)"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Open an offline audit map in Chromium; yield (browser, session, frame, path)."""
    pc = synthetic_per_centre(50, **{PAYLOAD: [PAYLOAD] * 50})
    hs = hotspots(pc, "acc", k=6, random_state=0)
    out = tmp_path_factory.mktemp("browser")
    path = save_map(explore(pc, "acc", hotspots=hs, tooltip=[PAYLOAD], name=PAYLOAD, offline=True, show="all"),
                    out / "offline map.html")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    browser = DevTools(CHROMIUM, profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1,
                                                          "uploadThroughput": -1}, session=session)
        # an alert() from injected markup would be recorded here instead of blocking the page
        browser.send("Page.addScriptToEvaluateOnNewDocument", {
            "source": "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"},
            session=session)
        browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        browser.drain(1.0)  # let Leaflet finish drawing
        yield browser, session, pc, out
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def evaluate(browser: DevTools, session: str, expression: str):
    res = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
    assert "exceptionDetails" not in res, res
    return res["result"].get("value")


def test_map_rendered_one_marker_per_feature(page):
    browser, session, pc, _ = page
    counts = evaluate(browser, session, """JSON.stringify({
        container: document.querySelectorAll('.leaflet-container').length,
        features: document.querySelectorAll('.leaflet-overlay-pane path.geobias-feature').length,
        perLayer: ['geobias-acc', 'geobias-base', 'geobias-relative', 'geobias-hotspots'].map(
            c => document.querySelectorAll('.leaflet-overlay-pane path.' + c).length),
        basemap: document.querySelectorAll('path.geobias-basemap').length,
        legends: document.querySelectorAll('.geobias-legend').length,
        control: document.querySelectorAll('.leaflet-control-layers-overlays label').length,
        leaflet: typeof L === 'object' ? L.version : null})""")
    counts = json.loads(counts)
    assert counts["container"] == 1 and counts["leaflet"] == "1.9.4"
    assert counts["perLayer"] == [len(pc)] * 4
    assert counts["features"] == 4 * len(pc)
    assert counts["basemap"] == 177
    assert counts["legends"] == 4 and counts["control"] == 4


def test_no_errors_and_no_network(page):
    browser, session, _, _ = page
    browser.drain(0.2)
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"]
    errors += [e for e in browser.events if e.get("method") == "Log.entryAdded"
               and e["params"]["entry"]["level"] == "error"]
    errors += [e for e in browser.events if e.get("method") == "Runtime.consoleAPICalled"
               and e["params"]["type"] in ("error", "assert")]
    assert not errors, json.dumps(errors, indent=1)[:3000]
    requested = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requested and all(u.startswith(("file:", "data:")) for u in requested), requested
    failed = [e for e in browser.events if e.get("method") == "Network.loadingFailed"]
    assert not failed, failed


def test_payloads_are_shown_not_run(page):
    browser, session, _, _ = page
    # open the first marker's tooltip and popup
    evaluate(browser, session, """(function () {
        const p = document.querySelector('.leaflet-overlay-pane path.geobias-acc');
        p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 10, clientY: 10}));
        p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 10, clientY: 10}));
    })()""")
    browser.drain(0.3)
    state = json.loads(evaluate(browser, session, """JSON.stringify({
        alerts: window.__alerts,
        tooltip: (document.querySelector('.leaflet-tooltip') || {}).innerText || null,
        popup: (document.querySelector('.leaflet-popup-content') || {}).innerText || null,
        injected: document.querySelectorAll('.leaflet-container img[src="x"], .leaflet-container script').length,
        control: document.querySelector('.leaflet-control-layers-overlays').innerText})"""))
    assert state["alerts"] == []
    assert state["injected"] == 0
    assert state["tooltip"] and PAYLOAD in state["tooltip"]  # shown as text
    assert state["popup"] and PAYLOAD in state["popup"]
    assert PAYLOAD in state["control"]


def test_screenshot_is_not_blank(page):
    browser, session, _, out = page
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    png = base64.b64decode(shot["data"])
    path = Path(out) / "offline-map.png"
    path.write_bytes(png)
    target = os.environ.get("GEOBIAS_SCREENSHOT_DIR")
    if target:  # keep it as a CI artefact
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
    assert img.shape[0] >= 600 and img.shape[1] >= 900
    assert img.std() > 0.05  # not a blank page
    # several distinct colours: sea, land, markers of the hot-spot palette, controls
    assert len(np.unique((img.reshape(-1, 3) * 255).astype(np.uint8), axis=0)) > 50
