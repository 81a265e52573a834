"""Liveness: the process is up and serving."""

from __future__ import annotations

from fastapi import APIRouter

from api.models import Health

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> Health:
    return Health(status="ok")
