#!/usr/bin/env python3
"""Times the official Segment Anything code (facebookresearch/segment-anything) the way
`medsa bench` times ours: a synthetic 512 x 512 picture through SamPredictor.set_image (resized to
1024, as ours), then one-point multimask clicks (SamPredictor.predict, three masks at the
picture's size) and correction clicks (two points and the last low-res logits, one mask), two
warm-up clicks of each kind not counted. Random weights, as `medsa bench
--random-weights`. Prints one JSON object. Used by scripts/bench-vs-official.sh.

Needs Debian's python3-torch and python3-torchvision and a checkout of the official code
(--official-dir); nothing is installed or downloaded."""
import argparse
import json
import os
import statistics
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official-dir", required=True,
                        help="checkout of github.com/facebookresearch/segment-anything")
    parser.add_argument("--arch", default="vit_b", choices=["vit_b", "vit_l", "vit_h"])
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                        help="bf16: the encoder under torch.autocast(device, bfloat16)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=0, help="0: every core")
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--encoder-runs", type=int, default=1)
    args = parser.parse_args()

    sys.path.insert(0, args.official_dir)
    try:
        import numpy as np
        import torch
        from segment_anything import SamPredictor, sam_model_registry
    except ImportError as error:
        sys.exit(f"bench_official_sam.py: {error} (needs python3-torch, python3-torchvision and "
                 f"the official code in {args.official_dir})")

    torch.set_num_threads(args.threads or os.cpu_count())
    torch.manual_seed(0)
    load_start = time.perf_counter()
    sam = sam_model_registry[args.arch](checkpoint=None).eval().to(args.device)
    load_ms = (time.perf_counter() - load_start) * 1000
    predictor = SamPredictor(sam)
    # The same picture as medsa bench's benchPicture: what matters is its size.
    picture = np.random.RandomState(0).randint(0, 256, (512, 512, 3), dtype=np.uint8)

    def wait():  # a GPU runs its kernels asynchronously: time what it did, not what was queued
        if args.device == "cuda":
            torch.cuda.synchronize()

    encoder_ms = []
    with torch.inference_mode():
        # On a GPU the first encode pays for kernel selection and memory pools: one run untimed.
        for run in range(args.encoder_runs + (1 if args.device == "cuda" else 0)):
            start = time.perf_counter()
            if args.precision == "bf16":
                with torch.autocast(args.device, dtype=torch.bfloat16):
                    predictor.set_image(picture)
            else:
                predictor.set_image(picture)
            wait()
            if args.device == "cpu" or run > 0:
                encoder_ms.append((time.perf_counter() - start) * 1000)
        if args.precision == "bf16":  # clicks run the fp32 decoder, as ours by default
            predictor.features = predictor.features.float()

        click_ms = []
        for i in range(-2, args.clicks):
            point = np.array([[64.0 + (i * 97) % 384, 64.0 + (i * 61) % 384]])
            start = time.perf_counter()
            predictor.predict(point_coords=point, point_labels=np.array([1]),
                              multimask_output=True)
            wait()
            if i >= 0:
                click_ms.append((time.perf_counter() - start) * 1000)

        # Correction clicks as medsa bench makes them: the disc's centre, a negative point and
        # the best candidate's low-res logits fed back, one mask.
        centre = np.array([[300.0, 220.0]])
        _, scores, low_res = predictor.predict(point_coords=centre, point_labels=np.array([1]),
                                               multimask_output=True)
        previous = low_res[int(np.argmax(scores))][None]
        correction_ms = []
        for i in range(-2, args.clicks):
            points = np.array([centre[0], [160.0 + (i * 53) % 280, 100.0 + (i * 71) % 280]])
            start = time.perf_counter()
            predictor.predict(point_coords=points, point_labels=np.array([1, 0]),
                              mask_input=previous, multimask_output=False)
            wait()
            if i >= 0:
                correction_ms.append((time.perf_counter() - start) * 1000)

    print(json.dumps({
        "implementation": "official segment_anything (PyTorch)",
        "torch": torch.__version__,
        "arch": args.arch,
        "precision": args.precision,
        "device": args.device,
        "threads": torch.get_num_threads(),
        "load_ms": load_ms,
        "encoder_ms": statistics.median(encoder_ms),
        "encoder_runs": args.encoder_runs,
        "click_ms_p50": statistics.median(click_ms),
        "click_ms_p95": statistics.quantiles(click_ms, n=20)[-1],
        "clicks": args.clicks,
        "correction_click_ms_p50": statistics.median(correction_ms),
        "correction_click_ms_p95": statistics.quantiles(correction_ms, n=20)[-1],
    }))


if __name__ == "__main__":
    main()
