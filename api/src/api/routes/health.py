"""Liveness (the process answers) and readiness (Mongo answers and data is fresh)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from api.deps import ReaderDep, SettingsDep
from api.models import Health, Readiness
from api.repository import CandleReader
from coinstream_common.candle_store import LegacyLayout

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> Health:
    return Health(status="ok")


def readiness(reader: CandleReader, max_age_s: float) -> Readiness:
    try:
        reader.ping()
        reader.check_layout()
        newest = reader.newest_update()
    except PyMongoError as error:
        reason = f"mongo unavailable: {type(error).__name__}"
        return Readiness(
            status="not ready", mongo=False, newest_update=None, age_s=None, reason=reason
        )
    except LegacyLayout as error:
        return Readiness(
            status="not ready", mongo=True, newest_update=None, age_s=None, reason=str(error)
        )
    if newest is None:
        return Readiness(
            status="not ready", mongo=True, newest_update=None, age_s=None, reason="no candles yet"
        )
    age_s = max(0.0, (datetime.now(UTC) - newest).total_seconds())
    stale = age_s > max_age_s
    return Readiness(
        status="not ready" if stale else "ready",
        mongo=True,
        newest_update=newest,
        age_s=age_s,
        reason=f"newest tick is {age_s:.0f}s old (limit {max_age_s:.0f}s)" if stale else None,
    )


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
def ready(reader: ReaderDep, settings: SettingsDep) -> JSONResponse:
    """200 when Mongo answers and the newest tick is at most API_READY_MAX_AGE_S old, else 503."""
    result = readiness(reader, settings.ready_max_age_s)
    status_code = 200 if result.status == "ready" else 503
    return JSONResponse(result.model_dump(mode="json"), status_code=status_code)
