"""Cheap check: which capitalised words (2+ letters) appear both in the
knowledge base (kb/harbour_allotments/) and in any distractor (distractors/)?
Only ordinary words may be shared; any name shared is a leak to fix.
Also searches the distractors, case-insensitively and as whole words, for the
KB's proper names. Run from anywhere: python3 check_distractor_names.py"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
KB = sorted((HERE / "kb" / "harbour_allotments").iterdir())
DIST = sorted(p for p in (HERE / "distractors").iterdir() if p.is_file())

# Proper names in the KB documents (people, places, organisations, named things).
KB_NAMES = [
    "Harbour", "Ropewalk", "Kettlewick", "Rag", "Marjorie", "Madge", "Tolland", "Ifan", "Rees", "Gaz", "Gary",
    "Heddle", "Winifred", "Winnie", "Okafor", "Bernard", "Bernie", "Ashcombe", "Priya", "Sandhu", "Hettie",
    "Marsh", "Colm", "Farrelly", "Tash", "Nana", "Jo", "Lou", "Kev", "Ron", "Baptiste", "Nellie", "Grice",
    "Brannoc", "Anchor", "Brackenford", "Cambridge", "Favourite", "Lettuce", "Pray", "Felco", "Smurf",
    "Jollof",
]


def cap_words(text):
    return {w for w in re.findall(r"[A-Za-z]+", text) if len(w) >= 2 and w[0].isupper()}


kb_words = set()
for p in KB:
    kb_words |= cap_words(p.read_text(encoding="utf-8"))

shared = {}
for p in DIST:
    for w in cap_words(p.read_text(encoding="utf-8")) & kb_words:
        shared.setdefault(w, []).append(p.name)

print(f"{len(KB)} KB documents, {len(DIST)} distractors")
print(f"{len(kb_words)} capitalised words in the KB; {len(shared)} also in a distractor:")
for w in sorted(shared, key=str.lower):
    print(f"  {w:14s} {len(shared[w]):2d} file(s): {', '.join(sorted(shared[w]))}")

leaks = []
for p in DIST:
    text = p.read_text(encoding="utf-8")
    for name in KB_NAMES:
        if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
            leaks.append((p.name, name))
print(f"KB proper names found in distractors (whole word, any case): {len(leaks)}")
for f, n in leaks:
    print(f"  {f}: {n}")

print("sizes (characters):")
bad = 0
for p in DIST:
    n = len(p.read_text(encoding="utf-8"))
    flag = "" if 800 <= n <= 3000 else "  OUT OF RANGE"
    bad += bool(flag)
    print(f"  {n:5d} {p.name}{flag}")
sys.exit(1 if leaks or bad else 0)
