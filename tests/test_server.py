"""The REST API, in-process: contract, errors and limits."""

from __future__ import annotations

import io
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from digit_recognizer.server import create_app

from test_numbers import written
from test_recognize import _png_header_claiming, encoded


@pytest.fixture(scope="module")
def client(tiny_model):
    path, _ = tiny_model
    with TestClient(create_app(path)) as client:
        yield client


@pytest.fixture(scope="module")
def seven_png(mnist) -> bytes:
    return encoded(255 - np.asarray(Image.fromarray(mnist.test_images[0]).resize((140, 140))), "PNG")


def test_health_and_model_info(client):
    assert client.get("/api/health").json() == {"status": "ok"}
    info = client.get("/api/model").json()
    assert info["arch"] == "fastnet" and info["format_version"] == 1 and "val_accuracy" in info["metrics"]
    assert "/" not in info["file"] and info["file"].endswith(".h5"), "the server's folders are not shown"


def test_predict_multipart_matches_the_cli_json(client, seven_png):
    response = client.post("/api/predict", files={"file": ("seven.png", seven_png, "image/png")})
    assert response.status_code == 200
    body = response.json()
    assert body["digit"] == 7 and len(body["probabilities"]) == 10 and "path" not in body
    assert body["top_k"][0]["digit"] == 7


def test_a_number_sent_as_one_digit_is_flagged_as_several_digits(client, seven_png, png_of_27):
    flags = [
        client.post("/api/predict", files={"file": ("image.png", data, "image/png")}).json()["several_digits"]
        for data in (png_of_27, seven_png)
    ]
    assert flags == [True, False]


def test_a_numbers_marks_come_with_it(client, mnist):
    body = client.post("/api/predict?multi=true", content=encoded(written("12.50", mnist), "PNG")).json()
    assert re.fullmatch(r"\d\d\.\d\d", body["number"]) and [m["mark"] for m in body["marks"]] == ["."]
    assert len(body["digits"]) == 4 and len(body["marks"][0]["box"]) == 4


def test_predict_raw_body_and_preprocessed_image(client, seven_png):
    body = client.post("/api/predict?image=true", content=seven_png, headers={"content-type": "image/png"}).json()
    assert body["digit"] == 7
    header, data = body["preprocessed"].split(",", 1)
    assert header == "data:image/png;base64"
    import base64

    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        assert image.size == (28, 28)


def test_concurrent_requests_each_get_their_own_image_read(client, mnist):
    """The process reads one image at a time: requests sent at once wait their turn, and each answer
    is its own image's, as read alone."""
    images = [encoded(255 - mnist.test_images[i], "PNG") for i in range(12)]

    def read(data: bytes) -> dict:
        return client.post("/api/predict", content=data, headers={"content-type": "image/png"}).json()

    alone = [read(data) for data in images]
    with ThreadPoolExecutor(len(images)) as pool:
        together = list(pool.map(read, images))
    assert together == alone
    assert len({tuple(body["probabilities"]) for body in alone}) == len(images)  # twelve different answers


def test_blank_canvas_is_no_digit_not_a_guess(client):
    blank = encoded(np.full((280, 280), 255, np.uint8), "PNG")
    body = client.post("/api/predict", files={"file": ("blank.png", blank, "image/png")}).json()
    assert body["digit"] is None and body["message"].startswith("no digit")
    assert body["top_k"] == []  # no ranking of digits that are not there


def test_a_bad_query_parameter_is_named_in_plain_words(client, seven_png):
    response = client.post("/api/predict?multi=maybe", content=seven_png)
    assert response.status_code == 422
    assert (
        response.json()["error"]
        == "invalid request: query multi: Input should be a valid boolean, unable to interpret input"
    )


@pytest.mark.parametrize(
    "kwargs, status, message",
    [
        ({"content": b""}, 400, "empty upload"),
        ({"content": b"plain text, not an image"}, 400, "not an image"),
        ({"files": {"image": ("x.png", b"abc", "image/png")}}, 400, "multipart field 'file'"),
        ({"content": _png_header_claiming(50_000, 50_000)}, 413, "too large"),
    ],
    ids=["empty", "not-an-image", "wrong-field", "pixel-bomb"],
)
def test_bad_requests_get_4xx_json(client, kwargs, status, message):
    response = client.post("/api/predict", **kwargs)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_truncated_image_is_400(client, seven_png):
    response = client.post("/api/predict", files={"file": ("t.png", seven_png[: len(seven_png) // 2], "image/png")})
    assert response.status_code == 400 and "truncated" in response.json()["error"]


def test_over_the_size_cap_is_413_and_the_server_keeps_serving(client, seven_png, monkeypatch):
    from digit_recognizer import server

    monkeypatch.setattr(server, "MAX_FILE_BYTES", 1000)
    response = client.post("/api/predict", content=b"\x89PNG" + b"\x00" * 200_000)
    assert response.status_code == 413 and "too large" in response.json()["error"]
    monkeypatch.undo()
    assert client.post("/api/predict", content=seven_png).json()["digit"] == 7


def test_page_and_its_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "<canvas" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200


def test_openapi_docs(client):
    spec = client.get("/openapi.json").json()
    assert "/api/predict" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_unknown_route_is_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "error" in response.json()


def test_an_ensemble_with_tta_is_served_as_digits_predict_reads_it(tiny_model, seven_png, monkeypatch):
    """`digits serve --model-path a.h5 b.h5 --tta`: the API answers with the ensemble's averaged
    probabilities, the same as the Python API's; worker processes (--workers N) build their app from
    the settings `serve` leaves in DIGITS_SERVE, and get the same."""
    from digit_recognizer.recognizer import Recognizer
    from digit_recognizer.server import app_from_environment

    path, _ = tiny_model
    expected = Recognizer.load([path, path], tta=True).predict(seven_png).probabilities
    monkeypatch.setenv("DIGITS_SERVE", json.dumps({"model_path": [str(path), str(path)], "tta": True}))
    for app in (create_app([path, path], tta=True), app_from_environment()):
        with TestClient(app) as client:
            info = client.get("/api/model").json()
            assert len(info["ensemble"]) == 2 and info["tta"] is True
            body = client.post("/api/predict", files={"file": ("seven.png", seven_png, "image/png")}).json()
            assert np.allclose(body["probabilities"], expected, atol=1e-6)


def test_serve_refuses_an_address_it_cannot_listen_on_before_saying_it_runs(capsys):
    import socket

    from digit_recognizer import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is in use" in err and "Serving on" not in err
    assert cli.main(["serve", "--port", "99999"]) == 1
    assert "--port must be between 1 and 65535 (got 99999)" in capsys.readouterr().err


def test_each_server_worker_runs_on_its_share_of_the_cores(tiny_model, monkeypatch):
    """`digits serve --workers N`: each process reads with cores / N of ONNX Runtime's threads, as N of
    them read at once, the one-digit model of ?multi=true too; and with one OpenCV thread, one worker too."""
    import cv2

    from digit_recognizer.recognizer import Recognizer
    from digit_recognizer.server import app_from_environment

    path, _ = tiny_model
    cores = len(os.sched_getaffinity(0))
    threads = cv2.getNumThreads()
    monkeypatch.setenv("DIGITS_SERVE", json.dumps({"model_path": [str(path)], "tta": False, "workers": cores}))
    try:
        recognizer = app_from_environment().state.recognizer
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(threads)
    for model in (recognizer, recognizer._one_digit_model()):
        assert model.engine.session.get_session_options().intra_op_num_threads == 1
    share = Recognizer.load(path, threads=max(1, cores // 2))
    assert share.engine.session.get_session_options().intra_op_num_threads == max(1, cores // 2)
    monkeypatch.setenv("DIGITS_SERVE", json.dumps({"model_path": [str(path)], "tta": False, "workers": 1}))
    try:
        cv2.setNumThreads(cores)
        recognizer = app_from_environment().state.recognizer
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(threads)
    assert recognizer.engine.session.get_session_options().intra_op_num_threads == cores


def test_the_default_one_worker_server_reads_on_one_opencv_thread(tiny_model, monkeypatch):
    """`digits serve` (one process, serving the app it made itself, not app_from_environment) runs
    OpenCV on one thread and ONNX Runtime on every core, as a process of several does on its share."""
    import socket

    import cv2
    import uvicorn

    from digit_recognizer.server import serve

    path, _ = tiny_model
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    threads, served = cv2.getNumThreads(), []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append((app, cv2.getNumThreads())))
    try:
        cv2.setNumThreads(2)
        serve(port=port, model_path=str(path), workers=1)
    finally:
        cv2.setNumThreads(threads)
    ((app, opencv_threads),) = served
    assert opencv_threads == 1
    assert app.state.recognizer.engine.session.get_session_options().intra_op_num_threads == 0
