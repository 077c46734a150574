"""Tune PocketSphinx's decoding settings on espeak-ng speakers saying the assistant's TRAINING phrasings.

    .venv/bin/python bench/tune_asr.py [--utterances 60] [--snr-db 10]  ->  bench/results/asr_tuning.json

The held-out commands (bench/data/heldout_commands.tsv) stay untouched for bench_intent_e2e.py: this
script leaves --utterances templates of nlu_data out of the recogniser's language, fills their slots,
endpoints like the conversation engine does, speaks each with one
drawn espeak-ng speaker (the same speaker model as the intent bench), clean and with music + noise
behind at --snr-db, and scores each candidate setting by word accuracy and exact sentence match.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results" / "asr_tuning.json"

#: name -> PocketSphinxConfig overrides (domain_lm is the default mode).
CANDIDATES: dict[str, dict[str, Any]] = {
    "default": {},  # domain_lm, whole-utterance CMN, comfort noise 0.002, trim 18 dB (+ the phone-loop fit, measured here)
    "no_trim": {"trim_below_peak_db": None},
    "no_comfort_noise": {"comfort_noise_rms": 0.0},
    "no_comfort_noise_streaming_cmn": {"comfort_noise_rms": 0.0, "redecode_every_utterance": False},
    "streaming_cmn": {"redecode_every_utterance": False},
    "comfort_noise_0.005": {"comfort_noise_rms": 0.005},
    "lw10_no_general": {"language_weight": 10.0, "domain_lm": {"general_weight": 0.0}},
    "trim_12db": {"trim_below_peak_db": 12.0},
    "trim_18db": {"trim_below_peak_db": 18.0},
    "grammar": {"mode": "grammar"},
    "warp_0.90": {"frequency_warp": 0.90},
    "warp_0.95": {"frequency_warp": 0.95},
    "warp_1.05": {"frequency_warp": 1.05},
    "warp_1.10": {"frequency_warp": 1.10},
    "warp_1.15": {"frequency_warp": 1.15},
    "no_fwdflat": {"fwdflat": False},
    "no_bestpath": {"bestpath": False},
    "no_fwdflat_no_bestpath": {"fwdflat": False, "bestpath": False},
    "accents_gb": {"accent_voices": ("en-gb",)},
    "accents_gb_029": {"accent_voices": ("en-gb", "en-029")},
    "accents_gb_029_scotland": {"accent_voices": ("en-gb", "en-029", "en-gb-scotland")},
    "frate_90": {"frame_rate_hz": 90},
    "frate_110": {"frame_rate_hz": 110},
    "frate_120": {"frame_rate_hz": 120},
    "frate_130": {"frame_rate_hz": 130},
    "beams_wide": {"beam": 1e-60, "word_beam": 1e-40, "phone_beam": 1e-60},
    "beams_wider": {"beam": 1e-80, "word_beam": 1e-50, "phone_beam": 1e-80},
    "beams_narrow": {"beam": 1e-40, "word_beam": 1e-20, "phone_beam": 1e-40},
}


#: Requests in other languages (espeak-ng voices): the acoustic-fit threshold should turn these away.
FOREIGN: tuple[tuple[str, str], ...] = (
    ("fr", "quel est le titre de cette chanson"), ("fr", "joue-moi quelque chose de joyeux"),
    ("fr", "arrête la musique s'il te plaît"), ("de", "wie heißt dieses Lied"),
    ("de", "spiel mir bitte etwas Ruhiges vor"), ("de", "hör bitte auf zu spielen"),
    ("es", "cuál es el nombre de esta canción"), ("es", "pon algo de música tranquila"),
    ("it", "come si chiama questa canzone"), ("it", "suona qualcosa di allegro per me"),
    ("nl", "speel een mooi liedje voor mij"), ("pt", "qual é o nome desta música"),
    ("pl", "zagraj mi coś spokojnego"), ("sv", "vad heter den här låten"),
)


def fit_report(fits: dict[str, list[float]]) -> dict[str, Any]:
    """Acoustic-fit quantiles per condition and, per threshold, the share of each condition kept."""
    import numpy as np

    out: dict[str, Any] = {c: {q: round(float(np.quantile(v, q / 100)), 3) for q in (5, 25, 50, 75, 95)}
                           for c, v in fits.items() if v}
    out["kept_at_threshold"] = {f"{t:.2f}": {c: round(float(np.mean(np.asarray(v) >= t)), 3)
                                              for c, v in fits.items() if v}
                                for t in np.arange(-4.5, -1.99, 0.25)}
    return out


def split_templates(phrases: Any, n: int, seed: int) -> tuple[Any, list[str]]:
    """Leave ``n`` templates out of ``phrases`` and fill them with slot values: sentences the recogniser's
    language has never seen (like held-out phrasings), without touching the held-out test set."""
    from assistant.asr.phrases import PhraseSet

    rng = random.Random(seed)
    usable = [t for t in phrases.templates if all(phrases.slots.get(r) for r in re.findall(r"<(\w+)>", t))]
    chosen = set(rng.sample(usable, min(n, len(usable))))
    sentences = []
    for t in sorted(chosen):
        s = t
        for ref in re.findall(r"<(\w+)>", t):
            s = s.replace(f"<{ref}>", rng.choice(phrases.slots[ref]), 1)
        sentences.append(s)
    return PhraseSet(tuple(t for t in phrases.templates if t not in chosen), phrases.slots), sentences


def word_errors(ref: list[str], hyp: list[str]) -> int:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--utterances", type=int, default=60)
    parser.add_argument("--snr-db", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="candidate names (default: all)")
    args = parser.parse_args(argv)
    import numpy as np
    from speech_corpus import background_pool, make_background, mix_at_snr, spoken_variants

    from assistant.asr import AsrConfig, build_phrase_set, create_recognizer
    from assistant.asr.domain_lm import DomainLmConfig
    from assistant.asr.phrases import normalize_text
    from assistant.asr.sphinx import PocketSphinxConfig
    from assistant.audio.chunk import AudioClip
    from assistant.conversation.capture import capture_utterance
    from assistant.conversation.config import ConversationConfig

    phrases, sentences = split_templates(build_phrase_set(), args.utterances, args.seed)
    endpointer = ConversationConfig().speech
    pool = background_pool(seed=args.seed)
    audio: list[tuple[str, str, np.ndarray]] = []
    voice_of: dict[int, str] = {}  # audio index -> espeak-ng voice
    for i, s in enumerate(sentences):
        y, _spec = spoken_variants(s, n=1, seed=args.seed + 17 * i)[0]
        audio.append((s, "clean", y))
        voice_of[len(audio) - 1] = voice_of[len(audio)] = _spec.voice
        noise = make_background("music" if i % 2 else "babble", len(y), pool=pool, seed=args.seed + i)
        audio.append((s, f"{args.snr_db:g}dB", mix_at_snr(y, noise, snr_db=args.snr_db, seed=args.seed + i)))
    from assistant.tts import EspeakTTS

    tts = EspeakTTS()
    pad = (0.002 * np.random.default_rng(args.seed).standard_normal(16000)).astype(np.float32)
    rows = []
    for name, over in CANDIDATES.items():
        if args.only and name not in args.only:
            continue
        over = {"phone_loop_check": True, **over}
        if "domain_lm" in over:
            over["domain_lm"] = DomainLmConfig(**over["domain_lm"])
        rec = create_recognizer(phrases, config=AsrConfig(backend="pocketsphinx",
                                                          pocketsphinx=PocketSphinxConfig(**over)))
        stats: dict[str, dict[str, float]] = {}
        t0 = time.perf_counter()
        examples = []
        fits: dict[str, list[float]] = {}
        finish_ms: dict[str, list[float]] = {}  # recogniser time after the endpoint (phone loop included)
        per_voice: dict[str, dict[str, int]] = {}
        for k, (ref, cond, y) in enumerate(audio):
            cap = capture_utterance(AudioClip(np.asarray(y, dtype=np.float32)).chunks(), config=endpointer,
                                    recognizer=rec, recognise_max_length=True)
            hyp = normalize_text(cap.transcript.text) if cap.transcript is not None else ""
            if cap.transcript is not None and cap.transcript.acoustic_fit is not None:
                fits.setdefault(cond, []).append(cap.transcript.acoustic_fit)
            st = stats.setdefault(cond, {"words": 0, "errors": 0, "exact": 0, "n": 0})
            finish_ms.setdefault(cond, []).append(cap.asr_finish_s * 1e3)
            st["words"] += len(ref.split())
            st["errors"] += word_errors(ref.split(), hyp.split())
            st["exact"] += int(hyp == ref)
            st["n"] += 1
            pv = per_voice.setdefault(f"{voice_of[k]}/{cond}", {"words": 0, "errors": 0})
            pv["words"] += len(ref.split())
            pv["errors"] += word_errors(ref.split(), hyp.split())
            if len(examples) < 12 and hyp != ref:
                examples.append({"said": ref, "heard": hyp, "condition": cond})
        if name == "default":
            for j, (voice, text) in enumerate(FOREIGN):
                y = tts.speak(text, voice=voice).samples
                y = np.concatenate([pad[:4800], y, pad[:12800]]).astype(np.float32)
                cap = capture_utterance(AudioClip(y).chunks(), config=endpointer, recognizer=rec,
                                        recognise_max_length=True)
                if cap.transcript is not None and cap.transcript.acoustic_fit is not None:
                    fits.setdefault("foreign", []).append(cap.transcript.acoustic_fit)
        result = {"name": name, "overrides": CANDIDATES[name], "seconds": round(time.perf_counter() - t0, 1),
                  **{cond: {"word_acc": round(1 - st["errors"] / st["words"], 3),
                            "exact": round(st["exact"] / st["n"], 3), "n": st["n"],
                            "finish_ms_p50": round(float(np.median(finish_ms[cond])), 1)}
                     for cond, st in stats.items()},
                  "word_acc_per_voice": {v: round(1 - c["errors"] / c["words"], 3) for v, c in sorted(per_voice.items())},
                  "acoustic_fit": fit_report(fits) if fits else None, "misheard": examples}
        rows.append(result)
        print(json.dumps({k: v for k, v in result.items() if k not in ("misheard", "acoustic_fit")}), flush=True)
        if result["acoustic_fit"]:
            print(json.dumps(result["acoustic_fit"]), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if args.only and RESULTS.is_file():  # a partial run updates its rows and keeps the others
        try:
            old = json.loads(RESULTS.read_text()).get("rows", [])
        except ValueError:
            old = []
        mine = {r["name"] for r in rows}
        rows = [r for r in old if r.get("name") not in mine] + rows
    RESULTS.write_text(json.dumps({"benchmark": "asr_tuning", "sentences": len(sentences), "snr_db": args.snr_db,
                                   "data": "nlu_data templates left out of the recogniser language (not the held-out set)",
                                   "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
