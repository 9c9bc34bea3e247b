"""The web app and REST API: an ASGI app (FastAPI, served by Uvicorn) over the Recognizer.

    GET  /              the drawing page (all assets local: works offline)
    POST /api/predict   an image (multipart field ``file``, or the raw body) → the ``digits predict --json``
                        object without ``path``; ``?image=true`` adds the 28×28 the model saw (PNG, base64)
    GET  /api/health    liveness
    GET  /api/model     the model file's name (not its folders), architecture, metrics, format version
    GET  /docs          OpenAPI documentation

The model (or an ensemble of several, with or without TTA) is loaded once. Every bad request gets a
4xx with a JSON ``{"error": ...}`` body.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import io
import json
import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from . import __version__
from .decode import MAX_FILE_BYTES
from .errors import ConfigError, DigitsError, ImageError, TooLargeError
from .recognizer import NumberPrediction, Prediction, Recognizer, one_opencv_thread, share_cores

log = logging.getLogger(__name__)
WEB = Path(__file__).parent / "web"


def create_app(
    model_path: str | Path | list | None = None,
    recognizer: Recognizer | None = None,
    tta: bool = False,
    threads: int = 0,
) -> FastAPI:
    """The app over ``recognizer``, or over the model file(s) at ``model_path`` (several: an ensemble;
    none: the bundled model), with test-time augmentation if ``tta``, each model on ``threads`` of ONNX
    Runtime's threads (0: one per core)."""
    recognizer = recognizer or Recognizer.load(model_path, tta=tta, threads=threads)
    app = FastAPI(
        title="Handwritten Digit Recognizer",
        version=__version__,
        description="Draw or upload a handwritten digit and read it with a CNN trained on MNIST.",
    )
    app.state.recognizer = recognizer
    # Reading an image is Python code that holds the interpreter's lock, so the process reads one at a
    # time, in the order they came, while the event loop goes on receiving the next. Each in a thread
    # of its own (Starlette's default, up to 40), they took the lock from one another: 8 concurrent
    # clients of one process got 80-88 requests/s, against 116-137 one at a time (server_load.py, AVX2
    # EPYC: benchmarks/results/server-reader/). A number (?multi=true) waits its turn like a digit.
    reader = ThreadPoolExecutor(1, thread_name_prefix="digits-reader")
    app.mount("/static", StaticFiles(directory=WEB), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB / "index.html")

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/api/model")
    def model() -> dict:
        return recognizer.info()

    @app.post(
        "/api/predict",
        responses={400: {"description": "not a readable image"}, 413: {"description": "image too large"}},
        openapi_extra={
            "requestBody": {
                "content": {
                    "multipart/form-data": {
                        "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                    },
                    "image/*": {"schema": {"type": "string", "format": "binary"}},
                },
                "required": True,
            }
        },
    )
    async def predict(
        request: Request,
        multi: bool = Query(False, description="read a number of several digits"),
        image: bool = Query(False, description="add the 28×28 input, base64 PNG (single digits)"),
    ):
        """Read the digit (or with ``multi=true`` the number) in an uploaded image: multipart field
        ``file``, or the image as the raw body."""
        data = await _body(request)
        loop = asyncio.get_running_loop()
        if multi:
            number: NumberPrediction = await loop.run_in_executor(reader, recognizer.predict_number, data)
            return number.to_dict()
        result: Prediction = await loop.run_in_executor(reader, recognizer.predict, data)
        out = result.to_dict(top_k=3)
        if image and result.image is not None:
            out["preprocessed"] = _png_base64(result.image)
        return out

    @app.exception_handler(TooLargeError)
    async def too_large(request: Request, exc: TooLargeError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=413)

    @app.exception_handler(DigitsError)
    async def bad_input(request: Request, exc: DigitsError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{' '.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"error": f"invalid request: {problems}"}, status_code=422)

    return app


async def _body(request: Request) -> bytes:
    """The image bytes: the multipart field ``file`` or the raw body, refused beyond the size cap."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_FILE_BYTES + 64 * 1024:
        raise TooLargeError(
            f"upload is too large ({int(declared) / 2**20:.1f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB)"
        )
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_FILE_BYTES)
        except MultiPartException as exc:
            if "maximum size" in str(exc):
                raise TooLargeError(f"upload is too large (over the {MAX_FILE_BYTES // 2**20} MiB limit)") from exc
            raise ImageError(f"malformed multipart body ({exc})") from exc
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ImageError(
                f"expected the image in the multipart field 'file' (got: {', '.join(form.keys()) or 'none'})"
            )
        data = await upload.read()
    else:
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                raise TooLargeError(f"upload is too large (over the {MAX_FILE_BYTES // 2**20} MiB limit)")
        data = bytes(data)
    if not data:
        raise ImageError("empty upload: send an image as the multipart field 'file' or as the request body")
    return data


def _png_base64(image) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def app_from_environment() -> FastAPI:
    """The app for each worker process, with the model(s) and TTA that ``serve`` put in DIGITS_SERVE, on
    the process's share of the cores (``share_cores``)."""
    settings = json.loads(os.environ.get("DIGITS_SERVE", "{}"))
    threads = share_cores(settings.pop("workers", 1))
    return create_app(**settings, threads=threads)


def serve(
    host: str = "127.0.0.1", port: int = 8000, model_path: str | list | None = None, workers: int = 1, tta: bool = False
) -> None:
    """Run the app with Uvicorn; ``workers`` > 1 starts that many processes (one per core), each on its
    share of the cores. Several ``model_path`` files make an ensemble."""
    import uvicorn

    recognizer = Recognizer.load(model_path, tta=tta)  # fail here, with a clear error, before any worker starts
    _check_address(host, port)
    models = [recognizer.path, *(member.path for member in recognizer.members)]
    log.info(
        "Serving on http://%s:%d (model: %s%s, %d worker(s))",
        host, port, ", ".join(map(str, models)), " with TTA" if tta else "", workers,
    )  # fmt: skip
    if workers == 1:  # this process serves: OpenCV on one thread, ONNX Runtime on every core (share_cores(1))
        one_opencv_thread()
        uvicorn.run(create_app(recognizer=recognizer), host=host, port=port, log_level="warning")
        return
    settings = {"model_path": [str(path) for path in models], "tta": tta, "workers": workers}
    os.environ["DIGITS_SERVE"] = json.dumps(settings)
    uvicorn.run(
        "digit_recognizer.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def _check_address(host: str, port: int) -> None:
    """Fail with a clear error when Uvicorn could not listen on ``host:port`` (bad port, unknown host,
    port taken), before saying that the server is running. Bound with SO_REUSEADDR as Uvicorn does."""
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port must be between 1 and 65535 (got {port})")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on {host}: unknown host ({exc.strerror})") from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is in use (another server?); choose another with --port") from exc
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from exc
