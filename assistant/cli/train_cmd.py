"""``humdinger train``: train the music-space model from the bundled corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["register"]

OBJECTIVE_NAMES = ("contrast", "adjacency", "adversarial", "decoder")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from music_models.training.trainer import TrainerConfig

    d = TrainerConfig()
    p = sub.add_parser(
        "train", help="train the music-space model (CPU is fine; a GPU is used when present)",
        description="Builds the training data (rendered arrangements + synthetic hums/whistles/songs/instruments of "
                    "train-split tunes; cached and resumable), trains the encoder with its objectives, validates "
                    "on val-split tunes, and writes a checkpoint that carries its config and metrics.",
    )
    p.add_argument("--config", type=Path, help="JSON/YAML file overriding TrainRunConfig defaults (nested keys)")
    p.add_argument("--steps", type=int, help=f"training steps (default {d.steps})")
    p.add_argument("--resume", action="store_true", help="continue from the working checkpoint")
    p.add_argument("--init-from", type=Path, metavar="CHECKPOINT",
                   help="fine-tune: start from this checkpoint's weights (e.g. the shipped one) with a fresh "
                        "optimiser at step 0; its model config must match --config's")
    p.add_argument("--objectives", default="1,2,3,4",
                   help="objectives to train, for ablations: 1 contrast, 2 adjacency, 3 adversarial prior, "
                        "4 decoder (default 1,2,3,4)")
    p.add_argument("--train-tunes", type=int, help="how many train-split tunes to use")
    p.add_argument("--work", type=Path, help="working checkpoint (default: $HUMDINGER_DATA/train/<objectives>.pt)")
    p.add_argument("--ship", type=Path, help="also write the inference checkpoint (+ .sha256) here")
    p.add_argument("--json", type=Path, help="write the final metrics as JSON here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from music_models.errors import ConfigError
    from music_models.paths import data_dir
    from music_models.training.run import load_run_config, train

    try:
        chosen = {int(x) for x in args.objectives.split(",") if x.strip()}
    except ValueError as exc:
        raise ConfigError(f"--objectives takes numbers 1-4 separated by commas, got {args.objectives!r}") from exc
    if not chosen or not chosen <= {1, 2, 3, 4}:
        raise ConfigError(f"--objectives takes numbers 1-4 separated by commas, got {args.objectives!r}")
    overrides: dict = {"model": {"objectives": {n: (i + 1) in chosen for i, n in enumerate(OBJECTIVE_NAMES)}}}
    if args.steps:
        overrides["trainer"] = {"steps": args.steps}
    if args.train_tunes:
        overrides["train_tunes"] = args.train_tunes
    cfg = load_run_config(args.config, **overrides)
    work = args.work or data_dir() / "train" / f"objectives-{cfg.model.objectives.name.replace('+', '')}.pt"
    metrics = train(cfg, checkpoint_path=work, ship_path=args.ship, resume=args.resume, init_from=args.init_from)
    text = json.dumps(metrics, indent=2, default=str)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    keys = [k for k in metrics if k.startswith(("val_", "prior_ks", "prior_mmd", "decoder_"))]
    print("\n".join(f"{k}: {metrics[k]:.4f}" for k in keys))
    print(f"working checkpoint: {work}" + (f"\nshipped checkpoint: {args.ship}" if args.ship else ""))
    return 0
