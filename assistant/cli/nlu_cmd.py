"""``humdinger nlu "TEXT"``: what Rasa makes of an utterance (starts the server, trains the model if needed)."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "nlu", help="parse an utterance with Rasa (intent, confidence, entities)",
        description="Parses TEXT with the Rasa NLU model of nlu_data/. Uses RASA_URL (+ RASA_TOKEN) when set; "
                    "otherwise starts .venv-rasa's server on 127.0.0.1, training the model first when nlu_data/ "
                    "changed (cached by content hash under $HUMDINGER_DATA/rasa/models).")
    p.add_argument("text", nargs="*", help="the utterance, e.g. \"play greensleeves\"")
    p.add_argument("--json", action="store_true", help="print the parse as JSON")
    p.add_argument("--train-only", action="store_true", help="only train (or find) the model and print its path")
    p.add_argument("--update-lookups", action="store_true",
                   help="regenerate nlu_data/data/lookups/song_title.yml from the library's titles, then exit")
    p.set_defaults(func=run)


def _print_result(result: object, *, as_json: bool) -> None:
    from assistant.nlu.types import NluResult

    assert isinstance(result, NluResult)
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    print(f"intent: {result.intent} ({result.confidence:.2f})")
    for e in result.entities:
        print(f"  {e.entity}: {e.value!r}  [{e.start}:{e.end}]")
    others = [f"{n} {c:.2f}" for n, c in result.ranking if n != result.intent][:3]
    if others:
        print("  next: " + ", ".join(others))


def run(args: argparse.Namespace) -> int:
    from assistant.nlu.config import NluConfig

    cfg = NluConfig.from_env()
    if args.update_lookups:
        from assistant.nlu.lookups import load_titles, write_song_title_lookup

        n = write_song_title_lookup(titles=load_titles(), path=cfg.song_title_lookup_path)
        print(f"wrote {n} titles to {cfg.song_title_lookup_path}")
        return 0
    if args.train_only:
        from assistant.nlu.training import ensure_model, find_model

        if find_model(config=cfg) is None:
            print("training the NLU model (about a minute) ...", file=sys.stderr)
        print(ensure_model(config=cfg))
        return 0
    text = " ".join(args.text)
    if not text.strip():
        print("humdinger nlu: give the text to parse, e.g. humdinger nlu \"play greensleeves\"", file=sys.stderr)
        return 2
    from assistant.nlu.server import RasaServer
    from assistant.nlu.training import find_model

    if not cfg.rasa_url and find_model(config=cfg) is None:
        print("training the NLU model first (about a minute; cached afterwards) ...", file=sys.stderr)
    if not cfg.rasa_url:
        print("starting the Rasa server ...", file=sys.stderr)
    with RasaServer(cfg) as server:
        _print_result(server.client.parse(text), as_json=args.json)
    return 0
