"""The framework's floor for bench_api.py: a FastAPI app of one route that returns a
constant JSON body, served by uvicorn with the API's own server settings (api/server.py),
no middleware, dependency, query or cache. Run as a script; the port is its argument."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI, Response

from api.server import server_config

# About the size of /v1/stats' answer.
BODY = b'{"floor":"' + b"x" * 280 + b'"}'
app = FastAPI()


@app.get("/floor")
async def floor() -> Response:
    return Response(BODY, media_type="application/json")


if __name__ == "__main__":
    uvicorn.Server(server_config(app, "127.0.0.1", int(sys.argv[1]))).run()
