"""The lifespan owns the Mongo client; routes get a repository through `Annotated` dependencies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from api.settings import ApiSettings
from coinstream_common.mongo import CandleRepository, connect, database
from coinstream_common.settings import MongoSettings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    mongo: MongoSettings = app.state.mongo_settings
    client = connect(mongo, app_name="coinstream-api")
    app.state.repository = CandleRepository(database(client, mongo))
    try:
        yield
    finally:
        client.close()


def get_repository(request: Request) -> CandleRepository:
    repository: CandleRepository = request.app.state.repository
    return repository


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


RepositoryDep = Annotated[CandleRepository, Depends(get_repository)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
