"""The review queue: unreviewed tips ordered by how much they would move the verdict.

The *impact* of a tip is how much the confidence in its object's leading
country (the leader's share times ``1 - exp(-n / 2)`` for ``n`` units of evidence
behind it, as :mod:`geoleads.verdict` weighs evidence) would change if the tip were discarded
(marked spam), computed from the per-reading ``leads`` of the object's current
summary. A tip pointing away from the leader lowers its share; a tip
supporting it adds evidence; tips without places have no impact and come last
(oldest first).

>>> import math

import pandas as pd
>>> leads = pd.DataFrame({"tip_id": ["a", "b", "c"], "country": ["PL", "PL", "DE"],
...                       "weight": [1.0, 1.0, 1.0]})
>>> {k: round(v, 3) for k, v in tip_impacts(leads, {"a", "c"}).items()}
{'a': 0.225, 'c': 0.211}
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from geoleads.store.models import ObjectRow, ReviewRow, TipRow
from geoleads.web.tipqueries import TipView, tips_by_id

if TYPE_CHECKING:
    from geoleads.store.engine import Store
    from geoleads.web.summaries import SummaryCache

#: Objects whose summaries the all-objects queue looks at (most unreviewed tips first).
MAX_OBJECTS = 20


def _confidence(share: float, evidence: float) -> float:
    return share * (1.0 - math.exp(-max(evidence, 0.0) / 2.0))


def tip_impacts(leads: pd.DataFrame, candidates: set[str]) -> dict[str, float]:
    """``tip_id -> |change of the leading country's confidence|`` if that tip were discarded."""
    if leads.empty or not candidates:
        return {}
    frame = leads.loc[leads["country"].notna(), ["tip_id", "country", "weight"]]
    if frame.empty:
        return {}
    mass = frame.groupby("country")["weight"].sum()
    total = float(mass.sum())
    if total <= 0:
        return {}
    top = str(mass.idxmax())
    lead = float(mass[top])
    before = _confidence(lead / total, lead)
    per_tip = frame[frame["tip_id"].isin(candidates)]
    out: dict[str, float] = {}
    for tip_id, group in per_tip.groupby("tip_id"):
        m_all = float(group["weight"].sum())
        m_top = float(group.loc[group["country"] == top, "weight"].sum())
        rest = total - m_all
        after = _confidence((lead - m_top) / rest, lead - m_top) if rest > 0 else 0.0
        out[str(tip_id)] = abs(before - after)
    return out


def unreviewed_ids(store: Store, object_id: str) -> list[str]:
    """Unreviewed tips of ``object_id``, oldest first."""
    with store.session() as s:
        return list(
            s.scalars(
                select(TipRow.tip_id)
                .outerjoin(ReviewRow, ReviewRow.tip_id == TipRow.tip_id)
                .where(TipRow.object_id == object_id, ReviewRow.tip_id.is_(None))
                .order_by(TipRow.received_at, TipRow.tip_id)
            )
        )


def _objects_with_work(store: Store) -> list[str]:
    with store.session() as s:
        rows = s.execute(select(ObjectRow.object_id, ObjectRow.tip_count)).all()
    return [o for o, n in sorted(rows, key=lambda r: -int(r[1] or 0)) if n][:MAX_OBJECTS]


def review_queue(
    store: Store, cache: SummaryCache, object_id: str | None, *, limit: int = 50
) -> list[TipView]:
    """The ``limit`` unreviewed tips that would move their object's verdict most."""
    scored: list[tuple[float, int, str]] = []  # (-impact, order, tip_id)
    objects = [object_id] if object_id else _objects_with_work(store)
    order = 0
    for oid in objects:
        ids = unreviewed_ids(store, oid)
        if not ids:
            continue
        result = cache.result(oid)
        impacts = tip_impacts(result.leads, set(ids)) if result is not None else {}
        for tip_id in ids:
            scored.append((-impacts.get(tip_id, 0.0), order, tip_id))
            order += 1
    scored.sort()
    chosen = scored[:limit]
    impact = {tip_id: -neg for neg, _, tip_id in chosen}
    tips = tips_by_id(store, [tip_id for _, _, tip_id in chosen])
    for tip in tips:
        tip.impact = impact[tip.tip_id]
    return tips
