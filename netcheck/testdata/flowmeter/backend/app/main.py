"""A small stand-in for FlowMeter's backend, used by netcheck's tests.

It answers the three read-only endpoints Localguard relies on, reads its
settings the way FlowMeter does (the process environment beats backend/.env,
keys are case-insensitive, defaults HOST=0.0.0.0 and PORT=8000) and, run as
`python -m app.main` or `python app/main.py`, starts uvicorn on that address.
"""
import os
import sys
import time

from dotenv import dotenv_values
from fastapi import FastAPI

DEFAULTS = {"host": "0.0.0.0", "port": "8000", "app_name": "FlowMeter API",
            "app_version": "0.0.0-test", "debug": "false",
            "allow_unsafe_formulas": "false"}


def read_settings():
    """pydantic-settings' reading: .env (relative to the working directory)
    folded to lower case in file order, a bare key unsets, then the
    environment wins."""
    values = dict(DEFAULTS)
    for key, value in dotenv_values(".env", encoding="utf-8").items():
        key = key.lower()
        if value is None:
            values[key] = DEFAULTS.get(key)
        else:
            values[key] = value
    for key, value in os.environ.items():
        if key.lower() in DEFAULTS:
            values[key.lower()] = value
    return values


def truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on", "t", "y")


settings = read_settings()
app = FastAPI(title=settings["app_name"])


# A busy FlowMeter, for tests: GET /api/info answers after this many
# seconds.
INFO_DELAY = float(os.environ.get("TEST_INFO_DELAY", "0"))


@app.get("/api/info")
def info():
    time.sleep(INFO_DELAY)
    return {"name": settings["app_name"], "version": settings["app_version"],
            "docs": "/docs", "health": "/health"}


@app.get("/health")
def health():
    return {"status": "healthy", "version": settings["app_version"]}


@app.get("/api/v1/settings/security")
def security():
    return {"success": True,
            "data": {"allow_unsafe_formulas": truthy(settings["allow_unsafe_formulas"])}}


if __name__ == "__main__":
    import uvicorn

    # `python app/main.py` puts app/ first on sys.path; FlowMeter's backend
    # folder (the working directory) must be importable for "app.main".
    sys.path.insert(0, os.getcwd())
    reload = truthy(settings["debug"])
    uvicorn.run("app.main:app" if reload else app, host=settings["host"],
                port=int(settings["port"]), reload=reload, log_level="warning")
