"""PII detection speed: our engine vs a stock presidio AnalyzerEngine, side by side, whole processes.

Each engine runs in its own Python process on the same input (one text per line, JSONL). The
worker reports characters per CPU-second of the analysis loop (= per core; robust to other jobs
on a shared machine) and the wall time of the whole process including start-up.

Engines:
  ours         curate.pii PiiDetector.analyze_many (pre-screen + our engine; no presidio)
  ours-single  the same, one engine call per record (PiiDetector.analyze)
  stock        AnalyzerEngine with every predefined presidio PatternRecognizer registered for zh,
               blank zh spaCy pipeline loaded from a local dir, no NER
  stock-defaults  AnalyzerEngine with presidio's default zh registry (load_predefined_recognizers:
               incl. the phonenumbers-based PhoneRecognizer), blank zh pipeline, no NER

Usage: python bench/bench_pii.py [--repeat 2] [--corpus bank|law|both]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATE_SHARED", "/work/shared"))


def _texts_bank() -> list[str]:
    path = SHARED / "eval-dev" / "pii_dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _texts_law() -> list[str]:
    import re

    out = []
    for p in sorted((SHARED / "fixtures" / "law_moj" / "chlaw_json").rglob("*.json"))[:3]:
        raw = p.read_text(encoding="utf-8-sig", errors="replace")
        for m in re.finditer(r'"ArticleContent"\s*:\s*"((?:[^"\\]|\\.)*)"', raw):
            t = json.loads(f'"{m.group(1)}"').strip()
            if t:
                out.append(t)
    return out


def worker(engine: str, input_path: str) -> dict:
    texts = [json.loads(line)["text"] for line in open(input_path, encoding="utf-8")]
    sys.path.insert(0, str(ROOT))
    t_setup = time.perf_counter()
    if engine.startswith("ours"):
        from curate.pii.engine import PiiDetector

        det = PiiDetector()
        det.analyze(texts[0])
        if engine == "ours":

            def run():
                return sum(len(s) for s in det.analyze_many(texts))
        else:

            def run():
                return sum(len(det.analyze(t)) for t in texts)
    else:
        import inspect

        import spacy
        from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry
        from presidio_analyzer import predefined_recognizers as pr
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        from curate.pii.engine import offline_tldextract

        offline_tldextract()
        model_dir = tempfile.mkdtemp()
        spacy.blank("zh").to_disk(model_dir)
        nlp = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "zh", "model_name": model_dir}]}
        ).create_engine()
        reg = RecognizerRegistry(supported_languages=["zh"])
        if engine == "stock":
            for name in dir(pr):
                cls = getattr(pr, name)
                if inspect.isclass(cls) and issubclass(cls, PatternRecognizer) and cls is not PatternRecognizer:
                    reg.add_recognizer(cls(supported_language="zh"))
        else:
            reg.load_predefined_recognizers(languages=["zh"], nlp_engine=nlp)
            reg.recognizers = [r for r in reg.recognizers if r.name != "SpacyRecognizer"]  # no NER
        an = AnalyzerEngine(registry=reg, nlp_engine=nlp, supported_languages=["zh"])
        an.analyze(texts[0], language="zh")

        def run():
            return sum(len(an.analyze(t, language="zh")) for t in texts)

    setup = time.perf_counter() - t_setup
    chars = sum(len(t) for t in texts)
    c0, w0 = time.process_time(), time.perf_counter()
    spans = run()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return {
        "engine": engine,
        "records": len(texts),
        "chars": chars,
        "spans": spans,
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "setup_s": round(setup, 2),
        "chars_per_cpu_s": round(chars / cpu),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=2, help="repeat the corpus this many times")
    ap.add_argument("--corpus", choices=["bank", "law", "both"], default="both")
    ap.add_argument("--engines", default="ours,ours-single,stock,stock-defaults")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.input)))
        return
    corpora = ["bank", "law"] if args.corpus == "both" else [args.corpus]
    for corpus in corpora:
        texts = (_texts_bank() if corpus == "bank" else _texts_law()) * args.repeat
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
            for t in texts:
                fh.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        results = {}
        for engine in args.engines.split(","):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "--worker", engine, "--input", fh.name],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "OMP_NUM_THREADS": "1"},
            )
            res = json.loads(out.stdout.strip().splitlines()[-1])
            res["process_wall_s"] = round(time.perf_counter() - t0, 2)
            results[engine] = res
        os.unlink(fh.name)
        chars = next(iter(results.values()))["chars"]
        print(f"\ncorpus={corpus} records={len(texts)} chars={chars:,}")
        print(f"{'engine':16s} {'chars/cpu-s':>12s} {'cpu_s':>7s} {'setup_s':>7s} {'process_s':>9s} {'spans':>6s}")
        for r in results.values():
            print(
                f"{r['engine']:16s} {r['chars_per_cpu_s']:>12,} {r['cpu_s']:>7} {r['setup_s']:>7} "
                f"{r['process_wall_s']:>9} {r['spans']:>6}"
            )
        if "ours" in results and "stock" in results:
            ratio = results["ours"]["chars_per_cpu_s"] / results["stock"]["chars_per_cpu_s"]
            print(f"ratio ours/stock = {ratio:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
