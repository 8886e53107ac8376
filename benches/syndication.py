#!/usr/bin/env python3
"""Corpora of mass syndication, for measuring neardup by hand (docs/reliability.md).

    syndication.py verbatim STORIES COPIES OUT.jsonl   # each story copied verbatim COPIES times
    syndication.py edited COPIES OUT.jsonl             # one story, each copy with 2 words edited

Stories are about 140 words drawn from a vocabulary of 5,000 made-up words (so their 5-word
shingles are distinct between stories); every copy has its own id and outlet. The output
depends only on the arguments. `tests/safety_scale.rs` makes the same shapes, smaller.
"""

import json
import random
import sys


def vocabulary(rng):
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(5000)]


def story(rng, words):
    return " ".join(rng.choice(words) for _ in range(140))


def main():
    rng = random.Random(21)
    words = vocabulary(rng)
    kind = sys.argv[1]
    if kind == "verbatim":
        stories, copies, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        texts = [story(rng, words) for _ in range(stories)]
        with open(out, "w") as f:
            for c in range(copies):
                for s, text in enumerate(texts):
                    rec = {"id": f"s{s}-c{c}", "outlet": f"outlet{c}", "text": text}
                    f.write(json.dumps(rec) + "\n")
    elif kind == "edited":
        copies, out = int(sys.argv[2]), sys.argv[3]
        base = story(rng, words).split()
        with open(out, "w") as f:
            for c in range(copies):
                text = list(base)
                for k in range(2):
                    text[rng.randrange(len(text))] = f"edit{c}x{k}"
                rec = {"id": f"e{c}", "outlet": f"outlet{c}", "text": " ".join(text)}
                f.write(json.dumps(rec) + "\n")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
