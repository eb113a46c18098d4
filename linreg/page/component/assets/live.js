// The live views of linreg: the numbers come from the server (linreg.dashboard.live), the
// drawing from plotly.js. Charts are created once per run and updated in place; Play draws
// frames the server trained ahead, one per animation frame, and asks for more before they
// run out. Payload and event schemas: linreg/dashboard/live.py.

import { RoomStream } from "./stream.js";

// plotly.js beside this file: the partial bundle the Makefile fetches (scatter traces only), or
// the plotly package's full bundle where it is missing; the root's data-plotly names the file.
let plotlyFile = "plotly-basic.min.js";
let plotlyLoading = null;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyLoading) {
    const url = new URL(plotlyFile, import.meta.url).href;
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    });
  }
  return plotlyLoading;
}

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
const FAINT = ["#9e9e9e", "#c49c94", "#98df8a", "#ff9896", "#c5b0d5", "#f7b6d2", "#dbdb8d"];
// On a touch screen plotly shows its mode bar all the time, over the plot: left out there.
const CONFIG = { displaylogo: false, responsive: true, displayModeBar: matchMedia("(pointer: coarse)").matches ? false : "hover" };
// Each target's marker shape, so that targets differ by shape as well as colour.
const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star"];
// Legends at the figure's foot, under the axis title: never under the mode bar (top right).
const LEGEND = { orientation: "h", x: 0, xanchor: "left", y: 0, yanchor: "bottom", yref: "container" };
const ANNOUNCE_EVERY_MS = 2000; // the aria-live readout: at most one announcement this often
// plotly's "RdBu" colour scale (zmid 0): value / max |value| in −1 … 1 → rgb.
const RDBU = [
  [0, [5, 10, 172]], [0.35, [106, 137, 247]], [0.5, [190, 190, 190]],
  [0.6, [220, 170, 132]], [0.7, [230, 145, 90]], [1, [178, 10, 28]],
];

function rdbu(unit) {
  const x = Math.min(1, Math.max(0, (unit + 1) / 2));
  for (let i = 1; i < RDBU.length; i++) {
    const [x1, c1] = RDBU[i];
    if (x <= x1) {
      const [x0, c0] = RDBU[i - 1];
      const f = (x - x0) / (x1 - x0);
      return c0.map((c, k) => Math.round(c + f * (c1[k] - c)));
    }
  }
  return RDBU[RDBU.length - 1][1];
}
// WCAG's relative luminance; below 0.179 white text contrasts more than black.
function luminance(...rgb) {
  const [r, g, b] = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
// Plotly.animate with redraw: false moves the traces and axes without a full replot.
const FAST = { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" };
const MORE_WHEN_LEFT = 20; // frames left in the queue when the next batch is asked for
const FOLLOW_BEHIND = 90; // a room's follower plays at most this many frames behind the presenter
let eventCounter = 0;

// Text Plotly shows literally (no tags, no %{…} fields), as linreg.figures._text does.
function plain(value) {
  return String(value).replace(/[&<>$%]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// linreg.formatting.number: 4 significant digits, scientific only below 1e-4 or from 1e4.
function number(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const [mantissa, exponentText] = value.toExponential(3).split("e");
  const exponent = parseInt(exponentText, 10);
  if (exponent < -4 || exponent >= 4) {
    return `${mantissa.replace(/\.?0+$/, "")}e${exponent}`;
  }
  const fixed = value.toFixed(Math.max(0, 3 - exponent));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

class LiveViews {
  constructor(root, setTriggerValue) {
    this.root = root;
    this.setTriggerValue = setTriggerValue;
    this.run = null;
    this.seq = 0;
    this.setup = null;
    this.loss = []; // loss after epoch e at index e, 0 … latest the server sent
    this.frames = new Map(); // epoch → frame
    this.head = 0; // the epoch the run has reached on screen
    this.view = 0; // the epoch the views show (head, or looked back at)
    this.queue = []; // frames to play
    this.mode = "show";
    this.playing = false;
    this.asked = false; // a batch is on its way
    this.raf = 0;
    this.drawnHead = -1; // loss points drawn on the curve: 0 … drawnHead
    this.charts = null;
    this.readonly = false; // a room's follower: no controls, no requests but "sync"
    this.stream = null; // a room's follower: the room's stream (stream.js)
    this.build();
  }

  // -- the page -----------------------------------------------------------------------------
  build() {
    const r = this.root;
    r.replaceChildren();
    const controls = el("div", { class: "lv-controls" });
    this.buttons = {};
    for (const name of ["step", "run", "play", "pause", "reset"]) {
      const button = el("button", { type: "button", class: `lv-${name}` }, name);
      button.addEventListener("click", () => this.onButton(name));
      this.buttons[name] = button;
    }
    this.epochsInput = el("input", { type: "number", min: "1", step: "1", value: "100", class: "lv-epochs" });
    this.speedInput = el("input", { type: "number", min: "1", step: "1", value: "1", class: "lv-speed" });
    this.epochsLabel = el("label", {}, "");
    this.speedLabel = el("label", {}, "");
    this.epochsLabel.append(this.epochsInput);
    this.speedLabel.append(this.speedInput);
    this.logBox = el("input", { type: "checkbox", class: "lv-log" });
    this.logLabel = el("label", {}, "");
    this.logLabel.prepend(this.logBox);
    this.logBox.addEventListener("change", () => {
      this.drawLoss(true);
      this.send("prefs");
    });
    for (const input of [this.epochsInput, this.speedInput]) {
      input.addEventListener("change", () => this.send("prefs"));
    }
    controls.append(
      this.buttons.step, this.buttons.run, this.epochsLabel, this.buttons.play,
      this.buttons.pause, this.speedLabel, this.buttons.reset,
    );
    const readouts = el("div", { class: "lv-readouts" });
    this.readout = {};
    this.readoutLabel = {};
    this.readoutBox = {};
    for (const name of ["epoch", "loss", "optimum", "r2"]) {
      const box = el("div", { class: "lv-readout" });
      this.readoutLabel[name] = el("div", { class: "lv-readout-label" }, "");
      this.readout[name] = el("div", { class: "lv-readout-value", "data-metric": name }, "");
      box.append(this.readoutLabel[name], this.readout[name]);
      this.readoutBox[name] = box;
      readouts.append(box);
    }
    this.change = el("div", { class: "lv-change", "data-metric": "loss-change" }, "");
    this.readoutBox.loss.append(this.change);
    const look = el("div", { class: "lv-look" });
    this.lookLabel = el("label", {}, "");
    this.lookInput = el("input", { type: "range", min: "0", max: "0", step: "1", value: "0", class: "lv-look-slider" });
    this.lookValue = el("span", { class: "lv-look-value" }, "0");
    this.lookLabel.append(this.lookInput);
    look.append(this.lookLabel, this.lookValue);
    this.lookInput.addEventListener("input", () => this.onLook(parseInt(this.lookInput.value, 10)));
    // Let go of the slider: the server's other views (the tabs) follow the epoch shown.
    this.lookInput.addEventListener("change", () =>
      this.send("look", { epoch: parseInt(this.lookInput.value, 10) }));
    this.look = look;

    const grid = el("div", { class: "lv-grid" });
    const left = el("div", { class: "lv-col lv-col-weights" });
    this.weightsTitle = el("h2", {}, "");
    this.weightsCaption = el("p", { class: "lv-caption" }, "");
    this.weightsDiv = el("div", { class: "lv-chart lv-weights" });
    this.gradsDiv = el("div", { class: "lv-chart lv-grads" });
    this.noGrad = el("p", { class: "lv-caption lv-no-grad" }, "");
    this.equations = el("pre", { class: "lv-equations" }, "");
    left.append(
      this.weightsTitle, this.weightsCaption, this.weightsDiv, this.equations, this.gradsDiv,
      this.noGrad,
    );
    const right = el("div", { class: "lv-col lv-col-loss" });
    this.lossTitle = el("h2", {}, "");
    this.lossDiv = el("div", { class: "lv-chart lv-loss" });
    this.lossEmpty = el("p", { class: "lv-caption" }, "");
    this.clearRuns = el("button", { type: "button", class: "lv-clear-runs" }, "");
    this.clearRuns.addEventListener("click", () => this.send("clear_runs"));
    right.append(this.lossTitle, this.logLabel, this.lossDiv, this.lossEmpty, this.clearRuns);
    grid.append(left, right);
    const bottom = el("div", { class: "lv-grid lv-bottom" });
    this.predDiv = el("div", { class: "lv-chart lv-pred" });
    this.lineDiv = el("div", { class: "lv-chart lv-line" });
    const tableBox = el("div", { class: "lv-table-box" });
    this.table = el("table", { class: "lv-table" });
    this.tableNote = el("p", { class: "lv-caption" }, "");
    tableBox.append(this.table, this.tableNote);
    const charts = el("div", { class: "lv-col lv-col-charts" });
    charts.append(this.predDiv, this.lineDiv);
    bottom.append(charts, tableBox);
    this.predTitle = el("h2", {}, "");
    this.controls = controls;
    this.readouts = readouts;
    readouts.id = "lv-readouts";
    readouts.tabIndex = -1;
    controls.id = "lv-controls";
    // What a screen reader says after a Step, and calmly during Play (see announce()).
    this.announcer = el("div", { class: "lv-sr-only", role: "status", "aria-live": "polite", "data-announce": "" });
    this.note = el("p", { class: "lv-note", role: "status", "data-stream": "note" }, "");
    this.note.hidden = true;
    r.append(this.note, controls, readouts, this.announcer, look, grid, this.predTitle, bottom);
    this.skipLink();
    // Boxes that scroll on a narrow screen are reachable (and scrolled) from the keyboard.
    this.scrollBoxes = { weights: this.weightsDiv, grads: this.gradsDiv, table: tableBox };
    for (const box of Object.values(this.scrollBoxes)) {
      box.tabIndex = 0;
      box.setAttribute("role", "group");
    }
    // Charts follow their box's width (the sidebar opening, present mode, a phone turned).
    this.resizer = new ResizeObserver((entries) => {
      if (!window.Plotly) return;
      for (const entry of entries) if (entry.target.data) window.Plotly.Plots.resize(entry.target);
    });
    for (const div of [this.lossDiv, this.predDiv, this.lineDiv]) this.resizer.observe(div);
  }

  // "Skip to the controls" (a follower: "to the live views"), the page's first Tab stop.
  skipLink() {
    let link = document.getElementById("lv-skip");
    if (!link) {
      link = el("a", { id: "lv-skip", class: "lv-skip", href: "#lv-controls" }, "");
      document.body.prepend(link);
    }
    link.onclick = (event) => {
      event.preventDefault();
      if (this.readonly) this.readouts.focus();
      else this.buttons.step.focus();
    };
    this.skip = link;
  }

  // The epoch, the loss and its change, said at most once every ANNOUNCE_EVERY_MS: the latest
  // waits for its turn, so the epoch where Play pauses is always said.
  announce(epoch, frame) {
    const w = this.words();
    const params = { epoch: epoch.toLocaleString("en-US"), loss: frame.loss_text, change: frame.change_text };
    this.pendingAnnouncement = fill(frame.change_text === null ? w.announce : w.announce_change, params);
    if (this.announceTimer) return;
    const wait = Math.max(0, (this.announcedAt ?? -Infinity) + ANNOUNCE_EVERY_MS - performance.now());
    this.announceTimer = setTimeout(() => {
      this.announceTimer = 0;
      this.announcedAt = performance.now();
      if (this.announcer.textContent !== this.pendingAnnouncement) {
        this.announcer.textContent = this.pendingAnnouncement;
      }
    }, wait);
  }

  words() {
    return this.setup ? this.setup.labels : {};
  }

  applySetup(setup) {
    this.setup = setup;
    const w = setup.labels;
    for (const name of ["step", "run", "play", "pause", "reset"]) this.buttons[name].textContent = w[name];
    this.epochsLabel.firstChild?.nodeType === 3 && this.epochsLabel.firstChild.remove();
    this.epochsLabel.prepend(document.createTextNode(`${w.epochs} `));
    this.speedLabel.firstChild?.nodeType === 3 && this.speedLabel.firstChild.remove();
    this.speedLabel.prepend(document.createTextNode(`${w.speed} `));
    this.logLabel.lastChild?.nodeType === 3 && this.logLabel.lastChild.remove();
    this.logLabel.append(document.createTextNode(` ${w.log}`));
    this.lookLabel.firstChild?.nodeType === 3 && this.lookLabel.firstChild.remove();
    this.lookLabel.prepend(document.createTextNode(`${w.look} `));
    this.readoutLabel.epoch.textContent = w.epoch;
    this.readoutLabel.loss.textContent = w.loss;
    this.readoutLabel.optimum.textContent = w.optimum;
    this.readoutLabel.r2.textContent = setup.targets.length <= 2 ? w.r2 : w.r2_mean;
    this.readout.optimum.textContent = setup.optimum_text;
    this.readoutBox.optimum.title = w.optimum_help;
    this.look.title = w.look_help;
    this.predTitle.textContent = w.predictions;
    this.lossEmpty.textContent = w.loss_empty;
    this.clearRuns.textContent = fill(w.clear_runs, { count: setup.earlier.length });
    this.clearRuns.hidden = this.readonly || setup.earlier.length === 0;
    this.epochsInput.value = String(setup.prefs.run);
    this.speedInput.value = String(setup.prefs.speed);
    this.logBox.checked = Boolean(setup.prefs.log);
    this.weightsCaption.textContent = w.weights_layout;
    this.noGrad.textContent = w.no_grad;
    this.lossTitle.textContent = w.loss_title;
    this.scrollBoxes.weights.setAttribute("aria-label", `${w.W}, ${w.b}`);
    this.scrollBoxes.grads.setAttribute("aria-label", `${w.W_grad}, ${w.b_grad}`);
    this.scrollBoxes.table.setAttribute("aria-label", w.predictions);
    this.skip.textContent = this.readonly ? w.skip_views : w.skip_controls;
    this.buildTable();
    this.charts = null; // re-created for the new run's shapes and words
  }

  buildTable() {
    const s = this.setup;
    const w = s.labels;
    const head = el("thead");
    const names = el("tr");
    names.append(el("th", { role: "presentation" }, ""));
    for (const t of s.targets) names.append(el("th", { colspan: "3" }, t));
    const cols = el("tr");
    cols.append(el("th", {}, w.row));
    for (let k = 0; k < s.targets.length; k++) {
      for (const c of [w.col_actual, w.col_predicted, w.col_error]) cols.append(el("th", {}, c));
    }
    head.append(names, cols);
    const body = el("tbody");
    this.predCells = [];
    s.actual.forEach((row, i) => {
      const tr = el("tr");
      tr.append(el("th", {}, String(i + 1)));
      const cells = [];
      row.forEach((actual) => {
        tr.append(el("td", {}, number(actual)));
        const predicted = el("td", {}, "");
        const error = el("td", {}, "");
        tr.append(predicted, error);
        cells.push([predicted, error]);
      });
      this.predCells.push(cells);
      body.append(tr);
    });
    this.table.replaceChildren(head, body);
    this.tableNote.textContent =
      s.actual.length < s.n_rows ? fill(w.preview, { shown: s.actual.length, rows: s.n_rows }) : "";
  }

  // -- data from the server -----------------------------------------------------------------
  receive(data) {
    if (!data || data.seq === undefined) return;
    if (data.run === this.run && data.seq <= this.seq) return;
    if (data.run !== this.run && !data.setup) {
      this.send("sync", { have: 0 });
      return;
    }
    if (data.loss_from > this.loss.length && !data.setup) {
      this.send("sync", { have: 0 });
      return;
    }
    this.seq = data.seq;
    this.setReadonly(Boolean(data.readonly));
    if (data.setup) {
      this.run = data.run;
      this.loss = [];
      this.frames.clear();
      this.queue = [];
      this.head = 0;
      this.drawnHead = -1;
      this.playing = false;
      this.applySetup(data.setup);
    }
    this.loss.length = Math.min(this.loss.length, data.loss_from);
    for (const value of data.loss) this.loss.push(value);
    for (const frame of data.frames) this.frames.set(frame.e, frame);
    this.divergedInfo = data.diverged;
    if (data.mode === "play" && this.readonly) {
      // A follower plays what the presenter played, at display rate, never far behind.
      if (!this.playing) {
        this.stopAnimation();
        this.playing = true;
      }
      this.queue.push(...data.frames);
      if (this.queue.length > FOLLOW_BEHIND) this.queue.splice(0, this.queue.length - FOLLOW_BEHIND);
      this.ready.then(() => this.animate());
      return;
    }
    if (data.mode === "play") {
      this.asked = false;
      if (this.playing) {
        this.queue.push(...data.frames);
        this.speed = data.speed;
      }
      this.ready.then(() => this.animate());
      return;
    }
    // "show" and "run": the server is at data.latest; nothing beyond it is kept.
    for (const epoch of this.frames.keys()) if (epoch > data.latest) this.frames.delete(epoch);
    if (this.drawnHead > data.latest) this.drawnHead = -1;
    if (data.mode === "run") {
      this.playing = false;
      this.queue = [...data.frames];
      this.runMode = true;
      this.ready.then(() => this.animate());
      return;
    }
    this.playing = false;
    this.queue = [];
    this.updateControls();
    const last = data.frames.length ? data.frames[data.frames.length - 1].e : data.latest;
    if (data.event === 0 || data.frames.length === 0 || last === data.latest) this.head = data.latest;
    const epoch = last === data.latest ? data.latest : last;
    // The numbers at once; the charts once plotly.js has arrived (the first visit's longest wait).
    if (!window.Plotly) this.show(epoch, last === data.latest);
    this.ready.then(() => this.show(epoch, last === data.latest));
  }

  // A room's follower sees the presenter's views without their controls.
  setReadonly(readonly) {
    if (readonly === this.readonly) return;
    this.readonly = readonly;
    this.controls.hidden = readonly;
    if (readonly) this.clearRuns.hidden = true;
    if (this.setup) this.skip.textContent = readonly ? this.setup.labels.skip_views : this.setup.labels.skip_controls;
    this.updateControls();
  }

  // -- a room's follower: the views draw what the room's stream pushes ---------------------
  follow(stream) {
    this.streamContext = stream.context;
    this.streamWords = stream.words;
    if (this.streamOver === stream.url) return; // the room ended
    if (this.stream && !this.stream.stopped && this.stream.url === stream.url) return;
    const after = this.stream && this.stream.url === stream.url ? this.stream.version : null;
    if (this.stream) this.stream.close();
    if (after === null) {
      this.run = null;
      this.seq = 0;
    }
    this.stream = new RoomStream(
      stream.url,
      {
        any: (m) => {
          if (m.context !== undefined && m.context !== this.streamContext) {
            this.streamContext = m.context;
            this.askPage();
          }
        },
        frame: (m) => this.fromStream(m),
        end: () => {
          this.streamOver = stream.url;
          this.setNote(this.streamWords.ended);
          this.stream.close();
          this.askPage();
        },
      },
      (state) => {
        this.root.dataset.stream = state;
        this.setNote(state === "open" ? "" : this.streamWords.reconnecting);
      },
      after,
    );
  }

  fromStream(message) {
    let payload = message.payload;
    if (message.keyframe && payload.run === this.run && this.setup) {
      payload = { ...payload }; // a periodic keyframe of the run on screen: no redraw from scratch
      delete payload.setup;
    }
    this.receive(payload);
  }

  // The page redraws what is beside the views (settings, data, the shown run) once.
  askPage() {
    eventCounter = (eventCounter + 1) % 1000;
    this.setTriggerValue("event", { id: Date.now() * 1000 + eventCounter, kind: "context" });
  }

  setNote(text) {
    this.note.textContent = text || "";
    this.note.hidden = !text;
  }

  // -- events to the server -----------------------------------------------------------------
  send(kind, extra = {}) {
    if (this.stream && kind === "sync") {
      this.stream.restart();
      return;
    }
    if (this.readonly && kind !== "sync") return;
    eventCounter = (eventCounter + 1) % 1000;
    this.setTriggerValue("event", {
      id: Date.now() * 1000 + eventCounter,
      kind,
      run: this.run,
      have: this.loss.length,
      shown: this.head,
      prefs: {
        run: parseInt(this.epochsInput.value, 10) || 1,
        speed: this.speedValue(),
        log: this.logBox.checked,
      },
      ...extra,
    });
  }

  onButton(name) {
    if (name === "step") {
      this.stopAnimation();
      this.send("step");
    } else if (name === "run") {
      this.stopAnimation();
      this.send("run", { epochs: Math.max(1, parseInt(this.epochsInput.value, 10) || 1) });
    } else if (name === "play") {
      if (this.playing) return;
      this.stopAnimation();
      this.playing = true;
      this.updateControls();
      this.asked = true;
      this.speed = this.speedValue();
      this.send("play", { speed: this.speed });
    } else if (name === "pause") {
      this.stopAnimation();
      this.send("pause");
    } else if (name === "reset") {
      this.stopAnimation();
      this.send("reset");
    }
  }

  speedValue() {
    return Math.max(1, parseInt(this.speedInput.value, 10) || 1);
  }

  stopAnimation() {
    this.playing = false;
    this.runMode = false;
    this.queue = [];
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.updateControls();
  }

  // Play and Pause side by side, the one that does nothing now disabled; the look-back
  // slider once there is something to look back at and while nothing plays.
  updateControls() {
    const moving = this.playing || (this.runMode && this.queue.length > 0);
    this.buttons.play.disabled = this.playing;
    this.buttons.pause.disabled = !moving;
    this.look.hidden = this.readonly || moving || this.head === 0;
  }

  onLook(epoch) {
    this.lookValue.textContent = epoch.toLocaleString("en-US");
    if (this.frames.has(epoch)) {
      this.view = epoch;
      this.draw(epoch);
    } else {
      this.send("look", { epoch });
    }
  }

  // -- playing ------------------------------------------------------------------------------
  animate() {
    if (this.raf) return;
    const tick = () => {
      this.raf = 0;
      const frame = this.queue.shift();
      if (frame) {
        this.head = frame.e;
        this.draw(frame.e, true);
      }
      if (this.playing) {
        if (!this.readonly && !this.asked && this.queue.length < MORE_WHEN_LEFT) {
          this.asked = true;
          this.send("more", { speed: this.speed, shown: this.lastQueued() });
        }
        if (this.divergedInfo && this.queue.length === 0 && !this.readonly) {
          this.playing = false;
          this.updateControls();
          return;
        }
        this.raf = requestAnimationFrame(tick);
      } else if (this.runMode && this.queue.length) {
        this.raf = requestAnimationFrame(tick);
      } else {
        this.runMode = false;
        this.updateControls();
      }
    };
    this.raf = requestAnimationFrame(tick);
  }

  lastQueued() {
    return this.queue.length ? this.queue[this.queue.length - 1].e : this.head;
  }

  // -- drawing ------------------------------------------------------------------------------
  get ready() {
    return loadPlotly();
  }

  show(epoch, atHead) {
    if (atHead) this.head = epoch;
    this.draw(epoch, atHead);
  }

  draw(epoch, atHead = true) {
    const Plotly = window.Plotly;
    const frame = this.frames.get(epoch);
    if (!frame || !this.setup) return;
    if (!this.charts) this.createTables();
    if (Plotly && this.charts !== true) this.createCharts(Plotly);
    this.view = epoch;
    const w = this.words();
    this.readout.epoch.textContent = epoch.toLocaleString("en-US");
    this.readout.loss.textContent = frame.loss_text;
    this.readout.r2.textContent = frame.r2_text;
    const change = frame.change_text;
    this.change.textContent = change === null ? "" : `${change.startsWith("-") ? "↓" : "↑"} ${change}`;
    this.change.className = `lv-change ${change && change.startsWith("-") ? "lv-better" : "lv-worse"}`;
    const each = this.setup.targets.map((name, k) => {
      const v = frame.r2[k];
      return `${name}: ${v === null ? "–" : v.toFixed(4)}`;
    });
    this.readoutBox.r2.title = fill(w.r2_help, { each: each.join(", ") });
    this.equations.textContent = frame.eq.join("\n");
    this.lossEmpty.hidden = this.head > 0;
    this.weightsTitle.textContent = fill(w.weights_title, { epoch: epoch.toLocaleString("en-US") });
    this.lookInput.max = String(this.head);
    this.lookInput.value = String(epoch);
    this.lookValue.textContent = epoch.toLocaleString("en-US");
    this.updateControls();
    this.drawHeatmap(this.weightCells, frame.W, frame.b);
    const grads = frame.gW !== null;
    this.gradsDiv.hidden = !grads;
    this.noGrad.hidden = grads;
    if (grads) this.drawHeatmap(this.gradCells, frame.gW, frame.gb);
    this.drawPredictionTable(frame);
    if (this.charts === true) {
      this.drawLoss(false);
      this.drawPredictions(Plotly, frame);
    }
    if (atHead && epoch === this.head) this.announce(epoch, frame);
  }

  // The weights' and gradients' tables: drawn before plotly.js has arrived.
  createTables() {
    const s = this.setup;
    const w = s.labels;
    this.charts = "tables";
    this.weightCells = this.buildHeatmap(this.weightsDiv, w.W, w.b);
    this.gradCells = this.buildHeatmap(
      this.gradsDiv, w.W_grad + (s.standardized ? w.grad_units : ""), w.b_grad,
    );
  }

  createCharts(Plotly) {
    const s = this.setup;
    const w = s.labels;
    this.charts = true;
    // Loss: earlier runs, this run, the optimum, the epoch shown.
    const hover = `${plain(w.fig_epoch)} %{x}<br>${plain(w.fig_loss)} %{y:.6~g}`;
    const traces = s.earlier.map((run, i) => ({
      x: run.epochs, y: run.loss, mode: "lines", name: plain(run.label),
      line: { color: FAINT[i % FAINT.length], width: 1.5 }, opacity: 0.8,
      hovertemplate: `${hover}<extra>${plain(run.label)}</extra>`,
    }));
    this.lossTrace = traces.length;
    traces.push({ x: [], y: [], mode: "lines", name: plain(w.this_run), line: { color: COLOURS[0], width: 2.5 }, hovertemplate: `${hover}<extra></extra>` });
    traces.push({ x: [0, 1], y: [s.optimum, s.optimum], mode: "lines", name: plain(w.optimum), line: { color: "#2ca02c", width: 1.5, dash: "dash" }, hovertemplate: `${plain(w.optimum)} %{y:.6~g}<extra></extra>` });
    traces.push({ x: [], y: [], mode: "markers", name: plain(w.shown_epoch), marker: { color: COLOURS[3], size: 10, line: { color: "white", width: 1 } }, hovertemplate: `${hover}<extra></extra>` });
    this.lossLayout = {
      margin: { l: 70, r: 10, t: 10, b: 90 }, hovermode: "x", legend: LEGEND,
      xaxis: { title: { text: plain(w.fig_epoch) } },
      yaxis: { title: { text: plain(w.fig_loss) }, type: this.logBox.checked ? "log" : "linear" },
      uirevision: "loss",
    };
    Plotly.newPlot(this.lossDiv, traces, this.lossLayout, CONFIG);
    this.drawnHead = -1;
    // Predictions against actual values, one colour per target, and y = x.
    const all = s.actual.flat().filter((v) => v !== null);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    this.actualLo = lo;
    this.actualHi = hi;
    const predTraces = s.targets.map((name, k) => ({
      x: s.actual.map((row) => row[k]), y: s.actual.map(() => null), mode: "markers", name: plain(name),
      marker: { color: COLOURS[k % COLOURS.length], symbol: SYMBOLS[k % SYMBOLS.length], size: 9 },
      text: s.actual.map((_, i) => `${plain(w.row)} ${i + 1}`),
      hovertemplate: `%{text}<br>${plain(w.actual)} %{x:.4~g}<br>${plain(w.predicted)} %{y:.4~g}<extra>${plain(name)}</extra>`,
    }));
    predTraces.push({ x: [lo, hi], y: [lo, hi], mode: "lines", name: plain(w.identity), line: { color: "#7f7f7f", dash: "dot" }, hoverinfo: "skip" });
    this.predLayout = {
      margin: { l: 60, r: 10, t: 10, b: 90 }, hovermode: "closest", legend: LEGEND,
      xaxis: { title: { text: plain(w.actual) } },
      yaxis: { title: { text: plain(w.predicted) } },
      uirevision: "pred",
    };
    Plotly.newPlot(this.predDiv, predTraces, this.predLayout, CONFIG);
    this.lineDiv.hidden = !s.x;
    if (s.x) {
      const lineTraces = [];
      s.targets.forEach((name, k) => {
        lineTraces.push({ x: s.x, y: s.actual.map((row) => row[k]), mode: "markers", name: plain(name), marker: { color: COLOURS[k % COLOURS.length], symbol: SYMBOLS[k % SYMBOLS.length], size: 8 } });
      });
      s.targets.forEach((name, k) => {
        lineTraces.push({ x: s.x_ends, y: [null, null], mode: "lines", name: `${plain(name)} · ${plain(w.fitted)}`, line: { color: COLOURS[k % COLOURS.length], width: 2.5 } });
      });
      this.lineLayout = {
        margin: { l: 60, r: 10, t: 10, b: 90 }, legend: LEGEND,
        xaxis: { title: { text: plain(s.inputs[0]) } },
        yaxis: { title: { text: s.targets.map(plain).join(", ") } },
        uirevision: "line",
      };
      Plotly.newPlot(this.lineDiv, lineTraces, this.lineLayout, CONFIG);
    }
  }

  // W and b (or their gradients) as a table of coloured cells with the values written in:
  // updating cell text and colour costs far less than redrawing a plotly heatmap per frame.
  buildHeatmap(div, title, biasTitle) {
    const s = this.setup;
    const table = el("table", { class: "lv-heat" });
    const caption = el("caption", {}, title);
    const head = el("tr");
    head.append(el("th", { role: "presentation" }, ""));
    for (const name of s.inputs) head.append(el("th", { scope: "col" }, name));
    head.append(el("th", { class: "lv-gap", role: "presentation" }, ""), el("th", { scope: "col" }, biasTitle));
    table.append(caption, head);
    const cells = [];
    s.targets.forEach((name) => {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, name));
      const row = s.inputs.map(() => el("td", {}, ""));
      const bias = el("td", {}, "");
      tr.append(...row, el("td", { class: "lv-gap" }, ""), bias);
      cells.push({ row, bias });
      table.append(tr);
    });
    div.replaceChildren(table);
    return cells;
  }

  drawHeatmap(cells, matrix, vector) {
    const scale = (values) => Math.max(1e-300, ...values.flat().map((v) => (v === null ? 0 : Math.abs(v))));
    const wScale = scale(matrix);
    const bScale = scale(vector);
    const paint = (td, value, range) => {
      td.textContent = number(value);
      const [r, g, b] = rdbu(value === null ? 0 : value / range);
      td.style.background = `rgb(${r},${g},${b})`;
      td.style.color = luminance(r, g, b) < 0.179 ? "#fff" : "#000";
      td.title = number(value);
    };
    cells.forEach(({ row, bias }, i) => {
      row.forEach((td, j) => paint(td, matrix[i][j], wScale));
      paint(bias, vector[i], bScale);
    });
  }

  // The loss curve up to the head, the optimum across, the marker on the epoch shown: one
  // Plotly.update (one redraw) per frame; the curve's arrays grow in place.
  drawLoss(rebuild) {
    const Plotly = window.Plotly;
    if (!Plotly || this.charts !== true) return;
    const log = this.logBox.checked;
    const n = this.lossTrace;
    const head = Math.min(this.head, this.loss.length - 1);
    const point = (e) => {
      const v = this.loss[e];
      return v === null || v === undefined || (log && v <= 0) ? null : v;
    };
    if (rebuild || this.drawnHead < 0 || this.drawnHead > head || log !== this.drawnLog) {
      this.curveX = [];
      this.curveY = [];
      this.drawnHead = -1;
    }
    for (let e = this.drawnHead + 1; e <= head; e++) {
      this.curveX.push(e);
      this.curveY.push(point(e));
    }
    this.drawnHead = head;
    const right = Math.max(1, head, ...this.setup.earlier.map((r) => r.epochs[r.epochs.length - 1]));
    const opt = log && this.setup.optimum <= 0 ? null : this.setup.optimum;
    const layout = {};
    if (log !== this.drawnLog) layout["yaxis.type"] = log ? "log" : "linear";
    const few = right <= 10;
    if (few !== this.drawnFew) {
      layout["xaxis.tickmode"] = few ? "linear" : "auto";
      layout["xaxis.tick0"] = few ? 0 : null;
      layout["xaxis.dtick"] = few ? 1 : null;
    }
    this.drawnLog = log;
    this.drawnFew = few;
    if (Object.keys(layout).length) Plotly.relayout(this.lossDiv, layout);
    const yRange = this.lossRange(log, opt);
    Plotly.animate(
      this.lossDiv,
      {
        data: [
          { x: this.curveX, y: this.curveY },
          { x: [0, right], y: [opt, opt] },
          { x: [this.view], y: [point(this.view)] },
        ],
        traces: [n, n + 1, n + 2],
        layout: { xaxis: { range: [-0.02 * right, right * 1.02] }, yaxis: { range: yRange } },
      },
      FAST,
    );
  }

  // The loss axis' range: every point drawn, the earlier runs and the optimum (log: in decades).
  lossRange(log, opt) {
    let lo = Infinity;
    let hi = -Infinity;
    const take = (v) => {
      if (v === null || v === undefined || !Number.isFinite(v) || (log && v <= 0)) return;
      const u = log ? Math.log10(v) : v;
      if (u < lo) lo = u;
      if (u > hi) hi = u;
    };
    if (this.rangeHead === undefined || this.rangeHead > this.drawnHead || this.rangeLog !== log) {
      this.rangeLo = Infinity;
      this.rangeHi = -Infinity;
      this.rangeHead = -1;
      for (const run of this.setup.earlier) run.loss.forEach(take);
    } else {
      lo = this.rangeLo;
      hi = this.rangeHi;
    }
    for (let i = this.rangeHead + 1; i < this.curveY.length; i++) take(this.curveY[i]);
    this.rangeLo = lo;
    this.rangeHi = hi;
    this.rangeHead = this.curveY.length - 1;
    this.rangeLog = log;
    take(opt);
    if (!Number.isFinite(lo)) return log ? [-1, 1] : [0, 1];
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
    return [lo - pad, hi + pad];
  }

  drawPredictions(Plotly, frame) {
    const s = this.setup;
    const k = s.targets.length;
    const ys = [];
    for (let t = 0; t < k; t++) ys.push(frame.p.map((row) => row[t]));
    let lo = this.actualLo;
    let hi = this.actualHi;
    for (const row of frame.p) for (const v of row) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const pad = (hi - lo || 1) * 0.05;
    Plotly.animate(
      this.predDiv,
      { data: ys.map((y) => ({ y })), traces: ys.map((_, t) => t), layout: { yaxis: { range: [lo - pad, hi + pad] } } },
      FAST,
    );
    if (s.x && frame.line) {
      let ylo = this.actualLo;
      let yhi = this.actualHi;
      for (const ends of frame.line) for (const v of ends) if (v !== null) { ylo = Math.min(ylo, v); yhi = Math.max(yhi, v); }
      const ypad = (yhi - ylo || 1) * 0.05;
      Plotly.animate(
        this.lineDiv,
        { data: frame.line.map((y) => ({ y })), traces: frame.line.map((_, t) => k + t), layout: { yaxis: { range: [ylo - ypad, yhi + ypad] } } },
        FAST,
      );
    }
  }

  drawPredictionTable(frame) {
    const s = this.setup;
    frame.p.forEach((row, i) => {
      row.forEach((predicted, t) => {
        const [pCell, eCell] = this.predCells[i][t];
        pCell.textContent = number(predicted);
        const actual = s.actual[i][t];
        eCell.textContent = predicted === null || actual === null ? "–" : number(predicted - actual);
      });
    });
  }
}

const views = new WeakMap();

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".linreg-live");
  if (root.dataset.plotly) plotlyFile = root.dataset.plotly;
  let live = views.get(root);
  if (!live) {
    live = new LiveViews(root, setTriggerValue);
    views.set(root, live);
    loadPlotly();
  }
  live.setTriggerValue = setTriggerValue;
  if (data && data.stream) {
    live.follow(data.stream);
    return () => live.stream && live.stream.close();
  }
  live.receive(data);
}
