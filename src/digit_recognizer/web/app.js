// The drawing page: Pointer Events on a canvas, debounced live prediction, upload and drop.
"use strict";

const pad = document.getElementById("pad");
const ctx = pad.getContext("2d");
const widthInput = document.getElementById("width");
const answer = document.getElementById("answer");
const detail = document.getElementById("detail");
const bars = document.getElementById("bars");
const seen = document.getElementById("seen");
const seenCaption = document.getElementById("seen-caption");
const multi = document.getElementById("multi");

const strokes = [];          // each stroke: {width, points: [[x, y], ...]}, in canvas pixels
let current = null;
let timer = null;
let request = 0;             // answers to older requests are ignored
let uploaded = null;         // an uploaded image shown on the canvas instead of strokes
let placement = { scale: 1, dx: 0, dy: 0 };  // image pixels → canvas pixels

function redraw() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
  placement = { scale: 1, dx: 0, dy: 0 };
  if (uploaded) {
    const scale = Math.min(pad.width / uploaded.width, pad.height / uploaded.height);
    const w = uploaded.width * scale, h = uploaded.height * scale;
    placement = { scale, dx: (pad.width - w) / 2, dy: (pad.height - h) / 2 };
    ctx.drawImage(uploaded, placement.dx, placement.dy, w, h);
  }
  ctx.strokeStyle = "#000";
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of strokes) {
    ctx.lineWidth = stroke.width;
    ctx.beginPath();
    stroke.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (stroke.points.length === 1) ctx.lineTo(stroke.points[0][0] + 0.1, stroke.points[0][1]);
    ctx.stroke();
  }
}

function point(event) {
  const rect = pad.getBoundingClientRect();
  return [(event.clientX - rect.left) * pad.width / rect.width, (event.clientY - rect.top) * pad.height / rect.height];
}

pad.addEventListener("pointerdown", (event) => {
  pad.setPointerCapture(event.pointerId);
  current = { width: Number(widthInput.value), points: [point(event)] };
  strokes.push(current);
  redraw();
});
pad.addEventListener("pointermove", (event) => {
  if (!current) return;
  for (const e of event.getCoalescedEvents ? event.getCoalescedEvents() : [event]) current.points.push(point(e));
  redraw();
  schedule(250);
});
const finish = () => { if (current) { current = null; schedule(50); } };
pad.addEventListener("pointerup", finish);
pad.addEventListener("pointercancel", finish);

widthInput.addEventListener("input", () => { document.getElementById("width-value").textContent = widthInput.value; });
document.getElementById("undo").addEventListener("click", () => { strokes.pop(); redraw(); schedule(0); });
document.getElementById("clear").addEventListener("click", clear);
multi.addEventListener("change", () => schedule(0));
pad.addEventListener("keydown", (event) => {
  if (event.key === "Escape" || event.key === "Delete") clear();
  if ((event.ctrlKey || event.metaKey) && event.key === "z") { strokes.pop(); redraw(); schedule(0); }
});

function clear() {
  strokes.length = 0;
  uploaded = null;
  redraw();
  schedule(0);
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(predictCanvas, delay);
}

function empty() {
  return strokes.length === 0 && !uploaded;
}

function predictCanvas() {
  if (empty()) return showEmpty();
  pad.toBlob((blob) => send(blob), "image/png");
}

function showEmpty() {
  request++;
  answer.textContent = "Draw a digit";
  detail.textContent = "";
  bars.replaceChildren();
  seen.hidden = seenCaption.hidden = true;
}

async function send(blob) {
  const mine = ++request;
  const body = new FormData();
  body.append("file", blob, "drawing.png");
  const query = multi.checked ? "?multi=true&image=true" : "?image=true";
  try {
    const response = await fetch("/api/predict" + query, { method: "POST", body });
    const result = await response.json();
    if (mine !== request) return;
    if (!response.ok) return show(result.error || "Could not read the image", "", []);
    render(result);
  } catch (error) {
    if (mine === request) show("Server unreachable", String(error), []);
  }
}

function render(result) {
  if ("number" in result) {
    if (!result.number) return show("No digits found", result.message || "", []);
    const detailText = `Confidence of the least sure digit: ${result.confidence.toFixed(2)}`;
    show(result.number, detailText, []);
    drawBoxes(result.digits);
    return;
  }
  if (result.digit === null) return show("No digit found", result.message || "", []);
  const several = result.several_digits ? " — looks like several digits: tick “Several digits”" : "";
  const flag = (result.low_confidence ? " — not sure" : "") + several;
  show(String(result.digit), `Confidence ${result.confidence.toFixed(2)}${flag}`, result.top_k || []);
  if (result.preprocessed) {
    seen.src = result.preprocessed;
    seen.hidden = seenCaption.hidden = false;
  }
}

function show(text, sub, top) {
  answer.textContent = text;
  detail.textContent = sub;
  seen.hidden = seenCaption.hidden = true;
  bars.replaceChildren(...top.map(({ digit, probability }) => {
    const li = document.createElement("li");
    const pct = (probability * 100).toFixed(1);
    li.innerHTML = `<strong>${digit}</strong><span class="track"><span class="fill" style="width:${pct}%"></span></span><span>${pct}%</span>`;
    li.setAttribute("aria-label", `${digit}: ${pct} percent`);
    return li;
  }));
}

function drawBoxes(digits) {
  redraw();
  const { scale, dx, dy } = placement;  // boxes come in the sent image's pixels
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#1d4ed8";
  ctx.font = "bold 16px system-ui";
  ctx.fillStyle = "#1d4ed8";
  for (const d of digits) {
    const [x, y, w, h] = d.box.map((v, i) => v * scale + (i === 0 ? dx : i === 1 ? dy : 0));
    ctx.strokeRect(x, y, w, h);
    ctx.fillText(String(d.digit), x + 2, Math.max(14, y - 4));
  }
}

function loadFile(file) {
  if (!file) return;
  strokes.length = 0;
  const url = URL.createObjectURL(file);
  const image = new Image();
  image.onload = () => { uploaded = image; redraw(); URL.revokeObjectURL(url); };
  image.onerror = () => { uploaded = null; redraw(); URL.revokeObjectURL(url); };
  image.src = url;
  answer.textContent = "Reading…";
  send(file);
}

for (const id of ["upload", "camera"]) {
  document.getElementById(id).addEventListener("change", (event) => loadFile(event.target.files[0]));
}
pad.addEventListener("dragover", (event) => { event.preventDefault(); document.body.classList.add("drop"); });
pad.addEventListener("dragleave", () => document.body.classList.remove("drop"));
pad.addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("drop");
  loadFile(event.dataTransfer.files[0]);
});

redraw();
