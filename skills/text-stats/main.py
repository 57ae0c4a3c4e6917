# Text statistics: words, sentences, characters, reading time and the most frequent words of a
# text. One call: {"endpoint": "stats", "payload": {"text": "...", "top": 5}} on stdin, the
# answer as one JSON line on stdout.
import json
import re
import sys

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
STOP = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "that", "the", "to", "was", "with"}


def stats(text, top):
    words = [w.lower() for w in WORD.findall(text)]
    counts = {}
    for w in words:
        if w not in STOP:
            counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    sentences = len(SENTENCE_END.findall(text.strip())) or (1 if words else 0)
    return {
        "characters": len(text),
        "words": len(words),
        "sentences": sentences,
        "averageWordLength": round(sum(len(w) for w in words) / len(words), 2) if words else 0,
        "readingSeconds": round(len(words) / 238 * 60),
        "topWords": [{"word": w, "count": c} for w, c in ranked],
    }


def main():
    call = json.loads(sys.stdin.readline())
    payload = call.get("payload") or {}
    if call.get("endpoint") != "stats":
        print(json.dumps({"error": "unknown endpoint"}))
        sys.exit(2)
    text = payload.get("text", "")
    top = payload.get("top", 5)
    if not isinstance(text, str) or not isinstance(top, int) or top < 0:
        sys.stderr.write("text must be a string and top a whole number\n")
        sys.exit(1)
    print(json.dumps(stats(text, min(top, 50))))


main()
