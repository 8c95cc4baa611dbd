#!/usr/bin/env python3
"""A labelling domain the starter model never saw, for the trainer's evidence benchmark
(docs/training.md): "cells" on a woven texture with salt-and-pepper noise. Each cell is a dark
nucleus inside a lighter cytoplasm with a bright membrane; the convention labels the whole cell
(membrane, cytoplasm and nucleus), where an untrained segmenter tends to take the nucleus or the
rim. Writes OUT/cellNN.png and OUT/cellNN_labels.png (values 0/1). Deterministic per --seed.

    scripts/make_cells_domain.py OUT --count 45 [--seed 7]
"""
import argparse
import os

import numpy as np
from PIL import Image


def cells_picture(rng, size=256):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    # Woven background: two crossing sinusoidal textures with a random tilt and period.
    angle = rng.uniform(0, np.pi)
    u = xx * np.cos(angle) + yy * np.sin(angle)
    v = -xx * np.sin(angle) + yy * np.cos(angle)
    period = rng.uniform(6, 14)
    image = 110 + 25 * np.sin(2 * np.pi * u / period) * np.sin(2 * np.pi * v / (period * 1.7))
    labels = np.zeros((size, size), np.uint8)
    for _ in range(rng.integers(2, 5)):
        cx, cy = rng.uniform(40, size - 40, 2)
        a, b = rng.uniform(16, 34, 2)
        theta = rng.uniform(0, np.pi)
        dx, dy = xx - cx, yy - cy
        r = np.sqrt(((dx * np.cos(theta) + dy * np.sin(theta)) / a) ** 2 +
                    ((-dx * np.sin(theta) + dy * np.cos(theta)) / b) ** 2)
        cell = r <= 1.0
        if (labels[cell] > 0).mean() > 0.1:
            continue  # keep cells apart
        image[cell] = 150 + 10 * rng.standard_normal()          # cytoplasm
        image[(r > 0.85) & cell] = 215                            # membrane
        image[r <= rng.uniform(0.3, 0.5)] = 45                    # nucleus
        labels[cell] = 1
    # Salt-and-pepper and Gaussian noise, a little blur-free harshness the starter never saw.
    image += rng.normal(0, 9, image.shape)
    speckle = rng.uniform(size=image.shape)
    image[speckle < 0.03] = 0
    image[speckle > 0.97] = 255
    grey = np.clip(image, 0, 255).astype(np.uint8)
    tint = np.stack([grey, (grey * 0.85).astype(np.uint8), (grey * 0.95).astype(np.uint8)], -1)
    return tint, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=45)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for i in range(args.count):
        picture, labels = cells_picture(rng)
        Image.fromarray(picture).save(os.path.join(args.out, f"cell{i:02d}.png"))
        Image.fromarray(labels).save(os.path.join(args.out, f"cell{i:02d}_labels.png"))


if __name__ == "__main__":
    main()
