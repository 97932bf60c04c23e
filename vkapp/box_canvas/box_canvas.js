// Browser half of vkapp.box_canvas: an SVG over the image, boxes kept in IMAGE pixels, drawn in screen pixels.
// Streamlit calls the default export again whenever the payload from Python changes, with the same parentElement,
// so each element keeps one BoxCanvas that is updated in place.

const SVG_NS = "http://www.w3.org/2000/svg";
const HANDLE_SIZE = 8; // screen px, drawn handles
const GRAB = 7; // screen px, how close to a corner or edge the pointer must be to resize
const MIN_DRAG = 3; // screen px, smaller drags neither create nor move boxes
const TAG_FONT = "600 12px sans-serif";
const TAG_HEIGHT = 16;
const CURSORS = {
  n: "ns-resize", s: "ns-resize", e: "ew-resize", w: "ew-resize",
  nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize",
};

const HINT = "Drag to draw a box, drag a box to move it, drag an edge or corner to resize it, Delete removes the "
  + "selected box";

const canvases = new WeakMap();
const measure = document.createElement("canvas").getContext("2d");

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  if (parent) parent.appendChild(node);
  return node;
}

const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
const round1 = (v) => Math.round(v * 10) / 10;

function ordered(box) {
  return {
    ...box,
    x1: Math.min(box.x1, box.x2), x2: Math.max(box.x1, box.x2),
    y1: Math.min(box.y1, box.y2), y2: Math.max(box.y1, box.y2),
  };
}

// Black or white text, whichever reads better on the tag colour.
function textColorOn(color) {
  measure.fillStyle = "#000";
  measure.fillStyle = color;
  const hex = measure.fillStyle;
  if (!hex.startsWith("#")) return "#fff";
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#000" : "#fff";
}

class BoxCanvas {
  constructor(parent) {
    this.parent = parent;
    this.generation = 0;
    this.boxes = [];
    this.selected = null;
    this.drag = null;
    this.root = document.createElement("div");
    this.root.className = "vk-box-canvas-root";
    this.toolbar = document.createElement("label");
    this.toolbar.className = "vk-box-canvas-toolbar";
    this.toolbar.textContent = "Label ";
    this.picker = document.createElement("select");
    this.picker.className = "vk-box-canvas-label";
    this.toolbar.appendChild(this.picker);
    this.svg = svg("svg", { class: "vk-box-canvas", tabindex: "0", role: "application" });
    this.image = svg("image", { x: 0, y: 0, preserveAspectRatio: "none" }, this.svg);
    this.overlayLayer = svg("g", { class: "vk-overlays" }, this.svg);
    this.boxLayer = svg("g", { class: "vk-boxes" }, this.svg);
    this.tagLayer = svg("g", { class: "vk-tags" }, this.svg); // above every outline, so no box line crosses a tag
    this.handleLayer = svg("g", { class: "vk-handles" }, this.svg);
    this.root.append(this.toolbar, this.svg);
    parent.appendChild(this.root);
    this.listeners = [
      [this.svg, "pointerdown", (e) => this.onPointerDown(e)],
      [this.svg, "pointermove", (e) => this.onPointerMove(e)],
      [this.svg, "pointerup", (e) => this.onPointerUp(e)],
      [this.svg, "pointercancel", () => this.cancelDrag()],
      [this.svg, "keydown", (e) => this.onKeyDown(e)],
      [this.picker, "change", () => this.onPickLabel()],
    ];
    for (const [target, type, handler] of this.listeners) target.addEventListener(type, handler);
  }

  destroy() {
    for (const [target, type, handler] of this.listeners) target.removeEventListener(type, handler);
    this.root.remove();
    canvases.delete(this.parent);
  }

  update(data, send) {
    this.data = data;
    this.send = send;
    // The echo of our own last commit must not cancel a drag the user has already started.
    if (JSON.stringify(data.boxes) !== JSON.stringify(this.rounded())) {
      this.boxes = data.boxes.map((b) => ({ ...b }));
      this.drag = null;
    }
    if (!this.boxes.some((b) => b.id === this.selected)) this.selected = null;
    const [w, h] = data.size;
    this.sx = data.width / w;
    this.sy = data.height / h;
    this.svg.setAttribute("width", data.width);
    this.svg.setAttribute("height", data.height);
    this.svg.setAttribute("viewBox", `0 0 ${data.width} ${data.height}`);
    this.svg.classList.toggle("vk-editable", data.editable);
    this.svg.setAttribute("aria-label", data.editable ? `Box editor. ${HINT}.` : "Boxes (view only)");
    this.svg.classList.toggle("vk-blank", !data.image);
    this.image.setAttribute("width", data.width);
    this.image.setAttribute("height", data.height);
    this.image.classList.toggle("vk-pixelated", data.pixelated);
    // Same data URL, same decoded image: only a new picture is handed to the browser again.
    if (data.image && this.image.getAttribute("href") !== data.image) this.image.setAttribute("href", data.image);
    else if (!data.image) this.image.removeAttribute("href");
    this.updatePicker();
    this.renderOverlays();
    this.render();
  }

  updatePicker() {
    const labels = this.data.labels;
    this.toolbar.hidden = !(this.data.editable && labels.length);
    const current = this.picker.value;
    if (this.picker.options.length !== labels.length || labels.some((l, i) => this.picker.options[i].value !== l)) {
      this.picker.replaceChildren(...labels.map((l) => new Option(l, l)));
    }
    if (labels.includes(current)) this.picker.value = current;
    this.syncPicker();
  }

  syncPicker() {
    const box = this.box(this.selected);
    if (box && this.data.labels.includes(box.label)) this.picker.value = box.label;
  }

  // --- coordinates -------------------------------------------------------------------------------------------------

  toScreen(box) {
    return { x1: box.x1 * this.sx, y1: box.y1 * this.sy, x2: box.x2 * this.sx, y2: box.y2 * this.sy };
  }

  pointer(event) {
    const rect = this.svg.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  // Screen point to image point, clamped to the image.
  toImage(p) {
    const [w, h] = this.data.size;
    return { x: clamp(p.x / this.sx, 0, w), y: clamp(p.y / this.sy, 0, h) };
  }

  box(id) {
    return this.boxes.find((b) => b.id === id) || null;
  }

  // --- drawing -----------------------------------------------------------------------------------------------------

  colorOf(box) {
    return box.color || this.data.colors[box.label ?? ""] || this.data.colors[""];
  }

  tagText(box) {
    const parts = [this.data.show_ids ? box.id : null, box.label, box.score == null ? null : box.score.toFixed(2)];
    return parts.filter((p) => p !== null && p !== undefined && p !== "").join(" ");
  }

  renderOverlays() {
    this.overlayLayer.replaceChildren();
    for (const o of this.data.overlays) {
      const common = { stroke: o.color, "stroke-width": 1.5, fill: "none" };
      if (o.kind === "points") {
        for (const [x, y] of o.xy) {
          svg("circle", { cx: x * this.sx, cy: y * this.sy, r: 3, fill: o.color, stroke: "#000", "stroke-width": 0.75 },
            this.overlayLayer);
        }
        continue;
      }
      const r = this.toScreen(o);
      svg("rect", {
        ...common, x: r.x1, y: r.y1, width: r.x2 - r.x1, height: r.y2 - r.y1,
        fill: o.fill || "none", "stroke-dasharray": o.dash ? "6 4" : null,
      }, this.overlayLayer);
      if (o.kind === "grid") this.drawGrid(o, r, common);
    }
  }

  drawGrid(o, r, common) {
    for (let i = 1; i < o.rows; i++) {
      const y = r.y1 + ((r.y2 - r.y1) * i) / o.rows;
      svg("line", { ...common, x1: r.x1, x2: r.x2, y1: y, y2: y, "stroke-width": 1 }, this.overlayLayer);
    }
    for (let j = 1; j < o.cols; j++) {
      const x = r.x1 + ((r.x2 - r.x1) * j) / o.cols;
      svg("line", { ...common, x1: x, x2: x, y1: r.y1, y2: r.y2, "stroke-width": 1 }, this.overlayLayer);
    }
  }

  render() {
    this.boxLayer.replaceChildren();
    this.tagLayer.replaceChildren();
    this.handleLayer.replaceChildren();
    this.tags = [];
    const preview = this.drag?.kind === "create" && this.drag.box ? [this.drag.box] : [];
    for (const box of [...this.boxes, ...preview]) this.drawBox(ordered(box));
    const selected = this.box(this.selected);
    if (selected && this.data.editable) this.drawHandles(ordered(selected));
  }

  drawBox(box) {
    const color = this.colorOf(box);
    const r = this.toScreen(box);
    const isSelected = box.id === this.selected;
    svg("rect", {
      x: r.x1, y: r.y1, width: r.x2 - r.x1, height: r.y2 - r.y1, stroke: color, fill: color,
      "fill-opacity": isSelected ? 0.18 : 0.04, "stroke-width": isSelected ? 3 : 2,
      "stroke-dasharray": box.style === "dashed" ? "7 4" : null, class: "vk-box", "data-id": box.id,
    }, this.boxLayer);
    const text = this.tagText(box);
    if (!text) return;
    measure.font = TAG_FONT;
    const tagWidth = measure.measureText(text).width + 8;
    const left = Math.min(r.x1, Math.max(0, this.data.width - tagWidth));
    const top = this.tagTop(left, tagWidth, r);
    svg("rect", { x: left, y: top, width: tagWidth, height: TAG_HEIGHT, fill: color, class: "vk-tag" }, this.tagLayer);
    const label = svg("text", { x: left + 4, y: top + TAG_HEIGHT - 4, fill: textColorOn(color), class: "vk-tag-text" },
      this.tagLayer);
    label.textContent = text;
  }

  // Above the box if there is room, else just inside its top edge, else under it: the first spot no earlier tag
  // covers (overlapping detections, as in NMS replays, would otherwise hide each other's tags).
  tagTop(left, width, r) {
    const spots = [r.y1 - TAG_HEIGHT, r.y1, r.y2].filter((y) => y >= 0 && y + TAG_HEIGHT <= this.data.height);
    const free = (y) => !this.tags.some((t) => left < t.x + t.w && t.x < left + width && y < t.y + TAG_HEIGHT
      && t.y < y + TAG_HEIGHT);
    const top = spots.find(free) ?? spots[0] ?? r.y1;
    this.tags.push({ x: left, y: top, w: width });
    return top;
  }

  handlePoints(r) {
    const xm = (r.x1 + r.x2) / 2;
    const ym = (r.y1 + r.y2) / 2;
    return {
      nw: [r.x1, r.y1], n: [xm, r.y1], ne: [r.x2, r.y1], e: [r.x2, ym],
      se: [r.x2, r.y2], s: [xm, r.y2], sw: [r.x1, r.y2], w: [r.x1, ym],
    };
  }

  drawHandles(box) {
    const color = this.colorOf(box);
    for (const [name, [x, y]] of Object.entries(this.handlePoints(this.toScreen(box)))) {
      svg("rect", {
        x: x - HANDLE_SIZE / 2, y: y - HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE,
        fill: "#fff", stroke: color, "stroke-width": 1.5, class: "vk-handle", "data-handle": name,
      }, this.handleLayer);
    }
  }

  // --- hit testing -------------------------------------------------------------------------------------------------

  // Which edges of the box the point grabs: "" (none), "n", "se", ...; small boxes get a smaller grab zone.
  edgesAt(box, p) {
    const r = this.toScreen(box);
    const grab = Math.max(3, Math.min(GRAB, (r.x2 - r.x1) / 3, (r.y2 - r.y1) / 3));
    const inX = p.x >= r.x1 - grab && p.x <= r.x2 + grab;
    const inY = p.y >= r.y1 - grab && p.y <= r.y2 + grab;
    let edges = "";
    if (inX && Math.abs(p.y - r.y1) <= grab) edges += "n";
    else if (inX && Math.abs(p.y - r.y2) <= grab) edges += "s";
    if (inY && Math.abs(p.x - r.x1) <= grab) edges += "w";
    else if (inY && Math.abs(p.x - r.x2) <= grab) edges += "e";
    return edges;
  }

  // The selected box first, then smaller boxes before the larger ones they may sit in.
  candidates() {
    const area = (b) => (b.x2 - b.x1) * (b.y2 - b.y1);
    const rest = this.boxes.filter((b) => b.id !== this.selected).sort((a, b) => area(a) - area(b));
    const selected = this.box(this.selected);
    return selected ? [selected, ...rest] : rest;
  }

  hitTest(p) {
    const boxes = this.candidates();
    for (const box of boxes) {
      const edges = this.edgesAt(box, p);
      if (edges) return { box, kind: "resize", edges };
    }
    for (const box of boxes) {
      const r = this.toScreen(box);
      if (p.x >= r.x1 && p.x <= r.x2 && p.y >= r.y1 && p.y <= r.y2) return { box, kind: "move" };
    }
    return null;
  }

  // --- interaction -------------------------------------------------------------------------------------------------

  onPointerDown(event) {
    if (!this.data.editable || event.button !== 0) return;
    event.preventDefault();
    this.svg.focus();
    this.svg.setPointerCapture(event.pointerId);
    const p = this.pointer(event);
    const hit = this.hitTest(p);
    this.selected = hit ? hit.box.id : null;
    this.drag = { kind: hit ? hit.kind : "create", edges: hit?.edges, start: p, origin: hit ? { ...hit.box } : null,
      moved: false, box: null };
    this.syncPicker();
    this.render();
  }

  onPointerMove(event) {
    if (!this.data.editable) return;
    const p = this.pointer(event);
    const drag = this.drag;
    if (!drag) {
      const hit = this.hitTest(p);
      this.svg.style.cursor = hit ? CURSORS[hit.edges] || "move" : "crosshair";
      return;
    }
    drag.moved ||= Math.abs(p.x - drag.start.x) >= MIN_DRAG || Math.abs(p.y - drag.start.y) >= MIN_DRAG;
    if (!drag.moved) return;
    const a = this.toImage(drag.start);
    const b = this.toImage(p);
    if (drag.kind === "create") drag.box = this.newBox(a, b);
    else if (drag.kind === "move") this.moveBox(drag, b.x - a.x, b.y - a.y);
    else this.resizeBox(drag, b);
    this.render();
  }

  newBox(a, b) {
    const label = this.data.labels.length ? this.picker.value : null;
    return { id: this.drag.box?.id || this.freeId(), x1: a.x, y1: a.y, x2: b.x, y2: b.y, label, score: null,
      color: null, style: null };
  }

  freeId() {
    const taken = new Set(this.boxes.map((b) => b.id));
    let n = 1;
    while (taken.has(`b${n}`)) n += 1;
    return `b${n}`;
  }

  moveBox(drag, dx, dy) {
    const [w, h] = this.data.size;
    const o = drag.origin;
    const x1 = clamp(o.x1 + dx, 0, w - (o.x2 - o.x1));
    const y1 = clamp(o.y1 + dy, 0, h - (o.y2 - o.y1));
    Object.assign(this.box(o.id), { x1, y1, x2: x1 + (o.x2 - o.x1), y2: y1 + (o.y2 - o.y1) });
  }

  resizeBox(drag, p) {
    const box = { ...drag.origin };
    if (drag.edges.includes("w")) box.x1 = p.x;
    if (drag.edges.includes("e")) box.x2 = p.x;
    if (drag.edges.includes("n")) box.y1 = p.y;
    if (drag.edges.includes("s")) box.y2 = p.y;
    Object.assign(this.box(drag.origin.id), ordered(box));
  }

  onPointerUp(event) {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    if (this.svg.hasPointerCapture(event.pointerId)) this.svg.releasePointerCapture(event.pointerId);
    if (drag.kind === "create" && drag.box) this.addBox(ordered(drag.box));
    this.render();
    if (drag.moved && (drag.kind !== "create" || this.box(drag.box?.id))) this.commit();
  }

  addBox(box) {
    const r = this.toScreen(box);
    if (r.x2 - r.x1 < MIN_DRAG || r.y2 - r.y1 < MIN_DRAG) return;
    this.boxes.push(box);
    this.selected = box.id;
  }

  cancelDrag() {
    const drag = this.drag;
    this.drag = null;
    if (drag?.origin) Object.assign(this.box(drag.origin.id), drag.origin);
    this.render();
  }

  onKeyDown(event) {
    if (!this.data.editable) return;
    if (event.key === "Escape") {
      if (this.drag) this.cancelDrag();
      this.selected = null;
      this.render();
    } else if ((event.key === "Delete" || event.key === "Backspace") && this.selected && !this.drag) {
      event.preventDefault();
      this.boxes = this.boxes.filter((b) => b.id !== this.selected);
      this.selected = null;
      this.render();
      this.commit();
    }
  }

  onPickLabel() {
    const box = this.box(this.selected);
    if (!box || box.label === this.picker.value) return;
    box.label = this.picker.value;
    this.render();
    this.commit();
  }

  rounded() {
    return this.boxes.map((b) => ({ ...b, x1: round1(b.x1), y1: round1(b.y1), x2: round1(b.x2), y2: round1(b.y2) }));
  }

  commit() {
    this.boxes = this.rounded();
    this.send("edit", this.boxes);
  }
}

export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  let canvas = canvases.get(parentElement);
  if (!canvas) {
    canvas = new BoxCanvas(parentElement);
    canvases.set(parentElement, canvas);
  }
  canvas.update(data, setTriggerValue);
  // Streamlit may run a superseded call's cleanup after a newer call: only the latest one may tear down.
  const generation = ++canvas.generation;
  return () => {
    if (canvas.generation === generation) canvas.destroy();
  };
}
