"""FlowMeter's run.py, as the released FlowMeter binaries are built from
it: always 127.0.0.1, whatever HOST says; PORT from the settings."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import uvicorn  # noqa: E402

from app.main import app, settings  # noqa: E402

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(settings["port"]), log_level="warning")
