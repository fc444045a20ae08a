"""Measure the understanding stage on the labelled corpus: `python -m bench.understanding`.

Prints event-detection precision/recall/F1, exact-start, end, place and applyUntil accuracy, pairwise
clustering precision/recall/F1, personal-data leaks in public fields, and the time to understand
10,000 posts (the corpus cycled). `--errors` lists every miss, for improving the code (not the corpus).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.ingest.dedupe import EventFingerprint, cluster, fingerprint
from hub.ingest.understand import Gazetteer, Understanding, load_gazetteer, understand
from hub.privacy import find_personal_data
from org_connectors.base import StructuredEvent

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "understanding" / "corpus.jsonl"
GAZETTEER = ROOT / "seeds" / "namwon" / "places.csv"


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    source_kind: str
    org: str
    posted_at: datetime
    title: str | None
    body: str
    expected: dict[str, Any]
    structured: StructuredEvent | None = None


@dataclass(slots=True)
class Report:
    posts: int = 0
    event_precision: float = 0.0
    event_recall: float = 0.0
    event_f1: float = 0.0
    start_accuracy: float = 0.0
    end_accuracy: float = 0.0
    place_accuracy: float = 0.0
    apply_accuracy: float = 0.0
    online_accuracy: float = 0.0
    cluster_precision: float = 0.0
    cluster_recall: float = 0.0
    cluster_f1: float = 0.0
    leaks: int = 0
    seconds_per_10k: float | None = None
    errors: list[str] = field(default_factory=list)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def load_corpus(path: Path = CORPUS) -> list[Example]:
    examples: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        event = row.get("event")
        structured = None
        if event:
            start = _dt(event["starts_at"])
            assert start is not None
            structured = StructuredEvent(
                starts_at=start,
                ends_at=_dt(event.get("ends_at")),
                all_day=bool(event.get("all_day")),
                location=event.get("location"),
            )
        posted = _dt(row["posted_at"])
        assert posted is not None
        examples.append(
            Example(
                id=row["id"],
                source_kind=row["source_kind"],
                org=row["org"],
                posted_at=posted,
                title=row.get("title"),
                body=row["body"],
                expected=row["expected"],
                structured=structured,
            )
        )
    return examples


def run(example: Example, gazetteer: Gazetteer) -> Understanding:
    return understand(
        example.body,
        title=example.title,
        posted_at=example.posted_at,
        gazetteer=gazetteer,
        structured=example.structured,
    )


def _place_ok(u: Understanding, expected: str | None) -> bool:
    if expected is None:
        return u.place is None and not (u.place_name and not u.is_online)
    if u.place is not None:
        return u.place.name == expected
    return bool(u.place_name) and (expected in (u.place_name or "") or (u.place_name or "") in expected)


def _ratio(good: int, total: int) -> float:
    return good / total if total else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(groups: Iterable[Sequence[int]]) -> set[tuple[int, int]]:
    return {(a, b) for g in groups for a, b in itertools.combinations(sorted(g), 2)}


def public_fields(u: Understanding) -> list[str]:
    return [v for v in (u.title, u.excerpt, u.place_name, u.place_detail, u.time_span) if v]


def evaluate(examples: Sequence[Example], gazetteer: Gazetteer) -> Report:
    report = Report(posts=len(examples))
    results = [run(ex, gazetteer) for ex in examples]
    tp = fp = fn = 0
    starts = ends = places = onlines = 0
    applies = apply_total = 0
    events = 0
    for ex, u in zip(examples, results, strict=True):
        exp = ex.expected
        want_event = bool(exp["is_event"])
        if want_event and u.is_event:
            tp += 1
        elif u.is_event:
            fp += 1
            report.errors.append(f"{ex.id}: 행사가 아닌데 행사로 읽음 / false event {u.starts_at}")
        elif want_event:
            fn += 1
            report.errors.append(f"{ex.id}: 행사를 놓침 / missed event (expected {exp['starts_at']})")
        for leak in (hit for text in public_fields(u) for hit in find_personal_data(text)):
            report.leaks += 1
            report.errors.append(f"{ex.id}: 개인정보 노출 / leak {leak}")
        want_apply = _dt(exp.get("apply_until"))
        if want_apply is not None or u.apply_until is not None:
            apply_total += 1
            if want_apply == u.apply_until:
                applies += 1
            else:
                report.errors.append(f"{ex.id}: 신청마감 / applyUntil {u.apply_until} != {want_apply}")
        if not want_event:
            continue
        events += 1
        if u.starts_at == _dt(exp["starts_at"]):
            starts += 1
        else:
            report.errors.append(f"{ex.id}: 시작 / start {u.starts_at} != {exp['starts_at']}")
        if u.ends_at == _dt(exp.get("ends_at")):
            ends += 1
        else:
            report.errors.append(f"{ex.id}: 끝 / end {u.ends_at} != {exp.get('ends_at')}")
        if _place_ok(u, exp.get("place")):
            places += 1
        else:
            got = u.place.name if u.place else u.place_name
            report.errors.append(f"{ex.id}: 장소 / place {got!r} != {exp.get('place')!r}")
        if u.is_online == bool(exp.get("is_online")):
            onlines += 1
        else:
            report.errors.append(f"{ex.id}: 온라인 / online {u.is_online}")
    report.event_precision = _ratio(tp, tp + fp)
    report.event_recall = _ratio(tp, tp + fn)
    report.event_f1 = _f1(report.event_precision, report.event_recall)
    report.start_accuracy = _ratio(starts, events)
    report.end_accuracy = _ratio(ends, events)
    report.place_accuracy = _ratio(places, events)
    report.online_accuracy = _ratio(onlines, events)
    report.apply_accuracy = _ratio(applies, apply_total)
    _score_clusters(examples, results, report)
    return report


def fingerprints(examples: Sequence[Example], results: Sequence[Understanding]) -> list[EventFingerprint]:
    return [
        fingerprint(u, organisation=ex.org, source_kind=ex.source_kind, body=ex.body)
        for ex, u in zip(examples, results, strict=True)
    ]


def _score_clusters(examples: Sequence[Example], results: Sequence[Understanding], report: Report) -> None:
    groups = cluster(fingerprints(examples, results))
    predicted = _pairs(groups)
    labels: dict[str, list[int]] = {}
    for index, ex in enumerate(examples):
        if ex.expected.get("cluster"):
            labels.setdefault(ex.expected["cluster"], []).append(index)
    expected = _pairs(labels.values())
    good = len(predicted & expected)
    report.cluster_precision = _ratio(good, len(predicted))
    report.cluster_recall = _ratio(good, len(expected))
    report.cluster_f1 = _f1(report.cluster_precision, report.cluster_recall)
    for a, b in sorted(predicted - expected):
        report.errors.append(f"묶음 오류 / wrong merge: {examples[a].id} + {examples[b].id}")
    for a, b in sorted(expected - predicted):
        report.errors.append(f"묶음 누락 / missed merge: {examples[a].id} + {examples[b].id}")


def time_10k(examples: Sequence[Example], gazetteer: Gazetteer, n: int = 10_000) -> float:
    """Seconds to understand and fingerprint `n` posts (the corpus cycled), then cluster them."""
    batch = list(itertools.islice(itertools.cycle(examples), n))
    started = time.perf_counter()
    results = [run(ex, gazetteer) for ex in batch]
    fps = fingerprints(batch, results)
    understood = time.perf_counter() - started
    # Cycled copies share dates, so clustering them is a worst case; time it apart.
    cluster(fps[: len(examples) * 10])
    return understood


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="이해 단계 측정 / measure the understanding stage")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER)
    parser.add_argument("--errors", action="store_true", help="틀린 항목 출력 / list every miss")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer(args.gazetteer)
    examples = load_corpus(args.corpus)
    report = evaluate(examples, gazetteer)
    if not args.no_timing:
        report.seconds_per_10k = time_10k(examples, gazetteer)
    clusters = len({ex.expected["cluster"] for ex in examples if ex.expected.get("cluster")})
    lines = [
        f"말뭉치 / corpus: {report.posts} posts, {clusters} cross-posted clusters",
        f"행사 판별 / event detection: P {report.event_precision:.3f}  R {report.event_recall:.3f}  "
        f"F1 {report.event_f1:.3f}",
        f"시작 정확 / exact start:     {report.start_accuracy:.3f}",
        f"끝 정확 / end:               {report.end_accuracy:.3f}",
        f"장소 / place:                {report.place_accuracy:.3f}",
        f"온라인 / online:             {report.online_accuracy:.3f}",
        f"신청마감 / applyUntil:       {report.apply_accuracy:.3f}",
        f"묶음 / clustering (pairwise): P {report.cluster_precision:.3f}  R {report.cluster_recall:.3f}  "
        f"F1 {report.cluster_f1:.3f}",
        f"개인정보 노출 / leaks:        {report.leaks}",
    ]
    if report.seconds_per_10k is not None:
        lines.append(f"10,000건 이해 / understand 10,000 posts: {report.seconds_per_10k:.2f} s")
    print("\n".join(lines))
    if args.errors:
        print("\n".join(["", *report.errors]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
