"""Screenshots of the PWA on a 360×740 phone, for docs/screenshots/ (run by hand, not by CI).

    cd pwa && npm run build && cd ..
    .venv/bin/python bench/pwa/screenshots.py [--out docs/screenshots]

Starts a seeded server of its own (a temporary SQLite file, a free port), drives Debian's
Chromium with Playwright through the inspector's morning and writes:

    market-list.png     Chọn chợ, nearest first (the phone stands at Chợ Hôm)
    visit-form.png      Phiếu kiểm tra, half filled, with a photo
    sync-status.png     no signal: three visits wait ("3 lượt chờ gửi"), the last sync failed
    visits-returned.png after the sync, the ward officer returned one visit with a comment

Device scale factor 1 keeps the files small. Uses the helpers of the browser tests
(tests/e2e/test_inspector_offline.py), so the screenshots show what the tests check.
"""

import argparse
import struct
import sys
import tempfile
import uuid
import zlib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.live_server import LiveServer  # noqa: E402
from tests.e2e.helpers import (  # noqa: E402
    MARKETS,
    WAIT_MS,
    WARD_OFFICER,
    Inspector,
    ServerView,
    new_phone,
)

RETURN_COMMENT = "Ảnh chưa thấy rõ quầy rau; đề nghị chụp lại và đếm lại số hộ."


def stall_photo(path: Path, width: int = 480, height: int = 360) -> Path:
    """A PNG that looks a little like market stalls under awnings (striped blocks)."""
    awnings = [(46, 125, 79), (214, 137, 16), (192, 57, 43), (41, 98, 163)]
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            stall = x * 4 // width
            if y < height // 3:  # striped awnings
                rgb = awnings[stall] if (x // 12) % 2 == 0 else (245, 245, 240)
            elif y < height * 3 // 4:  # goods on the counters
                shade = 150 + (x * 7 + y * 3) % 80
                rgb = (shade, shade * 3 // 4, 90)
            else:  # the floor
                rgb = (120, 120, 115)
            row += bytes(rgb)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    )
    return path


def settle(inspector: Inspector) -> None:
    """No toast over the screen, nothing focused, caret hidden: a calm picture."""
    page = inspector.page
    page.locator("#toast").wait_for(state="hidden", timeout=WAIT_MS)
    page.evaluate("() => document.activeElement?.blur()")


def shoot(inspector: Inspector, out: Path, name: str) -> None:
    settle(inspector)
    path = out / name
    inspector.page.screenshot(path=str(path), caret="hide", animations="disabled")
    print(f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}"
          f"  {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="cho-xanh-shots-") as tmp:
        work = Path(tmp)
        server = LiveServer(work).prepare().start()
        view = ServerView(server)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=vi-VN"]
                )
                context = new_phone(browser, device_scale_factor=1)
                inspector = Inspector(context.new_page(), server)

                inspector.login_and_load_markets()
                expect(inspector.page.get_by_text("Xếp theo khoảng cách")).to_be_visible()
                shoot(inspector, out, "market-list.png")

                server.stop()  # no signal in the market hall
                photo = stall_photo(work / "cho-hom.png")
                inspector.open_market(MARKETS[0])
                inspector.fill_answers(total=42, using=3)
                inspector.add_photos([photo])
                # The second half: location against the market, the photo, the verdict, "Lưu".
                inspector.page.get_by_role("heading", name="Vị trí").evaluate(
                    "(el) => window.scrollTo(0, el.getBoundingClientRect().top + scrollY - 100)"
                )
                shoot(inspector, out, "visit-form.png")
                inspector.save()

                inspector.record_visit(MARKETS[1], total=35, using=0, files=[])
                inspector.record_visit(MARKETS[2], total=28, using=1, files=[])
                inspector.sync()  # fails: the server is down; the visits stay
                expect(inspector.syncbar).to_contain_text("Chưa đồng bộ được", timeout=WAIT_MS)
                inspector.expect_waiting(3)
                shoot(inspector, out, "sync-status.png")

                server.start()
                inspector.sync()
                inspector.expect_waiting(0)
                visit_id = inspector.visit_id(MARKETS[0])
                [result] = view.push(WARD_OFFICER, [{
                    "id": str(uuid.uuid4()), "type": "review.decide",
                    "data": {"visit_id": visit_id, "base_rev": 1, "decision": "return",
                             "comment": RETURN_COMMENT},
                }])
                assert result["status"] == "applied", result
                inspector.sync()
                inspector.expect_cards([MARKETS[0]], "Bị trả lại", total=3)
                shoot(inspector, out, "visits-returned.png")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
