#!/usr/bin/env python3
"""How long an editor waits for keraslint's diagnostics after a keystroke.

Starts `python -m keraslint server` over stdio with pygls's client, opens a generated
2,000-line model file (a block of Keras model code with findings, repeated), then sends
`textDocument/didChange` edits one at a time and times each until the server publishes the
diagnostics of that version. The time includes the server's debounce
(keraslint.server.DEBOUNCE_SECONDS); the engine's own check of the same text is timed too.

Usage::

    python benchmarks/server_latency.py            # 20 changes, prints median / p90 / max
    python benchmarks/server_latency.py --changes 50
    python benchmarks/server_latency.py --findings-every 1   # every block has findings (~460)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from keraslint.engine import check_source  # noqa: E402
from keraslint.server import DEBOUNCE_SECONDS  # noqa: E402

HEADER = "import keras\nimport numpy as np\nimport tensorflow as tf\n\n"
CLEAN_BLOCK = '''
def block_{n}(width={n}):
    """Tower {n}: a dense stack whose branches are merged."""
    inputs = keras.Input((4,), name="in_{n}")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    hidden = keras.layers.Dense(4)(hidden)
    scaled = keras.layers.Multiply()([hidden, inputs])
    shifted = keras.layers.Add()([scaled, inputs])
    squashed = keras.ops.sigmoid(shifted)
    model = keras.Model(inputs, squashed, name="tower_{n}")
    return model
'''
# the same tower with three findings: two raw constants merged in (KER101), a TF op (KER301)
BAD_BLOCK = (
    CLEAN_BLOCK.replace("[hidden, inputs]", "[hidden, scale]")
    .replace("[scaled, inputs]", "[scaled, offset]")
    .replace("keras.ops.sigmoid", "tf.nn.sigmoid")
    .replace('    inputs = keras.Input', '    scale = np.ones((1, 4))\n    offset = np.full(4, 0.5)\n    inputs = keras.Input')
)


def make_source(lines: int = 2000, findings_every: int = 10) -> str:
    """About `lines` lines of model code; every `findings_every`-th block has three findings."""
    parts, n = [HEADER], 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append((BAD_BLOCK if n % findings_every == 0 else CLEAN_BLOCK).format(n=n))
        n += 1
    return "".join(parts)


async def measure(changes: int, findings_every: int) -> dict:
    text = make_source(findings_every=findings_every)
    folder = Path(tempfile.mkdtemp(prefix="keraslint-latency-"))
    path = folder / "towers.py"
    path.write_text(text)
    uri = path.as_uri()
    published: dict = {}
    waiting: dict = {}

    client = LanguageClient("keraslint-latency", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams):
        published[params.version] = (time.perf_counter(), len(params.diagnostics))
        future = waiting.pop(params.version, None)
        if future is not None and not future.done():
            future.set_result(None)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params):
        return None

    await client.start_io(sys.executable, "-m", "keraslint", "server", env=None)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    loop = asyncio.get_running_loop()

    async def send(version: int, new_text: str, opening: bool = False) -> float:
        waiting[version] = loop.create_future()
        start = time.perf_counter()
        if opening:
            client.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=new_text)))
        else:
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)]))
        await asyncio.wait_for(waiting[version], 60)
        return published[version][0] - start

    open_seconds = await send(1, text, opening=True)  # includes importing the rules
    latencies = []
    for version in range(2, changes + 2):
        # a keystroke's worth of change: a different number in the last block each time
        edited = text.replace("width=", f"width={version}+", 1) if version % 2 else text
        latencies.append(await send(version, edited))
        await asyncio.sleep(0.05)
    findings = published[changes + 1][1]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    engine, engine_cpu = [], []
    for _ in range(5):
        start, cpu = time.perf_counter(), time.process_time()
        check_source(text, str(path))
        engine.append(time.perf_counter() - start)
        engine_cpu.append(time.process_time() - cpu)
    return {
        "lines": text.count("\n"),
        "findings": findings,
        "open_s": open_seconds,
        "latencies": latencies,
        "engine_s": statistics.median(engine),
        "engine_cpu_s": statistics.median(engine_cpu),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=20, help="didChange round trips to time (default 20)")
    parser.add_argument("--findings-every", type=int, default=10, help="one block in N has findings (default 10; 1: all)")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.changes, args.findings_every))
    latencies = sorted(result["latencies"])
    p90 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))]
    print(f"file: {result['lines']} lines, {result['findings']} findings")
    print(f"didOpen -> diagnostics (first check, cold imports): {result['open_s'] * 1000:.0f} ms")
    print(f"didChange -> diagnostics over {len(latencies)} changes: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p90 {p90 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (debounce {DEBOUNCE_SECONDS * 1000:.0f} ms included)")
    print(f"the engine's check of the same text, in process: {result['engine_s'] * 1000:.0f} ms wall, "
          f"{result['engine_cpu_s'] * 1000:.0f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
