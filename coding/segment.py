"""Cutting journeys and transcripts into Segments, the units the coders score.

Segment ids are stable while a source is unchanged:

- transcript segments: ``f"{source}#{position}"`` (position = order in the file);
- journey notes: ``f"{source}#{journey_id}:{n}"`` (n = the note's order in its
  journey: per step the yellow note, then its green, then its red), so adding a
  journey to a shared CSV does not renumber the notes of the others.

A re-import that changes a file may change ids; the importer re-anchors codings
by their copied text, never by id.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence

from journeylab.coding.model import Role, Segment, SegmentKind, Transcript
from journeylab.coding.nlp import analyse
from journeylab.journeys.model import Journey


def journey_text(journey: Journey) -> str:
    """The journey's normalised text: its notes in order, one a line."""
    return "\n".join(note.text for note in journey.notes)


def note_id(source: str, journey_id: str, n: int) -> str:
    return f"{source}#{journey_id}:{n}"


def segment_journey(journey: Journey, *, first_position: int = 0) -> list[Segment]:
    """One NOTE segment per note; offsets point into `journey_text(journey)`."""
    source = journey.source or ""
    speaker = journey.pseudonym or journey.id
    out: list[Segment] = []
    offset = 0
    n = 0
    for step_index, step in enumerate(journey.steps):
        stage = step.stage.value if step.stage is not None else None
        for note in step.notes:
            out.append(
                Segment(
                    id=note_id(source, journey.id, n),
                    source=source,
                    kind=SegmentKind.NOTE,
                    position=first_position + n,
                    start=offset,
                    end=offset + len(note.text),
                    text=note.text,
                    role=Role.UNG,
                    speaker=speaker,
                    colour=note.colour.value,
                    stage=note.stage.value if note.stage is not None else stage,
                    journey=journey.id,
                    step=step_index,
                )
            )
            offset += len(note.text) + 1  # the "\n" of journey_text
            n += 1
    return out


def segment_journeys(journeys: Iterable[Journey]) -> list[Segment]:
    """Segments of all journeys of one source, positions counted across the file."""
    out: list[Segment] = []
    for journey in journeys:
        out.extend(segment_journey(journey, first_position=len(out)))
    return out


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) of *text* so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def segment_transcript(
    transcript: Transcript,
    *,
    max_sentences: int = 4,
    window: int = 3,
    lang: str = "da",
    pipeline: str | None = None,
) -> list[Segment]:
    """A turn of <= max_sentences sentences is one TURN segment; a longer one is cut
    into consecutive, non-overlapping windows of `window` sentences (SENTENCES).

    Offsets are exact: ``segment.text == transcript.text[segment.start:segment.end]``.
    """
    if window < 1 or max_sentences < 1:
        raise ValueError("window and max_sentences must be at least 1")
    text = transcript.text
    # The turn's span of the normalised text is the truth; a reader's Turn.text
    # should equal it, and using the span keeps offsets exact even if it does not.
    spans = [_strip_span(text, t.start, t.end) for t in transcript.turns]
    # One pass gives both the sentences and each word's lemma (the coders need them).
    analyses = analyse((text[s:e] for s, e in spans), lang, pipeline)
    out: list[Segment] = []
    for turn, (t_start, t_end), info in zip(transcript.turns, spans, analyses, strict=True):
        if t_start == t_end:
            continue
        bounds = [*info.sentence_starts, t_end - t_start]
        sents = []
        for a, b in itertools.pairwise(bounds):
            s, e = _strip_span(text, t_start + a, t_start + b)
            if s < e:
                sents.append((s, e))
        if len(sents) <= max_sentences:
            pieces = [(t_start, t_end, SegmentKind.TURN)]
        else:
            pieces = [
                (sents[i][0], sents[min(i + window, len(sents)) - 1][1], SegmentKind.SENTENCES)
                for i in range(0, len(sents), window)
            ]
        for start, end, kind in pieces:
            position = len(out)
            out.append(
                Segment(
                    id=f"{transcript.source}#{position}",
                    source=transcript.source,
                    kind=kind,
                    position=position,
                    start=start,
                    end=end,
                    text=text[start:end],
                    role=turn.role,
                    speaker=turn.speaker,
                    turn_index=turn.index,
                    lemmas=info.lemmas_between(start - t_start, end - t_start),
                )
            )
    return out


def add_lemmas(
    segments: Sequence[Segment], lang: str = "da", pipeline: str | None = None
) -> list[Segment]:
    """The segments with `lemmas` filled in where they are missing (batched)."""
    todo = [i for i, seg in enumerate(segments) if not seg.lemmas]
    out = list(segments)
    for i, info in zip(
        todo, analyse((segments[i].text for i in todo), lang, pipeline), strict=True
    ):
        out[i] = dataclasses.replace(segments[i], lemmas=info.lemmas)
    return out
